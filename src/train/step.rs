//! The loss and the counts a training step and a validation pass need.

use crate::data::{Dataset, Normalization};
use crate::model::tensor::inference_batches;
use crate::model::{tensor_to_vec, Net};
use crate::util::argmax;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};

/// `labels` as one-hot rows `[n, classes]`.
pub fn one_hot(labels: &[u8], classes: usize, device: &Device) -> Tensor<2> {
    let mut v = vec![0f32; labels.len() * classes];
    for (i, &l) in labels.iter().enumerate() {
        v[i * classes + l as usize] = 1.0;
    }
    Tensor::from_data(TensorData::new(v, [labels.len(), classes]), device)
}

/// Mean cross-entropy of `logits` against one-hot `targets`.
pub fn cross_entropy(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    let [b, _] = logits.dims();
    (log_softmax(logits, 1) * targets).sum().mul_scalar(-1.0 / b as f32)
}

/// Count of rows whose arg-max equals the label.
pub fn count_correct(logits: &[f32], labels: &[u8], classes: usize) -> usize {
    logits
        .chunks(classes)
        .zip(labels)
        .filter(|(row, &l)| argmax(row) == l as usize)
        .count()
}

/// Loss and accuracy of `net` (an inference module) on `ds`, one device read per batch.
pub fn evaluate_net(net: &Net, ds: &Dataset, norm: Normalization, device: &Device) -> (f64, f64) {
    let classes = ds.num_classes();
    let (mut loss, mut correct) = (0f64, 0usize);
    for (range, x) in inference_batches(ds, norm, device) {
        let logits = net.forward(x);
        let labels = &ds.labels[range];
        let l = cross_entropy(logits.clone(), one_hot(labels, classes, device));
        // The batch's loss and logits in one read: a GPU waits once per batch, not twice.
        let both = tensor_to_vec(Tensor::cat(vec![l, logits.flatten(0, 1)], 0));
        loss += both[0] as f64 * labels.len() as f64;
        correct += count_correct(&both[1..], labels, classes);
    }
    let n = ds.len().max(1) as f64;
    (loss / n, correct as f64 / n)
}
