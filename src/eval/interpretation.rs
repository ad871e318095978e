//! fastai's `ClassificationInterpretation`: a model's predictions on a dataset computed once,
//! then every view of them (confusion matrix, most confused pairs, top losses, least confident
//! images, mistakes, a per-class report).

use super::metrics;
use crate::data::Dataset;
use crate::train::{evaluation_of, Evaluation, PredictOptions, TrainedModel};
use crate::util::error::{Error, Result};

/// Predictions, losses and class names of one model (or ensemble) on one dataset.
#[derive(Clone, Debug)]
pub struct Interpretation {
    /// Class probabilities, one row per image.
    pub probs: Vec<Vec<f32>>,
    /// The true labels.
    pub labels: Vec<u8>,
    /// The most probable class of each image.
    pub predicted: Vec<usize>,
    /// Each image's cross-entropy loss (probabilities floored at 1e-7).
    pub losses: Vec<f64>,
    pub class_names: Vec<String>,
}

impl Interpretation {
    /// Predict `ds` with `model` once.
    pub fn new(model: &TrainedModel, ds: &Dataset) -> Result<Self> {
        Self::with_options(model, ds, PredictOptions::default())
    }

    /// [`Interpretation::new`] with prediction options (test-time mirroring).
    pub fn with_options(model: &TrainedModel, ds: &Dataset, opts: PredictOptions) -> Result<Self> {
        Self::from_probabilities(model.predict_with(ds, opts)?, ds)
    }

    /// From probabilities computed elsewhere (an ensemble's, say), one row per image of `ds`.
    pub fn from_probabilities(probs: Vec<Vec<f32>>, ds: &Dataset) -> Result<Self> {
        let classes = ds.num_classes();
        if probs.len() != ds.len() || probs.iter().any(|p| p.len() != classes) {
            return Err(Error::invalid(format!("{} probability rows for {} images of {classes} classes", probs.len(), ds.len())));
        }
        let losses = probs.iter().zip(&ds.labels).map(|(p, &l)| -(p[l as usize].max(1e-7) as f64).ln()).collect();
        Ok(Self { predicted: metrics::predicted(&probs), probs, labels: ds.labels.clone(), losses, class_names: ds.class_names.clone() })
    }

    /// Whether each image was classified right.
    pub fn correct(&self) -> Vec<bool> {
        self.predicted.iter().zip(&self.labels).map(|(&p, &l)| p == l as usize).collect()
    }

    /// McNemar's paired test of this model against `other` on the same images (this one is
    /// "A"): `interp_a.mcnemar(&interp_b)?.p_value`.
    pub fn mcnemar(&self, other: &Interpretation) -> Result<super::McNemar> {
        if self.labels != other.labels {
            return Err(Error::invalid("McNemar's test needs both interpretations of the same images"));
        }
        super::stats::mcnemar_paired(&self.correct(), &other.correct())
    }

    /// Mean loss and accuracy.
    pub fn evaluation(&self) -> Evaluation {
        evaluation_of(&self.probs, &self.labels)
    }

    /// Counts `m[true][predicted]`.
    pub fn confusion_matrix(&self) -> Vec<Vec<usize>> {
        metrics::confusion_matrix(&self.labels, &self.predicted, self.class_names.len())
    }

    /// Accuracy of each class.
    pub fn per_class_accuracy(&self) -> Vec<f64> {
        metrics::per_class_accuracy(&self.confusion_matrix())
    }

    /// `(true class, predicted class, count)` of every confusion with at least `min` images,
    /// most frequent first.
    pub fn most_confused(&self, min: usize) -> Vec<(usize, usize, usize)> {
        metrics::most_confused(&self.confusion_matrix(), min)
    }

    /// The `n` images with the highest loss, worst first, as `(index, loss)`.
    pub fn top_losses(&self, n: usize) -> Vec<(usize, f64)> {
        let mut v: Vec<(usize, f64)> = self.losses.iter().copied().enumerate().collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }

    /// The `n` images with the lowest top probability, least confident first.
    pub fn least_confident(&self, n: usize) -> Vec<usize> {
        metrics::least_confident(&self.probs, n)
    }

    /// Indices of the misclassified images.
    pub fn mistakes(&self) -> Vec<usize> {
        metrics::mistakes(&self.probs, &self.labels)
    }

    /// The top probability of every prediction.
    pub fn confidences(&self) -> Vec<f32> {
        metrics::confidences(&self.probs)
    }

    /// Precision, recall, F1 and support per class, then the macro averages, as text.
    pub fn report(&self) -> String {
        metrics::class_report(&self.confusion_matrix(), &self.class_names)
    }
}

/// McNemar's test of each model against `base` on the same images, as a table: how many images
/// each gets right where the other is wrong, the exact p-value, and whether p < 0.05.
///
/// ```no_run
/// # use cnn_lab::prelude::*;
/// # let data = cnn_lab::lab::recipes::fashion().unwrap();
/// # let (m1, m2) = (cnn_lab::lab::recipes::train("model1", &data).unwrap(), cnn_lab::lab::recipes::train("model2", &data).unwrap());
/// let table = cnn_lab::eval::mcnemar_table("model1", &m1, &[("model2", &m2)], &data.test).unwrap();
/// ```
pub fn mcnemar_table(base_label: &str, base: &TrainedModel, others: &[(&str, &TrainedModel)], ds: &Dataset) -> Result<crate::plot::Markdown> {
    let base_interp = Interpretation::new(base, ds)?;
    let mut s = format!(
        "| model | right where {base_label} is wrong | wrong where {base_label} is right | p (McNemar) | significant |\n|---|---:|---:|---|---|\n"
    );
    for (label, m) in others {
        let t = Interpretation::new(m, ds)?.mcnemar(&base_interp)?;
        let verdict = if t.significant() { "yes" } else { "no" };
        s += &format!("| {label} | {} | {} | {} | {verdict} |\n", t.only_a, t.only_b, super::stats::format_p(t.p_value));
    }
    Ok(crate::plot::Markdown(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_agrees_with_the_metrics() {
        let ds = Dataset::new(vec![0; 4 * 4], vec![0, 0, 1, 1], 2, 2, vec!["a".into(), "b".into()]).unwrap();
        let probs = vec![vec![0.9, 0.1], vec![0.3, 0.7], vec![0.2, 0.8], vec![0.6, 0.4]];
        let i = Interpretation::from_probabilities(probs.clone(), &ds).unwrap();
        assert_eq!(i.predicted, vec![0, 1, 1, 0]);
        assert_eq!(i.confusion_matrix(), vec![vec![1, 1], vec![1, 1]]);
        assert_eq!(i.mistakes(), vec![1, 3]);
        assert_eq!(i.top_losses(4), metrics::top_losses(&probs, &ds.labels, 4));
        assert_eq!(i.most_confused(1), vec![(0, 1, 1), (1, 0, 1)]);
        assert_eq!(i.evaluation().accuracy, 0.5);
        assert!(Interpretation::from_probabilities(vec![vec![1.0, 0.0]], &ds).is_err());
    }
}
