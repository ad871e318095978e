//! TensorBoard: a [`TensorBoard`] callback that writes event files as the TF demo does, an
//! [`EventSummary`] that reads them back with TensorBoard's own record format, and
//! [`screenshot`]s of TensorBoard's pages over them.
//!
//! ```no_run
//! use cnn_lab::prelude::*;
//! use cnn_lab::integrations::tensorboard::TensorBoard;
//! let mut t = Trainer::new(TrainConfig::preset("model1")?, &cpu())?;
//! t.add_callback(TensorBoard::new("runs/tb".as_ref(), "model1")?);
//! # Ok::<(), cnn_lab::Error>(())
//! ```

use crate::data::Dataset;
use crate::plot::Figure;
use crate::train::{Callback, EpochEnd, Trainer};
use crate::util::error::{Error, Result};
use std::path::{Path, PathBuf};

/// TensorBoard logs, as the TF demo writes them: per epoch, the scalars (`loss`, `accuracy`,
/// `val_loss`, `val_accuracy`, `seconds`), a histogram of every parameter (`conv2d/kernel`,
/// `batch_normalization/gamma`, …; TensorBoard's Histograms and Distributions tabs), and an
/// image of the predictions on the first 16 validation images (`predictions`). The event file
/// is `<dir>/<name>.out.tfevents.<micros>.cnn_lab`; open it with `tensorboard --logdir <dir>`.
pub struct TensorBoard {
    writer: tfrecord::EventWriter<std::io::BufWriter<std::fs::File>>,
    path: PathBuf,
    samples: Option<Dataset>,
}

/// Validation images shown in the `predictions` image.
const TB_IMAGES: usize = 16;

impl TensorBoard {
    /// A new event file in `dir` for the run `name`.
    pub fn new(dir: &Path, name: &str) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let micros = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0);
        let path = dir.join(format!("{name}.out.tfevents.{micros}.cnn_lab"));
        let writer = tfrecord::EventWriter::create(&path, tfrecord::EventWriterConfig { auto_flush: true }).map_err(|e| tb_err(&path, e))?;
        Ok(Self { writer, path, samples: None })
    }

    /// The event file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn predictions(&mut self, t: &Trainer, step: i64) -> Result<()> {
        let Some(ds) = &self.samples else { return Ok(()) };
        let probs = t.model(t.class_names()).predict(ds)?;
        let idx: Vec<usize> = (0..ds.len()).collect();
        let fig = crate::figures::prediction_grid(ds, &idx, &probs, 4)?;
        let image = tfrecord::protobuf::summary::Image {
            height: fig.height as i32,
            width: fig.width as i32,
            colorspace: 3,
            encoded_image_string: fig.png,
        };
        self.writer.write_image("predictions", step, image).map_err(|e| tb_err(&self.path, e))
    }
}

/// What a TensorBoard event file holds: its tags by kind and the highest step, read back with
/// the same record format TensorBoard reads (checksums verified).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventSummary {
    pub scalars: Vec<String>,
    pub histograms: Vec<String>,
    pub images: Vec<String>,
    pub last_step: i64,
}

impl EventSummary {
    /// Read an event file.
    pub fn read(path: impl AsRef<Path>) -> Result<EventSummary> {
        use tfrecord::protobuf::event::What;
        use tfrecord::protobuf::summary::value::Value;
        let path = path.as_ref();
        let events = tfrecord::EventIter::open(path, tfrecord::RecordReaderConfig { check_integrity: true }).map_err(|e| tb_err(path, e))?;
        let mut out = EventSummary::default();
        for ev in events {
            let ev = ev.map_err(|e| tb_err(path, e))?;
            out.last_step = out.last_step.max(ev.step);
            let Some(What::Summary(s)) = ev.what else { continue };
            for v in s.value {
                let list = match v.value {
                    Some(Value::SimpleValue(_)) => &mut out.scalars,
                    Some(Value::Histo(_)) => &mut out.histograms,
                    Some(Value::Image(_)) => &mut out.images,
                    _ => continue,
                };
                if !list.contains(&v.tag) {
                    list.push(v.tag);
                }
            }
        }
        Ok(out)
    }

    /// Read the newest event file (`*.tfevents.*`) in `dir`, as TensorBoard shows the latest run.
    pub fn read_dir(dir: impl AsRef<Path>) -> Result<EventSummary> {
        let dir = dir.as_ref();
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().contains(".tfevents.")))
            .collect();
        // The file names end in the creation time in microseconds.
        files.sort();
        let last = files.pop().ok_or_else(|| Error::format(dir, "no TensorBoard event file (*.tfevents.*) here"))?;
        Self::read(last)
    }
}

impl std::fmt::Display for EventSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} steps", self.last_step)?;
        writeln!(f, "scalars ({}): {}", self.scalars.len(), self.scalars.join(", "))?;
        writeln!(f, "histograms ({}): {}", self.histograms.len(), self.histograms.join(", "))?;
        write!(f, "images ({}): {}", self.images.len(), self.images.join(", "))
    }
}

