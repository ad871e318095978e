//! Our own CPU kernels for burn's `flex` backend, plugged in through burn's backend-extension API
//! (`#[backend_extension(Flex, Autodiff)]` with a handwritten backward pass).
//!
//! flex has no convolution backward of its own: burn's generic fallback turns the gradients into
//! transposed convolutions and batch-swapped convolutions whose GEMMs are badly shaped and mostly
//! single-threaded. [`conv2d`] computes `act(conv(x, w) + b)` forward and backward with a few
//! large GEMMs per chunk of images instead, in parallel over the chunks. [`max_pool2d`],
//! [`batch_norm`] (with [`batch_norm_relu`]) and [`dropout()`] replace flex's serial scatter-add,
//! chains of element-wise ops and per-element random draws. Other devices (wgpu, cuda) keep
//! burn's own ops, and so does everything with `CNN_LAB_KERNELS=burn`.
//!
//! ```no_run
//! use cnn_lab::kernels::{conv2d, FusedAct};
//! # let (x, w, b): (burn::tensor::Tensor<4>, burn::tensor::Tensor<4>, burn::tensor::Tensor<1>) = todo!();
//! let y = conv2d(x, w, b, 1, Some(0.0)); // "same" 3x3 convolution + bias + ReLU
//! ```

mod autodiff;
use autodiff::max_pool_with_arg;
pub mod conv;
pub mod dropout;
pub mod norm;
pub mod pool;

pub use conv::{ConvGeom, FusedAct};

use std::mem::MaybeUninit;

/// A vector of `len` values that `fill` writes, without zeroing it first. Our ops overwrite
/// every element of their outputs, and `vec![0.0; len]` cost a memset pass over each
/// multi-megabyte tensor (about 7 % of a model1 training step).
///
/// # Safety
/// `fill` must write every one of the `len` elements.
pub(crate) unsafe fn written_vec<T>(len: usize, fill: impl FnOnce(&mut [MaybeUninit<T>])) -> Vec<T> {
    let mut v = Vec::with_capacity(len);
    fill(&mut v.spare_capacity_mut()[..len]);
    // SAFETY: the caller guarantees that `fill` initialised all `len` elements.
    unsafe { v.set_len(len) };
    v
}

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Autodiff, Backend, Dispatch, Flex};
use burn::nn::{BatchNorm, Dropout};
use burn::backend::TensorMetadata;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{DType, Device, Distribution, Shape, Tensor, TensorData};
use burn_flex::FlexTensor;
use std::sync::atomic::{AtomicU8, Ordering};

/// Whether `device` is the flex CPU device (with or without autodiff): where our kernels run.
pub fn is_flex(device: &Device) -> bool {
    device.clone().inner() == Device::flex()
}

/// 0: not decided yet (read `CNN_LAB_KERNELS`), 1: ours, 2: burn's.
static MODE: AtomicU8 = AtomicU8::new(0);

/// Whether [`conv2d`] uses our kernels on flex (the default) or burn's ops
/// (`CNN_LAB_KERNELS=burn`, or [`set_enabled`]`(false)`).
pub fn enabled() -> bool {
    match MODE.load(Ordering::Relaxed) {
        0 => {
            let on = std::env::var("CNN_LAB_KERNELS").as_deref() != Ok("burn");
            MODE.store(if on { 1 } else { 2 }, Ordering::Relaxed);
            on
        }
        m => m == 1,
    }
}

/// Switch our kernels on or off for the whole process (benchmarks compare both).
pub fn set_enabled(on: bool) {
    MODE.store(if on { 1 } else { 2 }, Ordering::Relaxed);
}

/// Run `f` with burn's own ops, then restore the previous choice.
pub fn with_burn_ops<R>(f: impl FnOnce() -> R) -> R {
    let before = enabled();
    set_enabled(false);
    let r = f();
    set_enabled(before);
    r
}

