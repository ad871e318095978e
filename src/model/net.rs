//! The burn module a [`ModelSpec`] builds, and its forward pass (our CPU kernels where they
//! apply, burn's ops elsewhere).

use super::tensor::tensor_to_vec;
use super::{Act, LayerSpec, ModelSpec, Shape};
use crate::data::Normalization;
use crate::util::error::{Error, Result};
use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Initializer, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::ops::PadMode;
use burn::tensor::{Device, Tensor};

impl ModelSpec {
    /// Build the burn module on `device` (seed the device first for reproducible weights).
    pub fn build(&self, device: &Device) -> Net {
        self.try_build(device).expect("invalid model spec")
    }

    /// Build the burn module, or say why the spec is invalid. `Pad` layers pad with the default
    /// normalisation's background; [`Net::with_pad_value`] sets another's.
    pub fn try_build(&self, device: &Device) -> Result<Net> {
        let rows = self.rows()?;
        let mut in_shape = Shape::Map(1, self.input.0, self.input.1);
        let mut layers = Vec::with_capacity(self.layers.len());
        // Keras' defaults: Glorot-uniform kernels and zero biases.
        let glorot = Initializer::XavierUniform { gain: 1.0 };
        for (l, row) in self.layers.iter().zip(&rows) {
            let layer = match (l, in_shape) {
                (LayerSpec::Conv { filters, kernel, same, .. }, Shape::Map(c, _, _)) => {
                    let mut m = Conv2dConfig::new([c, *filters], [*kernel, *kernel])
                        .with_padding(if *same { PaddingConfig2d::Same } else { PaddingConfig2d::Valid })
                        .with_initializer(glorot.clone())
                        .init(device);
                    m.bias = Some(Param::from_tensor(Tensor::zeros([*filters], device)));
                    Some(Layer::Conv(m))
                }
                (LayerSpec::BatchNorm, Shape::Map(c, _, _)) => {
                    // Keras' BatchNormalization momentum 0.99 is burn's 0.01 (weight of the new batch).
                    Some(Layer::Norm(BatchNormConfig::new(c).with_momentum(0.01).with_epsilon(1e-3).init(device)))
                }
                (LayerSpec::Dense { units, .. }, Shape::Flat(n)) => {
                    let mut m = LinearConfig::new(n, *units).with_initializer(glorot.clone()).init(device);
                    m.bias = Some(Param::from_tensor(Tensor::zeros([*units], device)));
                    Some(Layer::Dense(m))
                }
                (LayerSpec::MaxPool { size }, _) => Some(Layer::Pool(MaxPool2dConfig::new([*size, *size]).init())),
                (LayerSpec::Dropout { rate }, _) => Some(Layer::Dropout(DropoutConfig::new(*rate as f64).init())),
                _ => None,
            };
            layers.push(layer);
            in_shape = row.shape;
        }
        Ok(Net { layers, spec: self.clone(), pad_value: Normalization::default().background() })
    }
}

/// A conv layer with its activation: fused in one kernel ([`crate::kernels::conv2d`]) when the
/// padding is symmetric and the activation keeps the sign of its input, else burn's ops.
fn conv_layer(m: &Conv2d, x: Tensor<4>, act: Act, kernel: usize, same: bool) -> Tensor<4> {
    let fused = match act {
        Act::Linear => Some(None),
        Act::Relu => Some(Some(0.0)),
        Act::LeakyRelu(a) if a >= 0.0 => Some(Some(a)),
        Act::LeakyRelu(_) => None,
    };
    match (fused, &m.bias) {
        (Some(f), Some(b)) if !same || kernel % 2 == 1 => {
            crate::kernels::conv2d(x, m.weight.val(), b.val(), if same { kernel / 2 } else { 0 }, f)
        }
        _ => act.apply(m.forward(x)),
    }
}

/// The burn modules that hold parameters or training state.
#[derive(Module, Debug)]
pub enum Layer {
    Conv(Conv2d),
    Norm(BatchNorm),
    Dense(Linear),
    Pool(MaxPool2d),
    Dropout(Dropout),
}

/// An intermediate activation: a stack of feature maps or a vector per image.
#[derive(Clone, Debug)]
pub enum Activation {
    Maps(Tensor<4>),
    Flat(Tensor<2>),
}

/// The network built from a [`ModelSpec`]: the same code on every device.
#[derive(Module, Debug)]
pub struct Net {
    /// One entry per spec layer; `None` for layers without state (ReLU, Flatten, …).
    pub layers: Vec<Option<Layer>>,
    #[module(skip)]
    pub spec: ModelSpec,
    /// Value used by `Pad` layers: the normalised background (what a black pixel becomes).
    #[module(skip)]
    pub pad_value: f32,
}