fn tb_err(path: &Path, e: tfrecord::Error) -> Error {
    Error::format(path, format!("writing TensorBoard events: {e}"))
}

impl Callback for TensorBoard {
    fn on_train_begin(&mut self, _: &mut Trainer, _: &Dataset, val: &Dataset) -> Result<()> {
        self.samples = (!val.is_empty()).then(|| val.subset(TB_IMAGES));
        Ok(())
    }
    fn on_epoch_end(&mut self, t: &mut Trainer, e: &EpochEnd) -> Result<()> {
        let step = t.epochs_done() as i64;
        let scalars = [("loss", e.loss), ("accuracy", e.accuracy), ("val_loss", e.val_loss), ("val_accuracy", e.val_accuracy), ("seconds", e.seconds)];
        for (tag, v) in scalars {
            self.writer.write_scalar(tag, step, v as f32).map_err(|err| tb_err(&self.path, err))?;
        }
        for (tag, values) in t.net().named_parameters() {
            let h = histogram(&values).map_err(|err| tb_err(&self.path, err))?;
            self.writer.write_histogram(tag, step, h).map_err(|err| tb_err(&self.path, err))?;
        }
        self.predictions(t, step)
    }
}

/// TensorBoard's page over `logdir` (`"scalars"`, `"histograms"` or `"projector"`), as a reader
/// would see it in a browser: `scripts/tensorboard_shots.py` starts TensorBoard on a loopback
/// port and photographs the page with headless Chromium, 800 px wide. `filter` fills the page's
/// tag filter (a regular expression; empty for all tags). Needs the project's Python environment
/// (`make venv`, or `CNN_LAB_PYTHON`) and Chromium; says so when either is missing.
///
/// `screenshot(&log, "scalars", "loss|accuracy")?`
pub fn screenshot(logdir: &Path, page: &str, filter: &str) -> Result<Figure> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var_os("CNN_LAB_PYTHON").map(PathBuf::from).unwrap_or_else(|| root.join(".venv/bin/python"));
    if !python.exists() {
        return Err(Error::invalid(format!("no Python environment at {} (run `make venv`, or set CNN_LAB_PYTHON)", python.display())));
    }
    let out = tempfile::Builder::new().suffix(".png").tempfile().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let result = std::process::Command::new(&python)
        .arg(root.join("scripts/tensorboard_shots.py"))
        .args([logdir.as_os_str(), page.as_ref(), out.path().as_os_str(), "--filter".as_ref(), filter.as_ref()])
        .output()
        .map_err(|e| Error::io(&python, e))?;
    if !result.status.success() {
        let why = String::from_utf8_lossy(&result.stderr);
        return Err(Error::invalid(format!("TensorBoard screenshot of {}: {}", logdir.display(), why.trim())));
    }
    let name = logdir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Figure::from_png_file(out.path(), format!("TensorBoard, {page} page, log {name}"))
}

/// Buckets of a weight histogram, as TensorFlow 2's `tf.summary.histogram` makes them.
const HISTOGRAM_BUCKETS: usize = 30;

/// The values in 30 equal buckets from their minimum to their maximum. (tfrecord's own
/// conversion uses TensorFlow 1's ~1,500 fixed buckets out to ±1e20, and TensorBoard then drew
/// every layer's weights as a spike on an axis of ±80 million.)
fn histogram(values: &[f32]) -> tfrecord::Result<tfrecord::protobuf::HistogramProto> {
    let lo = values.iter().fold(f64::INFINITY, |m, &v| m.min(v as f64));
    let hi = values.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
    let (lo, hi) = if lo.is_finite() && hi > lo { (lo, hi) } else { (lo.min(0.0), lo.max(0.0) + 1.0) };
    let width = (hi - lo) / HISTOGRAM_BUCKETS as f64;
    let limits: Vec<f64> = (1..=HISTOGRAM_BUCKETS).map(|i| if i == HISTOGRAM_BUCKETS { hi } else { lo + width * i as f64 }).collect();
    let mut h = tfrecord::protobuf::HistogramProto::new(limits)?;
    for &v in values {
        h.try_add_one(v as f64)?;
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_spans_the_values_in_thirty_buckets() {
        let h = histogram(&[-0.5, 0.0, 0.25, 1.0]).unwrap();
        assert_eq!(h.bucket_limit.len(), 30);
        assert_eq!((h.min, h.max, h.num), (-0.5, 1.0, 4.0));
        assert_eq!(*h.bucket_limit.last().unwrap(), 1.0);
        assert_eq!(h.bucket.iter().sum::<f64>(), 4.0);
        assert_eq!((h.bucket[0], h.bucket[29]), (1.0, 1.0));
        // A constant layer (a bias still at zero) gets one-unit-wide buckets, not an error.
        assert_eq!(histogram(&[0.0; 5]).unwrap().num, 5.0);
    }
}
