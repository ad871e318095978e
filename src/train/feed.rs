//! Where a training step's batch comes from, and how often the loop reads results back.
//!
//! On the CPU a batch is gathered on the host and the loss is read after every step: both are
//! copies in memory. On a GPU each upload is a transfer and each read makes the host wait for the
//! device to finish everything queued, so [`Feed::Resident`] keeps the training set on the device
//! and sums the loss and accuracy there, reading them back every [`READ_EVERY`] steps.

use crate::data::{Augment, Dataset, Normalization};
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::mpsc;

/// How [`super::Trainer::fit`] feeds batches to the network (set with
/// [`super::Trainer::set_feed`]; not part of the config, so it never changes a run-cache key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Feed {
    /// [`Feed::Host`] on the CPU, [`Feed::RESIDENT`] on any other device.
    #[default]
    Auto,
    /// Each batch gathered (and augmented) on the host, normalised and uploaded; the loss and
    /// accuracy read back after every step. The CPU's path: its results are the committed ones.
    Host,
    /// The training set uploaded once per `fit`, four pixels packed in each 32-bit integer (the
    /// GPU shaders have no 8-bit integers, and 32-bit pixels would not fit a 128 MiB storage
    /// binding); each batch gathered, unpacked and normalised on the device, and augmented where
    /// `augment` says. Loss and accuracy are summed on the device and read back every
    /// [`READ_EVERY`] steps and at the end of the epoch, which is also when the batch callbacks
    /// (the progress bar) hear of them. A training set over [`RESIDENT_MAX_BYTES`] packed is fed
    /// from the host.
    Resident { augment: AugmentOn },
}

/// Where [`Feed::Resident`] augments a batch. Both draw the moves from the host's random stream,
/// so both give the host's pixels (on the CPU, the same bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AugmentOn {
    /// A background thread moves the pixels on the host while the device trains, and each
    /// augmented batch is uploaded (a batch of 128 is 100 KB).
    #[default]
    Thread,
    /// The host draws each image's moves (seven numbers, one small upload a batch) and the device
    /// moves the resident pixels ([`super::warp`]).
    Device,
}

impl Feed {
    /// The resident feed with augmentation on a background thread.
    pub const RESIDENT: Feed = Feed::Resident { augment: AugmentOn::Thread };
}

/// Steps between two reads of the running loss and accuracy in [`Feed::Resident`].
pub const READ_EVERY: usize = 50;

impl Feed {
    /// The feed actually used on `device`.
    pub fn resolve(self, device: &Device) -> Feed {
        match self {
            Feed::Auto if crate::util::device::is_cpu(device) => Feed::Host,
            Feed::Auto => Feed::RESIDENT,
            other => other,
        }
    }
}

/// A training set kept on the device: pixels packed four to an integer, and labels.
pub struct ResidentSet {
    words: Tensor<2, Int>,
    labels: Tensor<1, Int>,
    rows: usize,
    cols: usize,
}

/// The largest packed training set kept on a device: 128 MiB, the smallest storage binding
/// Vulkan drivers commonly allow (lavapipe's). A larger set is fed from the host.
pub const RESIDENT_MAX_BYTES: usize = 128 << 20;

impl ResidentSet {
    /// Whether `ds` packed fits in [`RESIDENT_MAX_BYTES`].
    pub fn fits(ds: &Dataset) -> bool {
        ds.len() * ds.pixels().div_ceil(4) * 4 <= RESIDENT_MAX_BYTES
    }

    /// Upload `ds` to `device` (one transfer of a quarter of the 32-bit size).
    pub fn upload(ds: &Dataset, device: &Device) -> Self {
        let w = ds.pixels().div_ceil(4);
        let mut words = Vec::with_capacity(ds.len() * w);
        for i in 0..ds.len() {
            words.extend(ds.image(i).chunks(4).map(|c| {
                let mut b = [0u8; 4];
                b[..c.len()].copy_from_slice(c);
                i32::from_le_bytes(b)
            }));
        }
        let labels: Vec<i32> = ds.labels.iter().map(|&l| l as i32).collect();
        Self {
            words: Tensor::from_data(TensorData::new(words, [ds.len(), w]), device),
            labels: Tensor::from_data(TensorData::new(labels, [ds.len()]), device),
            rows: ds.rows,
            cols: ds.cols,
        }
    }