impl Net {
    /// The same network padding with `value`: the background of the normalisation its inputs
    /// get, `normalization.background()`.
    pub fn with_pad_value(mut self, value: f32) -> Net {
        self.pad_value = value;
        self
    }

    /// Logits `[batch, classes]` for images `[batch, 1, h, w]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.run(x, true, &mut |_, _, _| {})
    }

    /// Logits plus every layer's output, named as in the summary (e.g. `conv2d_1`).
    pub fn forward_trace(&self, x: Tensor<4>) -> (Tensor<2>, Vec<(String, Activation)>) {
        let names: Vec<String> = self.spec.rows().map(|r| r.into_iter().map(|r| r.name).collect()).unwrap_or_default();
        let mut out = Vec::new();
        let logits = self.run(x, false, &mut |i, _, a| out.push((names.get(i).cloned().unwrap_or_default(), a.clone())));
        (logits, out)
    }

    /// The output of layer `index` (counting from 0, as in the summary), running no layer after
    /// it.
    pub fn forward_until(&self, x: Tensor<4>, index: usize) -> Result<Activation> {
        if index >= self.layers.len() {
            return Err(Error::invalid(format!("no layer {index}: {} has {} layers", self.spec.name, self.layers.len())));
        }
        let mut out = None;
        self.run_to(x, false, index + 1, &mut |i, _, a| {
            if i == index {
                out = Some(a.clone());
            }
        });
        out.ok_or_else(|| Error::invalid(format!("no output for layer {index}")))
    }

    /// Runs the layers, showing each output to `see`. With `fuse`, a BatchNorm followed by a
    /// ReLU runs as one kernel where ours apply (`see` then gets the ReLU's output for both).
    fn run(&self, x: Tensor<4>, fuse: bool, see: &mut dyn FnMut(usize, &LayerSpec, &Activation)) -> Tensor<2> {
        match self.run_to(x, fuse, self.layers.len(), see) {
            Activation::Flat(t) => t,
            Activation::Maps(t) => t.flatten(1, 3),
        }
    }

    /// Runs the first `n` layers; returns the last one's output.
    fn run_to(&self, x: Tensor<4>, fuse: bool, n: usize, see: &mut dyn FnMut(usize, &LayerSpec, &Activation)) -> Activation {
        let mut a = Activation::Maps(x);
        let mut relu_done = false;
        for (i, (spec, layer)) in self.spec.layers.iter().zip(&self.layers).enumerate().take(n) {
            if std::mem::take(&mut relu_done) {
                see(i, spec, &a);
                continue;
            }
            let relu_next = fuse && matches!(self.spec.layers.get(i + 1), Some(LayerSpec::Activation(Act::Relu)));
            a = match (spec, layer, a) {
                (LayerSpec::BatchNorm, Some(Layer::Norm(m)), Activation::Maps(t)) if relu_next => {
                    match crate::kernels::batch_norm_relu(m, t) {
                        Ok(y) => {
                            relu_done = true;
                            Activation::Maps(y)
                        }
                        Err(t) => Activation::Maps(crate::kernels::batch_norm(m, t)),
                    }
                }
                (LayerSpec::Normalize, _, a) => a,
                (LayerSpec::Pad { pixels: p }, _, Activation::Maps(t)) => {
                    Activation::Maps(t.pad((*p, *p, *p, *p), PadMode::Constant(self.pad_value)))
                }
                (LayerSpec::Conv { act, kernel, same, .. }, Some(Layer::Conv(m)), Activation::Maps(t)) => {
                    Activation::Maps(conv_layer(m, t, *act, *kernel, *same))
                }
                (LayerSpec::BatchNorm, Some(Layer::Norm(m)), Activation::Maps(t)) => Activation::Maps(crate::kernels::batch_norm(m, t)),
                (LayerSpec::Activation(act), _, Activation::Maps(t)) => Activation::Maps(act.apply(t)),
                (LayerSpec::Activation(act), _, Activation::Flat(t)) => Activation::Flat(act.apply(t)),
                (LayerSpec::MaxPool { size }, Some(Layer::Pool(_)), Activation::Maps(t)) => Activation::Maps(crate::kernels::max_pool2d(t, *size)),
                (LayerSpec::Dropout { .. }, Some(Layer::Dropout(m)), Activation::Maps(t)) => Activation::Maps(crate::kernels::dropout(m, t)),
                (LayerSpec::Dropout { .. }, Some(Layer::Dropout(m)), Activation::Flat(t)) => Activation::Flat(crate::kernels::dropout(m, t)),
                (LayerSpec::GlobalAvgPool, _, Activation::Maps(t)) => {
                    let [b, c, _, _] = t.dims();
                    Activation::Flat(t.mean_dims(&[2, 3]).reshape([b, c]))
                }
                (LayerSpec::Flatten, _, Activation::Maps(t)) => Activation::Flat(t.flatten(1, 3)),
                (LayerSpec::Flatten, _, a @ Activation::Flat(_)) => a,
                (LayerSpec::Dense { act, .. }, Some(Layer::Dense(m)), Activation::Flat(t)) => Activation::Flat(act.apply(m.forward(t))),
                (s, _, _) => unreachable!("spec validated at build time: {s:?}"),
            };
            see(i, spec, &a);
        }
        a
    }

    /// L2 penalty `Σ λ‖W‖²` over the kernels that ask for it (None when no layer does).
    pub fn l2_penalty(&self) -> Option<Tensor<1>> {
        let mut total: Option<Tensor<1>> = None;
        for (spec, layer) in self.spec.layers.iter().zip(&self.layers) {
            let term = match (spec, layer) {
                (LayerSpec::Conv { l2, .. }, Some(Layer::Conv(m))) if *l2 > 0.0 => Some(m.weight.val().square().sum().mul_scalar(*l2)),
                (LayerSpec::Dense { l2, .. }, Some(Layer::Dense(m))) if *l2 > 0.0 => Some(m.weight.val().square().sum().mul_scalar(*l2)),
                _ => None,
            };
            if let Some(t) = term {
                total = Some(match total {
                    Some(s) => s + t,
                    None => t,
                });
            }
        }
        total
    }

    /// Index of the layer called `name` in the summary (e.g. `"conv2d_2"`).
    pub fn layer_index(&self, name: &str) -> Result<usize> {
        let rows = self.spec.rows()?;
        rows.iter().position(|r| r.name == name).ok_or_else(|| {
            Error::invalid(format!(
                "no layer {name:?}; layers are {:?}",
                rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>()
            ))
        })
    }

    /// Every parameter and BatchNorm statistic, named as Keras names them (`conv2d/kernel`,
    /// `conv2d/bias`, `batch_normalization/gamma`, `…/moving_mean`, `dense/kernel`, …), flat.
    pub fn named_parameters(&self) -> Vec<(String, Vec<f32>)> {
        let names: Vec<String> = self.spec.rows().map(|r| r.into_iter().map(|r| r.name).collect()).unwrap_or_default();
        let mut out = Vec::new();
        for (layer, name) in self.layers.iter().zip(&names) {
            let mut put = |what: &str, v: Vec<f32>| out.push((format!("{name}/{what}"), v));
            match layer {
                Some(Layer::Conv(m)) => {
                    put("kernel", tensor_to_vec(m.weight.val()));
                    if let Some(b) = &m.bias {
                        put("bias", tensor_to_vec(b.val()));
                    }
                }
                Some(Layer::Dense(m)) => {
                    put("kernel", tensor_to_vec(m.weight.val()));
                    if let Some(b) = &m.bias {
                        put("bias", tensor_to_vec(b.val()));
                    }
                }
                Some(Layer::Norm(m)) => {
                    put("gamma", tensor_to_vec(m.gamma.val()));
                    put("beta", tensor_to_vec(m.beta.val()));
                    put("moving_mean", tensor_to_vec(m.running_mean.value()));
                    put("moving_variance", tensor_to_vec(m.running_var.value()));
                }
                _ => {}
            }
        }
        out
    }

    /// Weights of the layer called `name` as a flat vector (kernel only, no bias) and its shape.
    pub fn weights(&self, name: &str) -> Result<(Vec<f32>, Vec<usize>)> {
        let i = self.layer_index(name)?;
        let t: Tensor<2> = match &self.layers[i] {
            Some(Layer::Conv(m)) => {
                let w = m.weight.val();
                let dims = w.dims().to_vec();
                return Ok((tensor_to_vec(w), dims));
            }
            Some(Layer::Dense(m)) => m.weight.val(),
            _ => return Err(Error::invalid(format!("layer {name:?} has no weights"))),
        };
        let dims = t.dims().to_vec();
        Ok((tensor_to_vec(t), dims))
    }
}
