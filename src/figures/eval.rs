//! Figures of predictions: the results grid and confusion matrices.

use crate::data::Dataset;
use crate::eval::{normalize_rows, Interpretation};
use crate::plot::{heatmap, probability_grid, Figure, Panel, GREEN, GREY, RED};
use crate::train::TrainedModel;
use crate::util::argmax;
use crate::util::error::{Error, Result};

/// The Keras notebook's results grid: each image with its probability bars; the title (predicted
/// class, probability, true class) is green when right, red when wrong; in the bars the true class
/// is green and a wrong prediction red.
pub fn prediction_grid(ds: &Dataset, indices: &[usize], probs: &[Vec<f32>], ncols: usize) -> Result<Figure> {
    if indices.is_empty() || ncols == 0 || indices.iter().any(|&i| i >= ds.len() || i >= probs.len()) {
        return Err(Error::invalid("prediction_grid: indices must be non-empty and within the dataset and the predictions"));
    }
    let (mut panels, mut bars, mut colors) = (Vec::new(), Vec::new(), Vec::new());
    for &i in indices {
        let p = &probs[i];
        let pred = argmax(p);
        let truth = ds.labels[i] as usize;
        let col = if pred == truth { GREEN } else { RED };
        let title = format!("{} {:.0}% ({})", ds.class_names[pred], 100.0 * p[pred], ds.class_names[truth]);
        panels.push(Panel::from_bytes(ds.image(i), ds.rows, ds.cols, title).with_title_color(col));
        bars.push(p.iter().map(|&v| v as f64).collect::<Vec<f64>>());
        let mut c = vec![GREY; p.len()];
        c[truth] = GREEN;
        c[pred] = col;
        colors.push(c);
    }
    let title = format!("{} test images with their predicted class probabilities; title: prediction, confidence and (true class), green when right, red when wrong", indices.len());
    probability_grid(&title, &panels, &bars, &colors, &ds.class_names, ncols)
}

/// One image's class probabilities as bars: the true class green, the prediction red when it is
/// wrong, the other classes grey (the series' bar colours).
///
/// `probability_bars("Class probabilities for the bag", &p, &gap.class_names, 8)?`
pub fn probability_bars(title: &str, probs: &[f32], class_names: &[String], truth: usize) -> Result<Figure> {
    if probs.len() != class_names.len() || truth >= probs.len() {
        return Err(Error::invalid(format!("probability_bars: {} probabilities, {} classes, true class {truth}", probs.len(), class_names.len())));
    }
    let pred = argmax(probs);
    let mut colours = vec![GREY; probs.len()];
    colours[pred] = RED;
    colours[truth] = GREEN;
    let names: Vec<&str> = class_names.iter().map(|s| s.as_str()).collect();
    crate::plot::coloured_bars(title, &names, &probs.iter().map(|&p| p as f64).collect::<Vec<_>>(), &colours)
}

/// The row-normalised confusion matrix of `model` on `ds`, titled with the model's `name`.
///
/// `model_confusion("BN + GAP", &gap, &data.test)?`
pub fn model_confusion(name: &str, model: &TrainedModel, ds: &Dataset) -> Result<Figure> {
    confusion(name, &Interpretation::new(model, ds)?)
}


/// The row-normalised confusion matrix of an [`Interpretation`], titled with the model's `name`.
pub fn confusion(name: &str, interp: &Interpretation) -> Result<Figure> {
    let labels: Vec<&str> = interp.class_names.iter().map(|s| s.as_str()).collect();
    heatmap(&format!("{name}: confusion matrix (row-normalised)"), &normalize_rows(&interp.confusion_matrix()), &labels, true)
}

/// A confusion matrix as counts (`normalized = false`) or row fractions.
pub fn confusion_heatmap(m: &[Vec<usize>], class_names: &[String], normalized: bool) -> Result<Figure> {
    let labels: Vec<&str> = class_names.iter().map(|s| s.as_str()).collect();
    if normalized {
        heatmap("Confusion matrix (row-normalised)", &normalize_rows(m), &labels, true)
    } else {
        let f: Vec<Vec<f64>> = m.iter().map(|r| r.iter().map(|&v| v as f64).collect()).collect();
        heatmap("Confusion matrix (counts)", &f, &labels, true)
    }
}
