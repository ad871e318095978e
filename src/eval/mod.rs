//! Evaluation beyond loss and accuracy: an [`Interpretation`] of a model's predictions on a
//! dataset (fastai's `ClassificationInterpretation`), the [`metrics`] it is built from, and
//! soft-voting ensembles. (A model's own `predict` and `evaluate` are in `train::inference`.)
//!
//! ```no_run
//! use cnn_lab::prelude::*;
//! # let data = cnn_lab::lab::recipes::fashion().unwrap();
//! # let model = cnn_lab::lab::recipes::train("model1", &data).unwrap();
//! let interp = Interpretation::new(&model, &data.test).unwrap();
//! println!("{}", interp.report());
//! ```

pub mod interpretation;
pub mod metrics;
pub mod stats;

pub use interpretation::{mcnemar_table, Interpretation};
pub use stats::{accuracy_interval, mcnemar, McNemar};
pub use metrics::{
    class_report, class_scores, confidences, confusion_matrix, least_confident, mistakes, most_confused, normalize_rows, per_class_accuracy, predicted,
    top_losses, ClassScores,
};

use crate::data::Dataset;
use crate::train::{average_probabilities, TrainedModel};
use crate::util::error::Result;

/// A soft-voting ensemble: each model's [`TrainedModel::predict`] on `ds`, averaged.
///
/// ```no_run
/// # use cnn_lab::{eval, lab::recipes};
/// # let data = recipes::fashion().unwrap();
/// let (a, b) = (recipes::train("model4", &data).unwrap(), recipes::train("gap", &data).unwrap());
/// let probs = eval::predict_ensemble(&[&a, &b], &data.test).unwrap();
/// ```
pub fn predict_ensemble(models: &[&TrainedModel], ds: &Dataset) -> Result<Vec<Vec<f32>>> {
    let sets = models.iter().map(|m| m.predict(ds)).collect::<Result<Vec<_>>>()?;
    average_probabilities(&sets)
}