    /// The images at `idx`, unpacked and normalised on the device: `[n, 1, rows, cols]`.
    pub fn images(&self, idx: &Tensor<1, Int>, norm: Normalization) -> Tensor<4> {
        network_input(self.pixels(idx), norm)
    }

    /// The images at `idx`, unpacked on the device, as pixel values 0–255: `[n, rows, cols]`.
    pub fn pixels(&self, idx: &Tensor<1, Int>) -> Tensor<3> {
        let [n] = idx.dims();
        let words = self.words.clone().select(0, idx.clone());
        let [_, w] = words.dims();
        // Byte k of word j is pixel 4j + k (little-endian packing in `upload`).
        let bytes: Vec<Tensor<2, Int>> =
            (0..4).map(|k| words.clone().bitwise_right_shift_scalar(8 * k).bitwise_and_scalar(255)).collect();
        let px = Tensor::stack::<3>(bytes, 2).reshape([n, w * 4]).slice([0..n, 0..self.rows * self.cols]).float();
        px.reshape([n, self.rows, self.cols])
    }

    /// The labels at `idx`.
    pub fn labels(&self, idx: &Tensor<1, Int>) -> Tensor<1, Int> {
        self.labels.clone().select(0, idx.clone())
    }
}

/// Pixel values 0–255, `[n, rows, cols]`, as the network's input `[n, 1, rows, cols]`:
/// [`Normalization::apply`] on a tensor, in the same order of operations.
pub fn network_input(px: Tensor<3>, norm: Normalization) -> Tensor<4> {
    let [n, rows, cols] = px.dims();
    let x = match norm {
        Normalization::Unit => px.div_scalar(255.0),
        Normalization::Centered => px.div_scalar(128.0).sub_scalar(0.5),
        Normalization::Standardize { mean, std } => px.sub_scalar(mean).div_scalar(std),
    };
    x.reshape([n, 1, rows, cols])
}

/// The epoch's order of images as one index tensor (one small upload per epoch).
pub fn order_tensor(batches: &[Vec<usize>], device: &Device) -> Tensor<1, Int> {
    let order: Vec<i32> = batches.iter().flatten().map(|&i| i as i32).collect();
    let n = order.len();
    Tensor::from_data(TensorData::new(order, [n]), device)
}

/// Run `body` with a source of augmented batches (pixel bytes, in `batches`' order) that a
/// background thread prepares while the device trains: the same random stream, so the same
/// pixels, as the host path. At most two batches wait ahead.
pub fn augment_in_background<R>(
    train: &Dataset,
    batches: &[Vec<usize>],
    augment: Augment,
    seed: u64,
    body: impl FnOnce(&mut dyn FnMut() -> Vec<u8>) -> R,
) -> R {
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(2);
        s.spawn(move || {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for idx in batches {
                let mut px = Vec::with_capacity(idx.len() * train.pixels());
                for &i in idx {
                    px.extend(augment.apply(train.image(i), train.rows, train.cols, &mut rng));
                }
                if tx.send(px).is_err() {
                    return; // the loop stopped early
                }
            }
        });
        // The worker only stops after its last batch or when `rx` is dropped, so it is there.
        let mut next = move || rx.recv().expect("augmentation thread sends every batch");
        body(&mut next)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::images_tensor;

    #[test]
    fn resident_images_are_the_host_images() {
        // 5×5 images: 25 pixels, not a multiple of four, so the last word is partly padding.
        let px: Vec<u8> = (0..7 * 25).map(|i| (i * 37 % 256) as u8).collect();
        let ds = Dataset::new(px, vec![0, 1, 2, 0, 1, 2, 0], 5, 5, vec!["a".into(), "b".into(), "c".into()]).unwrap();
        let device = crate::util::device::cpu();
        let set = ResidentSet::upload(&ds, &device);
        let idx = [6usize, 1, 5, 3];
        let t = Tensor::<1, Int>::from_data(TensorData::new(idx.iter().map(|&i| i as i32).collect::<Vec<_>>(), [4]), &device);
        for norm in [Normalization::Unit, Normalization::Centered, Normalization::Standardize { mean: 72.5, std: 80.0 }] {
            let host = crate::model::tensor_to_vec(images_tensor(&ds, &idx, norm, &device));
            let resident = crate::model::tensor_to_vec(set.images(&t, norm));
            assert_eq!(host, resident, "{norm:?}");
        }
        let labels = set.labels(&t).into_data().convert::<i64>().try_to_vec::<i64>().unwrap();
        assert_eq!(labels, vec![0, 1, 2, 0]);
    }
}