/// `act(conv2d(x, weight) + bias)` with stride 1 and `pad` zero pixels on each side: `x` is
/// `[n, c, h, w]`, `weight` `[k, c, kh, kw]`, `bias` `[k]`. On the flex CPU device this runs
/// [`conv`]'s kernels (and their gradients); elsewhere burn's `conv2d` and activations.
pub fn conv2d(x: Tensor<4>, weight: Tensor<4>, bias: Tensor<1>, pad: usize, act: FusedAct) -> Tensor<4> {
    if enabled() && is_flex(&x.device()) && x.dtype() == DType::F32 {
        let (code, slope) = encode(act);
        let y = <Dispatch as FastConv>::conv2d_bias_act(x.into_dispatch(), weight.into_dispatch(), bias.into_dispatch(), pad, code, slope);
        return Tensor::from_dispatch(y);
    }
    reference_conv2d(x, weight, bias, pad, act)
}

/// Max pooling over `size`×`size` windows with stride `size` (trailing rows and columns that do
/// not fill a window are dropped); our kernel on flex, burn's `max_pool2d` elsewhere.
pub fn max_pool2d(x: Tensor<4>, size: usize) -> Tensor<4> {
    if enabled() && is_flex(&x.device()) && x.dtype() == DType::F32 && size * size <= 256 {
        return Tensor::from_dispatch(<Dispatch as FastConv>::max_pool2d(x.into_dispatch(), size));
    }
    reference_max_pool2d(x, size)
}

/// burn's own max pooling (the reference).
pub fn reference_max_pool2d(x: Tensor<4>, size: usize) -> Tensor<4> {
    burn::nn::pool::MaxPool2dConfig::new([size, size]).init().forward(x)
}

/// A [`BatchNorm`] layer's forward pass. In training on flex (autodiff device, layer not
/// frozen) our fused kernel computes the batch statistics, the output and, later, the
/// gradients; the running statistics are updated exactly as burn's layer does. In inference on
/// flex (no autodiff) one pass applies the running statistics. Everywhere else (GPUs, frozen
/// layers on an autodiff device) this is burn's `BatchNorm::forward`.
pub fn batch_norm(m: &BatchNorm, x: Tensor<4>) -> Tensor<4> {
    match fused_batch_norm(m, x, false) {
        Ok(y) => y,
        Err(x) => m.forward(x),
    }
}

/// `relu(batch_norm(x))` in one kernel where [`batch_norm`] would use ours; otherwise `x` back
/// (`Err`), for the caller to run the two layers separately.
// The `Err` hands the input tensor back by value (moved, not copied); boxing it would allocate.
#[allow(clippy::result_large_err)]
pub fn batch_norm_relu(m: &BatchNorm, x: Tensor<4>) -> std::result::Result<Tensor<4>, Tensor<4>> {
    fused_batch_norm(m, x, true)
}

#[allow(clippy::result_large_err)]
fn fused_batch_norm(m: &BatchNorm, x: Tensor<4>, relu: bool) -> std::result::Result<Tensor<4>, Tensor<4>> {
    let device = x.device();
    if !(enabled() && is_flex(&device) && x.dtype() == DType::F32) {
        return Err(x);
    }
    if !device.is_autodiff() {
        // Inference: the running statistics, one pass, no graph.
        let y = <Dispatch as FastConv>::batch_norm_eval(
            x.into_dispatch(),
            m.gamma.val().into_dispatch(),
            m.beta.val().into_dispatch(),
            m.running_mean.value().into_dispatch(),
            m.running_var.value().into_dispatch(),
            m.epsilon,
            relu,
        );
        return Ok(Tensor::from_dispatch(y));
    }
    if !m.training.is_enabled() {
        return Err(x);
    }
    let (y, mean, var) = <Dispatch as FastConv>::batch_norm_train(
        x.into_dispatch(),
        m.gamma.val().into_dispatch(),
        m.beta.val().into_dispatch(),
        m.epsilon,
        relu,
    );
    let (mean, var) = (Tensor::<1>::from_dispatch(mean), Tensor::<1>::from_dispatch(var));
    let running = |state: &burn::module::RunningState<Tensor<1>>, batch: Tensor<1>| {
        let old = state.value_sync().to_device(&device);
        state.update(old.mul_scalar(1.0 - m.momentum).add(batch.detach().mul_scalar(m.momentum)).detach());
    };
    running(&m.running_mean, mean);
    running(&m.running_var, var);
    Ok(Tensor::from_dispatch(y))
}

/// burn's own training-mode batch norm output (the reference for tests).
pub fn reference_batch_norm_train(x: Tensor<4>, gamma: Tensor<1>, beta: Tensor<1>, epsilon: f64) -> Tensor<4> {
    burn::tensor::module::batch_norm_train(x, gamma, beta, epsilon).output
}

