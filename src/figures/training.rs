//! Figures of training: learning curves and weight histograms.

use super::colours::model_colour;
use crate::plot::{histogram, learning_curves, Bins, Curves, Figure};
use crate::train::{History, TrainedModel};
use crate::util::error::Result;

/// Loss and accuracy per epoch, training (solid) against validation (dashed), for one or more
/// runs; a model of the series keeps its colour in every figure ([`model_colour`]).
pub fn training_curves(runs: &[(&str, &History)]) -> Result<Figure> {
    let curves: Vec<Curves> = runs
        .iter()
        .map(|(name, h)| Curves {
            name,
            loss: &h.loss,
            accuracy: &h.accuracy,
            val_loss: &h.val_loss,
            val_accuracy: &h.val_accuracy,
            colour: model_colour(name),
        })
        .collect();
    learning_curves(&curves)
}

/// How sure each model is of its answers: the histogram of the predicted class's probability
/// (20 bins from 0 to 1), one series per model in the model's colour.
///
/// ```no_run
/// # let (model, data) = (cnn_lab::lab::recipes::train("model1", &cnn_lab::lab::recipes::fashion().unwrap()).unwrap(), cnn_lab::lab::recipes::fashion().unwrap());
/// let conf: Vec<f64> = cnn_lab::eval::confidences(&model.predict(&data.test).unwrap()).iter().map(|&c| c as f64).collect();
/// let fig = cnn_lab::figures::confidence_histogram("Probability of the predicted class", &[("model1", &conf)]).unwrap();
/// ```
pub fn confidence_histogram(title: &str, series: &[(&str, &[f64])]) -> Result<Figure> {
    let colours = series.iter().map(|(n, _)| model_colour(n)).collect();
    histogram(title, series, Bins::new(20).range(0.0, 1.0).colours(colours).x_desc("probability of the predicted class"))
}

/// Histograms of one layer's kernel weights in several models (e.g. before/after regularising).
pub fn weight_histograms(models: &[(&str, &TrainedModel)], layer: &str) -> Result<Figure> {
    let w: Vec<(String, Vec<f64>)> = models
        .iter()
        .map(|(n, m)| m.net.weights(layer).map(|(w, _)| (n.to_string(), w.into_iter().map(|v| v as f64).collect())))
        .collect::<Result<_>>()?;
    let series: Vec<(&str, &[f64])> = w.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
    let colours = models.iter().map(|(n, _)| model_colour(n)).collect();
    histogram(&format!("Weights of {layer}"), &series, Bins::new(40).range(-0.5, 0.5).colours(colours).x_desc("weight"))
}
