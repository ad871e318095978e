//! Datasets: the [`Dataset`] type (splits, batches, subsets), its [`Normalization`] into network
//! inputs, [`augment`]ation, the IDX and CSV [`readers`], and the [`sources`] that find (or
//! download) Fashion-MNIST and MNIST digits. Knows nothing of models or training.
//!
//! ```no_run
//! let (train, test) = cnn_lab::data::fashion_mnist().unwrap();
//! assert_eq!(train.len(), 60_000);
//! ```

use crate::util::error::{Error, Result};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Fashion-MNIST's ten class names, in label order.
pub const FASHION_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// Labelled greyscale images, stored as bytes (N × rows × cols, row-major).
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Pixels, `len() * rows * cols` bytes.
    pub images: Vec<u8>,
    /// One label per image, `< class_names.len()`.
    pub labels: Vec<u8>,
    pub rows: usize,
    pub cols: usize,
    /// Human-readable class names, indexed by label.
    pub class_names: Vec<String>,
}

impl Dataset {
    /// Build a dataset, checking that sizes and labels agree.
    pub fn new(
        images: Vec<u8>,
        labels: Vec<u8>,
        rows: usize,
        cols: usize,
        class_names: Vec<String>,
    ) -> Result<Self> {
        let px = rows * cols;
        if px == 0 || !images.len().is_multiple_of(px) || images.len() / px != labels.len() {
            return Err(Error::invalid(format!(
                "dataset: {} pixel bytes do not make {} images of {rows}x{cols}",
                images.len(),
                labels.len()
            )));
        }
        if let Some(&l) = labels.iter().find(|&&l| l as usize >= class_names.len()) {
            return Err(Error::invalid(format!(
                "dataset: label {l} but only {} classes",
                class_names.len()
            )));
        }
        Ok(Self {
            images,
            labels,
            rows,
            cols,
            class_names,
        })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.class_names.len()
    }
    /// Pixels per image.
    pub fn pixels(&self) -> usize {
        self.rows * self.cols
    }
    /// The pixels of image `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        let p = self.pixels();
        &self.images[i * p..(i + 1) * p]
    }
    /// A new dataset with the images at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        let mut images = Vec::with_capacity(indices.len() * self.pixels());
        for &i in indices {
            images.extend_from_slice(self.image(i));
        }
        Dataset {
            images,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            rows: self.rows,
            cols: self.cols,
            class_names: self.class_names.clone(),
        }
    }
    /// Every image mirrored left-right (labels unchanged), for test-time mirroring.
    pub fn mirrored(&self) -> Dataset {
        let mut images = self.images.clone();
        for row in images.chunks_mut(self.cols.max(1)) {
            row.reverse();
        }
        Dataset { images, ..self.clone() }
    }
    /// The first `n` images (all of them if `n` is larger).
    pub fn subset(&self, n: usize) -> Dataset {
        let idx: Vec<usize> = (0..n.min(self.len())).collect();
        self.select(&idx)
    }
    /// Images per class, indexed by label.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut c = vec![0; self.num_classes()];
        for &l in &self.labels {
            c[l as usize] += 1;
        }
        c
    }
    /// Indices of the images with label `class`.
    pub fn indices_of(&self, class: usize) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.labels[i] as usize == class)
            .collect()
    }

    /// Seeded train/validation split: `fraction` of the images go to validation.
    /// `stratified` keeps each class's share the same in both parts.
    pub fn split(&self, fraction: f64, seed: u64, stratified: bool) -> Result<(Dataset, Dataset)> {
        if !(0.0..1.0).contains(&fraction) {
            return Err(Error::invalid(format!(
                "split: validation fraction must be in [0, 1), got {fraction}"
            )));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut train, mut val) = (Vec::new(), Vec::new());
        let groups: Vec<Vec<usize>> = if stratified {
            (0..self.num_classes()).map(|c| self.indices_of(c)).collect()
        } else {
            vec![(0..self.len()).collect()]
        };
        for mut g in groups {
            g.shuffle(&mut rng);
            let n_val = (g.len() as f64 * fraction).round() as usize;
            val.extend_from_slice(&g[..n_val]);
            train.extend_from_slice(&g[n_val..]);
        }
        train.sort_unstable();
        val.sort_unstable();
        Ok((self.select(&train), self.select(&val)))
    }

    /// Index batches for one epoch, shuffled by `(seed, epoch)`; the last batch may be short.
    pub fn batches(&self, batch_size: usize, seed: u64, epoch: usize) -> Vec<Vec<usize>> {
        let mut idx: Vec<usize> = (0..self.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9));
        idx.shuffle(&mut rng);
        idx.chunks(batch_size.max(1)).map(|c| c.to_vec()).collect()
    }

    /// Mean and standard deviation of all pixel values (0–255 scale).
    pub fn pixel_stats(&self) -> (f32, f32) {
        let n = self.images.len().max(1) as f64;
        let mean = self.images.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = self
            .images
            .iter()
            .map(|&v| (v as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        (mean as f32, var.sqrt().max(1e-6) as f32)
    }

    /// Mean image of class `class` (0–255 scale), `rows*cols` values.
    pub fn mean_image(&self, class: usize) -> Vec<f32> {
        let idx = self.indices_of(class);
        let mut m = vec![0f32; self.pixels()];
        for &i in &idx {
            for (a, &v) in m.iter_mut().zip(self.image(i)) {
                *a += v as f32;
            }
        }
        let n = idx.len().max(1) as f32;
        m.iter_mut().for_each(|v| *v /= n);
        m
    }
}

pub mod augment;
pub mod normalization;
pub mod readers;
pub mod sources;

pub use augment::Augment;
pub use normalization::Normalization;
pub use readers::{
    digit_classes, digits_csv_from_bytes, idx_images_from_bytes, idx_labels_from_bytes, read_digits_csv, read_idx_images,
    read_idx_labels, read_idx_pair,
};
pub use sources::{data_dir, download, fashion_mnist, fashion_mnist_from, locate_fashion_mnist, mnist_digits, sample_images};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrored_reverses_every_row_and_twice_is_identity() {
        let ds = Dataset::new((0..24).collect(), vec![0, 1], 3, 4, vec!["a".into(), "b".into()]).unwrap();
        let m = ds.mirrored();
        assert_eq!(&m.images[..8], &[3, 2, 1, 0, 7, 6, 5, 4]);
        assert_eq!(m.image(1)[..4], [15, 14, 13, 12]);
        assert_eq!(m.labels, ds.labels);
        assert_eq!(m.mirrored().images, ds.images);
    }

    #[test]
    fn split_is_seeded_and_stratified() {
        let labels: Vec<u8> = (0..100).map(|i| (i % 10) as u8).collect();
        let ds = Dataset::new(vec![0; 100 * 4], labels, 2, 2, digit_classes()).unwrap();
        let (a, b) = ds.split(0.2, 1, true).unwrap();
        assert_eq!((a.len(), b.len()), (80, 20));
        assert!(b.class_counts().iter().all(|&c| c == 2));
        let (a2, _) = ds.split(0.2, 1, true).unwrap();
        assert_eq!(a.labels, a2.labels);
    }

    #[test]
    fn batches_cover_everything_once() {
        let ds = Dataset::new(vec![0; 10], vec![0; 10], 1, 1, digit_classes()).unwrap();
        let b = ds.batches(3, 7, 0);
        assert_eq!(b.len(), 4);
        let mut all: Vec<usize> = b.concat();
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_ne!(ds.batches(3, 7, 0), ds.batches(3, 7, 1));
    }
}

