//! GAP "barcodes": the global-average-pooling vector of each image, class means, de-trending.

use crate::train::TrainedModel;
use crate::util::error::{Error, Result};
use crate::data::Dataset;

/// The global-average-pooling vector ("barcode") of every image in `ds`, one row per image.
pub fn gap_vectors(model: &TrainedModel, ds: &Dataset) -> Result<Vec<Vec<f32>>> {
    let g = model.config.spec.gap_layer().ok_or_else(|| Error::invalid(format!("{} has no global average pooling layer", model.config.spec.name)))?;
    model.layer_vectors(ds, g)
}

/// Element-wise mean of the rows.
pub fn mean_vector(rows: &[Vec<f32>]) -> Vec<f32> {
    let d = rows.first().map(|r| r.len()).unwrap_or(0);
    let mut m = vec![0f32; d];
    for r in rows {
        m.iter_mut().zip(r).for_each(|(a, b)| *a += b);
    }
    m.iter_mut().for_each(|a| *a /= rows.len().max(1) as f32);
    m
}

/// Mean barcode of each class (rows = classes).
pub fn class_means(rows: &[Vec<f32>], labels: &[u8], classes: usize) -> Vec<Vec<f32>> {
    (0..classes)
        .map(|c| {
            let sel: Vec<Vec<f32>> = rows.iter().zip(labels).filter(|(_, &l)| l as usize == c).map(|(r, _)| r.clone()).collect();
            mean_vector(&sel)
        })
        .collect()
}

/// Each row minus `mean` (the "de-trended" barcode).
pub fn detrend(rows: &[Vec<f32>], mean: &[f32]) -> Vec<Vec<f32>> {
    rows.iter().map(|r| r.iter().zip(mean).map(|(a, b)| a - b).collect()).collect()
}
