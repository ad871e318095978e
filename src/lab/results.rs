//! The results table: each notebook records its test scores in `results/results.json`, and the
//! README shows them (`cnn-lab results --readme README.md`).

use crate::util::error::{write_atomic, Error, Result};
use crate::train::{Evaluation, TrainedModel};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One row: a trained model's test figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub notebook: String,
    pub model: String,
    pub params: usize,
    pub epochs: usize,
    pub seconds_per_epoch: f64,
    pub test_loss: f64,
    pub test_accuracy: f64,
    /// How many test images the accuracy was measured on (0 in rows from before it was
    /// recorded): the table's 95 % interval needs it.
    #[serde(default)]
    pub test_images: usize,
}

/// `$CNN_LAB_RESULTS`, else `target/quick-results.json` in quick mode (so CI never touches the
/// committed file), else `results/results.json` at the crate root.
pub fn results_path() -> PathBuf {
    if let Some(p) = std::env::var_os("CNN_LAB_RESULTS") {
        return PathBuf::from(p);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if crate::util::quick::is_quick() {
        root.join("target").join("quick-results.json")
    } else {
        root.join("results").join("results.json")
    }
}

/// Read a results file (a missing file is an empty table).
pub fn load(path: impl AsRef<Path>) -> Result<Vec<ResultRow>> {
    let path = path.as_ref();
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| Error::format(path, format!("not a results file: {e}"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Add or replace the row of (`notebook`, `label`) in [`results_path`]; returns the row.
pub fn record(notebook: &str, label: &str, model: &TrainedModel, eval: &Evaluation) -> Result<ResultRow> {
    record_in(&results_path(), notebook, label, model, eval)
}

/// Evaluate `model` on `test` and record its row: the one call a notebook makes after training.
///
/// `let ev = evaluate_and_record("02-baseline-cnn", "model1", &model, &data.test)?;`
pub fn evaluate_and_record(notebook: &str, label: &str, model: &TrainedModel, test: &crate::data::Dataset) -> Result<Evaluation> {
    let ev = model.evaluate(test)?;
    record(notebook, label, model, &ev)?;
    Ok(ev)
}

/// [`record`] into an explicit file.
pub fn record_in(path: &Path, notebook: &str, label: &str, model: &TrainedModel, eval: &Evaluation) -> Result<ResultRow> {
    record_ensemble_in(path, notebook, label, &[model], eval)
}

/// Record the row of a soft-voting ensemble (see [`crate::eval::predict_ensemble`]): params and
/// epochs are the members' sums, seconds/epoch their epoch-weighted mean, so that epochs ×
/// seconds/epoch is still the total training time.
pub fn record_ensemble(notebook: &str, label: &str, models: &[&TrainedModel], eval: &Evaluation) -> Result<ResultRow> {
    record_ensemble_in(&results_path(), notebook, label, models, eval)
}

/// [`record_ensemble`] into an explicit file.
pub fn record_ensemble_in(
    path: &Path,
    notebook: &str,
    label: &str,
    models: &[&TrainedModel],
    eval: &Evaluation,
) -> Result<ResultRow> {
    if models.is_empty() {
        return Err(Error::invalid(format!("no models to record for {label:?}")));
    }
    let epochs: usize = models.iter().map(|m| m.history.epochs()).sum();
    let seconds: f64 = models.iter().map(|m| m.history.seconds_per_epoch() * m.history.epochs() as f64).sum();
    let row = ResultRow {
        notebook: notebook.into(),
        model: label.into(),
        params: models.iter().map(|m| m.config.spec.trainable_params()).sum(),
        epochs,
        seconds_per_epoch: (seconds / epochs.max(1) as f64 * 10.0).round() / 10.0,
        test_loss: (eval.loss * 1e4).round() / 1e4,
        test_accuracy: (eval.accuracy * 1e4).round() / 1e4,
        test_images: eval.images,
    };
    let mut rows = load(path)?;
    match rows.iter_mut().find(|r| r.notebook == row.notebook && r.model == row.model) {
        Some(r) => *r = row.clone(),
        None => rows.push(row.clone()),
    }
    rows.sort_by(|a, b| a.notebook.cmp(&b.notebook));
    let json = serde_json::to_string_pretty(&rows).map_err(|e| Error::invalid(e.to_string()))?;
    write_atomic(path, (json + "\n").as_bytes())?;
    Ok(row)
}

/// Evaluate each named model on `test`, record its row under `notebook`, and return the rows
/// as a table (displayed as one in a notebook; `to_string()` gives the Markdown).
pub fn record_models(notebook: &str, models: &[(&str, &TrainedModel)], test: &crate::data::Dataset) -> Result<crate::plot::Markdown> {
    let mut rows = Vec::new();
    for (name, m) in models {
        let ev = m.evaluate(test)?;
        rows.push(record(notebook, name, m, &ev)?);
    }
    Ok(table(&rows))
}

/// Test accuracy of recipes trained from several seeds: one row per label with each seed's
/// accuracy, their mean ± standard deviation (n − 1) in points, and the test loss's mean ± sd.
/// Not recorded in the results file.
pub fn seeds_table(runs: &[(&str, &[TrainedModel])], test: &crate::data::Dataset) -> Result<crate::plot::Markdown> {
    let mut s = String::from("| model | seeds | test accuracy, each seed | accuracy, mean ± sd | test loss, mean ± sd |\n|---|---:|---|---:|---:|\n");
    for (label, models) in runs {
        let (mut acc, mut loss) = (Vec::with_capacity(models.len()), Vec::with_capacity(models.len()));
        for m in models.iter() {
            let ev = m.evaluate(test)?;
            acc.push(100.0 * ev.accuracy);
            loss.push(ev.loss);
        }
        let each: Vec<String> = acc.iter().map(|a| format!("{a:.2} %")).collect();
        let (mean, sd) = crate::eval::stats::mean_sd(&acc);
        let (lm, ls) = crate::eval::stats::mean_sd(&loss);
        s += &format!("| {label} | {} | {} | {mean:.2} ± {sd:.2} % | {lm:.3} ± {ls:.3} |\n", acc.len(), each.join(", "));
    }
    Ok(crate::plot::Markdown(s))
}

/// The rows as a table that a notebook displays formatted.
pub fn table(rows: &[ResultRow]) -> crate::plot::Markdown {
    crate::plot::Markdown(markdown(rows))
}

/// The rows as a Markdown table, each accuracy with its 95 % interval (Wilson's, over the test
/// images: [`crate::eval::stats::accuracy_interval`]). Training times are left out: they were
/// taken while other work may have shared the CPU (`cnn-lab bench` measures speed).
pub fn markdown(rows: &[ResultRow]) -> String {
    let mut s = String::from("| notebook | model | params | epochs | test loss | test accuracy | 95 % interval |\n|---|---|---:|---:|---:|---:|---:|\n");
    for r in rows {
        let interval = if r.test_images > 0 {
            let correct = (r.test_accuracy * r.test_images as f64).round() as usize;
            let (lo, hi) = crate::eval::stats::accuracy_interval(correct, r.test_images);
            format!("{:.2}–{:.2} %", 100.0 * lo, 100.0 * hi)
        } else {
            "–".to_string()
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {:.3} | {:.2} % | {interval} |\n",
            r.notebook,
            r.model,
            crate::model::group(r.params),
            r.epochs,
            r.test_loss,
            100.0 * r.test_accuracy
        ));
    }
    s
}

const BEGIN: &str = "<!-- results:begin -->";
const END: &str = "<!-- results:end -->";

/// `text` with the part between the results markers replaced by `table`.
pub fn splice(text: &str, table: &str) -> Result<String> {
    let (a, b) = match (text.find(BEGIN), text.find(END)) {
        (Some(a), Some(b)) if a < b => (a, b),
        _ => return Err(Error::invalid(format!("no {BEGIN} … {END} markers"))),
    };
    Ok(format!("{}{BEGIN}\n{table}{}", &text[..a], &text[b..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_upserted_and_rendered() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        let spec = crate::model::ModelSpec::preset("model1").unwrap();
        let dev = crate::util::device::cpu();
        let m = TrainedModel {
            net: spec.build(&dev),
            device: dev,
            normalization: Default::default(),
            class_names: vec![],
            history: Default::default(),
            config: crate::train::TrainConfig::new(spec),
        };
        record_in(&p, "02", "model1", &m, &Evaluation { loss: 0.3, accuracy: 0.9, images: 10_000 }).unwrap();
        record_in(&p, "02", "model1", &m, &Evaluation { loss: 0.25, accuracy: 0.91, images: 10_000 }).unwrap();
        record_in(&p, "01", "x", &m, &Evaluation { loss: 1.0, accuracy: 0.5, images: 10_000 }).unwrap();
        let rows = load(&p).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].test_accuracy, 0.91);
        let md = markdown(&rows);
        assert!(md.contains("| 02 | model1 | 93,322 | 0 | 0.250 | 91.00 % | 90.42–91.55 % |"), "{md}");
        let t = splice("a\n<!-- results:begin -->\nold\n<!-- results:end -->\nb", &md).unwrap();
        assert!(t.contains("91.00 %") && !t.contains("old") && t.ends_with("<!-- results:end -->\nb"));
        assert!(splice("no markers", &md).is_err());
        // An ensemble row: summed params and epochs, epoch-weighted seconds.
        let mut m2 = m.clone();
        m2.history.seconds = vec![10.0, 20.0];
        m2.history.loss = vec![1.0, 1.0];
        let e = record_ensemble_in(&p, "04", "both", &[&m, &m2], &Evaluation { loss: 0.2, accuracy: 0.93, images: 10_000 }).unwrap();
        assert_eq!((e.params, e.epochs, e.seconds_per_epoch), (2 * 93_322, m.history.epochs() + 2, 15.0));
        assert!(record_ensemble_in(&p, "04", "none", &[], &Evaluation { loss: 0.2, accuracy: 0.93, images: 10_000 }).is_err());
        assert_eq!(load(&p).unwrap().len(), 3);
        std::fs::write(&p, "{").unwrap();
        assert!(load(&p).unwrap_err().to_string().contains("not a results file"));
    }
}
