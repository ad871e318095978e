//! Moving data between bytes, `Vec`s and tensors.

use crate::data::{Dataset, Normalization};
use burn::tensor::{Device, Tensor, TensorData};

/// Device-to-host reads made through [`tensor_to_vec`] in this process. On a GPU each read
/// waits until the device has finished everything queued before it, so a training loop should
/// make few of them; the tests count them.
pub fn device_reads() -> usize {
    READS.load(std::sync::atomic::Ordering::Relaxed)
}

static READS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Copy an f32 tensor to a `Vec` (any rank). This is a device-to-host read (see [`device_reads`]).
pub fn tensor_to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let data = t.into_data().convert::<f32>();
    data.as_slice::<f32>().map(|s| s.to_vec()).unwrap_or_default()
}

/// Images at `idx` as a normalised `[n, 1, rows, cols]` tensor.
pub fn images_tensor(ds: &Dataset, idx: &[usize], norm: Normalization, device: &Device) -> Tensor<4> {
    let mut v = Vec::with_capacity(idx.len() * ds.pixels());
    for &i in idx {
        v.extend(ds.image(i).iter().map(|&p| norm.apply(p as f32)));
    }
    Tensor::from_data(TensorData::new(v, [idx.len(), 1, ds.rows, ds.cols]), device)
}

/// Pixel bytes of `n` images as a normalised `[n, 1, rows, cols]` tensor.
pub fn bytes_tensor(px: &[u8], n: usize, rows: usize, cols: usize, norm: Normalization, device: &Device) -> Tensor<4> {
    let v: Vec<f32> = px.iter().map(|&p| norm.apply(p as f32)).collect();
    Tensor::from_data(TensorData::new(v, [n, 1, rows, cols]), device)
}

/// Images per batch when a model runs over a whole dataset without training.
pub const INFERENCE_BATCH: usize = 500;

/// The images of `ds` in batches of [`INFERENCE_BATCH`], as normalised tensors, each with the
/// range of indices it holds.
pub fn inference_batches<'a>(ds: &'a Dataset, norm: Normalization, device: &'a Device) -> impl Iterator<Item = (std::ops::Range<usize>, Tensor<4>)> + 'a {
    (0..ds.len()).step_by(INFERENCE_BATCH).map(move |start| {
        let range = start..(start + INFERENCE_BATCH).min(ds.len());
        let idx: Vec<usize> = range.clone().collect();
        (range, images_tensor(ds, &idx, norm, device))
    })
}