/// Our training-mode batch norm output alone (no running statistics), for tests.
pub fn batch_norm_train(x: Tensor<4>, gamma: Tensor<1>, beta: Tensor<1>, epsilon: f64) -> Tensor<4> {
    if !(enabled() && is_flex(&x.device())) {
        return reference_batch_norm_train(x, gamma, beta, epsilon);
    }
    let (y, _, _) = <Dispatch as FastConv>::batch_norm_train(x.into_dispatch(), gamma.into_dispatch(), beta.into_dispatch(), epsilon, false);
    Tensor::from_dispatch(y)
}

/// A [`Dropout`] layer's forward pass: identity outside training, as burn's layer; in training on
/// flex the mask comes from our parallel kernel, seeded from the device's random stream (so
/// `device.seed(s)` still fixes every mask); elsewhere burn's `Dropout::forward`.
pub fn dropout<const D: usize>(m: &Dropout, x: Tensor<D>) -> Tensor<D> {
    let device = x.device();
    if !(m.training.is_enabled() && device.is_autodiff() && m.prob > 0.0) {
        return x;
    }
    if !(enabled() && is_flex(&device) && x.dtype() == DType::F32) {
        return m.forward(x);
    }
    let draw = Tensor::<1>::random([2], Distribution::Uniform(0.0, 1.0), &device).into_data();
    let bits: Vec<u64> = draw.iter::<f32>().map(|v| v.to_bits() as u64).collect();
    let seed = bits[0] << 32 | bits[1];
    let mask = <Dispatch as FastConv>::dropout_mask(x.clone().into_dispatch(), m.prob as f32, seed);
    x * Tensor::from_dispatch(mask)
}

/// The same computation with burn's own ops (the reference for tests and benchmarks).
pub fn reference_conv2d(x: Tensor<4>, weight: Tensor<4>, bias: Tensor<1>, pad: usize, act: FusedAct) -> Tensor<4> {
    let y = burn::tensor::module::conv2d(x, weight, Some(bias), ConvOptions::new([1, 1], [pad, pad], [1, 1], 1));
    match act {
        None => y,
        Some(0.0) => burn::tensor::activation::relu(y),
        Some(s) => burn::tensor::activation::leaky_relu(y, s as f64),
    }
}

fn encode(act: FusedAct) -> (u8, f32) {
    match act {
        None => (0, 0.0),
        Some(s) => (1, s),
    }
}

fn decode(code: u8, slope: f32) -> FusedAct {
    (code != 0).then_some(slope)
}

/// The backend extension: one fused op, implemented for flex and for autodiff over flex.
#[backend_extension(Flex, Autodiff)]
pub trait FastConv: Backend {
    /// `act(conv2d(x, weight) + bias)`, stride 1, `pad` zeros on each side; `act` 0 is linear,
    /// 1 is leaky ReLU with `slope` (0 for ReLU).
    fn conv2d_bias_act(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        pad: usize,
        act: u8,
        slope: f32,
    ) -> FloatTensor<Self>;

    /// Max pooling over `size`×`size` windows with stride `size`.
    fn max_pool2d(x: FloatTensor<Self>, size: usize) -> FloatTensor<Self>;

