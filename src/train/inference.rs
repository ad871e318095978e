//! What a trained model computes on data: probabilities, loss and accuracy, any layer's output.

use super::step::evaluate_net;
use super::TrainedModel;
use crate::data::Dataset;
use crate::model::tensor::inference_batches;
use crate::model::{tensor_to_vec, Activation};
use crate::util::argmax;
use crate::util::error::{Error, Result};
use burn::tensor::activation::softmax;

/// Loss and accuracy of a model on a dataset, and how many images they were measured on (for an
/// interval: `cnn_lab::eval::stats::interval`).
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub loss: f64,
    pub accuracy: f64,
    pub images: usize,
}

/// How [`TrainedModel::predict_with`] predicts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PredictOptions {
    /// Test-time mirroring: average the probabilities of each image and of its mirror image
    /// (for networks trained on mirrored images, `Augment::MIRROR_CROP`).
    pub mirror: bool,
}

impl TrainedModel {
    /// An error unless `ds` has this model's image size and number of classes.
    pub fn check_data(&self, ds: &Dataset) -> Result<()> {
        if ds.num_classes() != self.class_names.len() || (ds.rows, ds.cols) != self.config.spec.input {
            return Err(Error::invalid(format!(
                "dataset ({} classes, {}x{}) does not fit the model ({} classes, {:?})",
                ds.num_classes(), ds.rows, ds.cols, self.class_names.len(), self.config.spec.input
            )));
        }
        Ok(())
    }

    /// One byte image as a one-image dataset, checked against the model's input size.
    pub fn image_dataset(&self, px: &[u8]) -> Result<Dataset> {
        let (h, w) = self.config.spec.input;
        if px.len() != h * w {
            return Err(Error::invalid(format!("image has {} pixels, the model expects {h}x{w}", px.len())));
        }
        Dataset::new(px.to_vec(), vec![0], h, w, self.class_names.clone())
    }

    /// Loss and accuracy on `ds`.
    pub fn evaluate(&self, ds: &Dataset) -> Result<Evaluation> {
        self.evaluate_with(ds, PredictOptions::default())
    }

    /// Loss and accuracy of [`TrainedModel::predict_with`]'s probabilities.
    pub fn evaluate_with(&self, ds: &Dataset, opts: PredictOptions) -> Result<Evaluation> {
        self.check_data(ds)?;
        if opts == PredictOptions::default() {
            let (loss, accuracy) = evaluate_net(&self.net, ds, self.normalization, &self.device);
            return Ok(Evaluation { loss, accuracy, images: ds.len() });
        }
        Ok(evaluation_of(&self.predict_with(ds, opts)?, &ds.labels))
    }

    /// Class probabilities, one row of `classes` values per image.
    pub fn predict(&self, ds: &Dataset) -> Result<Vec<Vec<f32>>> {
        self.check_data(ds)?;
        let mut out = Vec::with_capacity(ds.len());
        for (_, x) in inference_batches(ds, self.normalization, &self.device) {
            let p = tensor_to_vec(softmax(self.net.forward(x), 1));
            out.extend(p.chunks(self.class_names.len()).map(|r| r.to_vec()));
        }
        Ok(out)
    }

    /// Class probabilities with options (test-time mirroring).
    pub fn predict_with(&self, ds: &Dataset, opts: PredictOptions) -> Result<Vec<Vec<f32>>> {
        match opts.mirror {
            false => self.predict(ds),
            true => average_probabilities(&[self.predict(ds)?, self.predict(&ds.mirrored())?]),
        }
    }

    /// Probabilities for one byte image of the model's input size.
    pub fn predict_image(&self, px: &[u8]) -> Result<Vec<f32>> {
        Ok(self.predict(&self.image_dataset(px)?)?.remove(0))
    }

    /// The output of layer `index` (flattened) for every image of `ds`: one row per image.
    pub fn layer_vectors(&self, ds: &Dataset, index: usize) -> Result<Vec<Vec<f32>>> {
        self.check_data(ds)?;
        let mut out = Vec::with_capacity(ds.len());
        for (_, x) in inference_batches(ds, self.normalization, &self.device) {
            let t = match self.net.forward_until(x, index)? {
                Activation::Flat(t) => t,
                Activation::Maps(t) => t.flatten(1, 3),
            };
            let [_, d] = t.dims();
            out.extend(tensor_to_vec(t).chunks(d).map(|r| r.to_vec()));
        }
        Ok(out)
    }
}

/// Soft voting: the probabilities of several models (or views) for the same images, averaged
/// row by row. Errors when the sets differ in length or row width.
pub fn average_probabilities(sets: &[Vec<Vec<f32>>]) -> Result<Vec<Vec<f32>>> {
    let first = sets.first().ok_or_else(|| Error::invalid("no probabilities to average"))?;
    for (i, s) in sets.iter().enumerate() {
        if s.len() != first.len() || s.iter().zip(first).any(|(a, b)| a.len() != b.len()) {
            return Err(Error::invalid(format!(
                "probability set {i} has {} rows of a different shape than set 0 ({} rows)",
                s.len(), first.len()
            )));
        }
    }
    let k = sets.len() as f32;
    Ok((0..first.len())
        .map(|r| (0..first[r].len()).map(|c| sets.iter().map(|s| s[r][c]).sum::<f32>() / k).collect())
        .collect())
}

/// Loss (mean cross-entropy, probabilities floored at 1e-7 as Keras clips them) and accuracy of
/// probability rows against labels.
pub fn evaluation_of(probs: &[Vec<f32>], labels: &[u8]) -> Evaluation {
    let images = probs.len().min(labels.len());
    let n = images.max(1) as f64;
    let loss: f64 = probs.iter().zip(labels).map(|(p, &l)| -(p[l as usize].max(1e-7) as f64).ln()).sum();
    let right = probs.iter().zip(labels).filter(|(p, &l)| argmax(p) == l as usize).count();
    Evaluation { loss: loss / n, accuracy: right as f64 / n, images }
}