    /// Inference-mode batch norm with the given statistics, then a ReLU when `relu`. Only for
    /// devices without autodiff (no gradient is recorded).
    fn batch_norm_eval(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        mean: FloatTensor<Self>,
        var: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self>;

    /// A dropout mask shaped like `x`: `1 / (1 - rate)` where kept, `0` where dropped (no
    /// gradient).
    fn dropout_mask(x: FloatTensor<Self>, rate: f32, seed: u64) -> FloatTensor<Self>;

    /// Training-mode batch norm of `[n, c, h, w]`, followed by a ReLU when `relu`: output,
    /// batch mean and biased variance (the statistics carry no gradient).
    fn batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

/// Contiguous `f32` data of a flex tensor (copies only when it is a strided view).
fn contiguous(t: FlexTensor) -> FlexTensor {
    if t.as_slice::<f32>().is_some() {
        t
    } else {
        t.to_contiguous()
    }
}

fn slice(t: &FlexTensor) -> &[f32] {
    t.as_slice::<f32>().expect("contiguous f32 flex tensor")
}

fn dims4(t: &FlexTensor, what: &str) -> [usize; 4] {
    let s = t.shape();
    assert_eq!(s.num_dims(), 4, "conv2d: {what} must be 4-D, got {s:?}");
    s.dims::<4>()
}

fn flex_tensor(data: Vec<f32>, shape: impl Into<Shape>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(data, shape.into()))
}

fn geometry(x: &FlexTensor, w: &FlexTensor, pad: usize) -> ConvGeom {
    ConvGeom::new(dims4(x, "input"), dims4(w, "weight"), pad).unwrap_or_else(|e| panic!("{e}"))
}

impl FastConv for Flex {
    fn conv2d_bias_act(x: FlexTensor, weight: FlexTensor, bias: FlexTensor, pad: usize, act: u8, slope: f32) -> FlexTensor {
        let (x, weight, bias) = (contiguous(x), contiguous(weight), contiguous(bias));
        let g = geometry(&x, &weight, pad);
        let y = conv::conv2d_forward(slice(&x), slice(&weight), slice(&bias), &g, decode(act, slope));
        flex_tensor(y, g.out_shape())
    }

    fn max_pool2d(x: FlexTensor, size: usize) -> FlexTensor {
        max_pool_with_arg(x, size).0
    }

    fn batch_norm_eval(
        x: FlexTensor,
        gamma: FlexTensor,
        beta: FlexTensor,
        mean: FlexTensor,
        var: FlexTensor,
        epsilon: f64,
        relu: bool,
    ) -> FlexTensor {
        let x = contiguous(x);
        let [n, c, h, w] = dims4(&x, "batch_norm input");
        let [gamma, beta, mean, var] = [gamma, beta, mean, var].map(contiguous);
        let y = norm::normalize(slice(&x), c, h * w, slice(&mean), slice(&var), slice(&gamma), slice(&beta), epsilon as f32, relu);
        flex_tensor(y, [n, c, h, w])
    }

    fn dropout_mask(x: FlexTensor, rate: f32, seed: u64) -> FlexTensor {
        let shape = x.shape();
        flex_tensor(dropout::mask(shape.num_elements(), rate, seed), shape)
    }

    fn batch_norm_train(x: FlexTensor, gamma: FlexTensor, beta: FlexTensor, epsilon: f64, relu: bool) -> (FlexTensor, FlexTensor, FlexTensor) {
        let (x, gamma, beta) = (contiguous(x), contiguous(gamma), contiguous(beta));
        let [n, c, h, w] = dims4(&x, "batch_norm input");
        let (mean, var) = norm::channel_stats(slice(&x), n, c, h * w);
        let y = norm::normalize(slice(&x), c, h * w, &mean, &var, slice(&gamma), slice(&beta), epsilon as f32, relu);
        (flex_tensor(y, [n, c, h, w]), flex_tensor(mean, [c]), flex_tensor(var, [c]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: u32) -> Vec<f32> {
        (0..n).map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) >> 9) as f32 / 4_194_304.0 - 1.0).collect()
    }

    /// Every kernel, run inside a pool of `threads` threads.
    fn all_outputs(threads: usize) -> Vec<Vec<f32>> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let g = ConvGeom::new([37, 6, 11, 9], [10, 6, 3, 3], 1).unwrap();
            let (x, w, b) = (data(37 * 6 * 99, 1), data(10 * 54, 2), data(10, 3));
            let y = conv::conv2d_forward(&x, &w, &b, &g, Some(0.0));
            let dy = data(y.len(), 4);
            let (dx, dw, db) = conv::conv2d_backward(&x, &w, &y, &dy, &g, Some(0.0), true);
            let (mean, var) = norm::channel_stats(&x, 37, 6, 99);
            let (dxn, dgamma, dbeta) = norm::backward(&x, &x, 37, 6, 99, &mean, &var, &b[..6], 1e-3);
            let (p, arg) = pool::max_pool_forward(&x, 37 * 6, 11, 9, 2);
            let dp = pool::max_pool_backward(&p, &arg, 37 * 6, 11, 9, 2);
            vec![y, dx.unwrap(), dw, db, mean, var, dxn, dgamma, dbeta, p, dp]
        })
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let one = all_outputs(1);
        for threads in [2, 5] {
            assert!(one == all_outputs(threads), "{threads} threads differ from one");
        }
    }
}
