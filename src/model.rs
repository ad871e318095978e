//! A declarative Sequential spec ([`ModelSpec`]) and the burn module it builds ([`Net`]).
//!
//! ```no_run
//! use cnn_lab::prelude::*;
//! let spec = ModelSpec::preset("model1").unwrap();
//! assert_eq!(spec.trainable_params(), 93_322);
//! let net = spec.build(&cpu());
//! ```

use crate::error::{Error, Result};
use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Initializer, Linear, LinearConfig,
    PaddingConfig2d,
};
use burn::tensor::activation::{leaky_relu, relu};
use burn::tensor::ops::PadMode;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// Activation applied after a Conv or Dense layer (or on its own).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Act {
    /// Identity (logits of the last layer; softmax is applied by the loss and `predict`).
    Linear,
    Relu,
    /// Leaky ReLU with slope `alpha` for negative inputs.
    LeakyRelu(f32),
}

impl Act {
    fn apply<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match *self {
            Act::Linear => x,
            Act::Relu => relu(x),
            Act::LeakyRelu(a) => leaky_relu(x, a as f64),
        }
    }
    #[allow(dead_code)]
    fn name(&self) -> String {
        match self {
            Act::Linear => "linear".into(),
            Act::Relu => "relu".into(),
            Act::LeakyRelu(a) => format!("leaky_relu({a})"),
        }
    }
}

/// One layer of a Sequential model, Keras-style.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LayerSpec {
    /// Input standardisation (Keras `Normalization`): mean/variance/count, applied by the input
    /// pipeline ([`crate::data::Normalization::Standardize`]); 3 non-trainable numbers.
    Normalize,
    /// Pad the input by `pixels` on every side with the background value.
    Pad { pixels: usize },
    /// 2-D convolution; `same` keeps the size, otherwise "valid". `l2` penalises the kernel.
    Conv { filters: usize, kernel: usize, same: bool, act: Act, l2: f32 },
    /// Batch normalisation over channels.
    BatchNorm,
    /// A standalone activation (after BatchNorm).
    Activation(Act),
    /// Max pooling with a square window and the same stride.
    MaxPool { size: usize },
    /// Dropout with probability `rate` (training only).
    Dropout { rate: f32 },
    /// Global average pooling: one number per channel (the "barcode").
    GlobalAvgPool,
    Flatten,
    /// Fully connected layer.
    Dense { units: usize, act: Act, l2: f32 },
}

/// Shape of an activation: `(channels, height, width)` or a flat vector of length `n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shape {
    Map(usize, usize, usize),
    Flat(usize),
}

impl std::fmt::Display for Shape {
    // Keras prints channels last; readers of these notebooks come from Keras.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shape::Map(c, h, w) => write!(f, "(None, {h}, {w}, {c})"),
            Shape::Flat(n) => write!(f, "(None, {n})"),
        }
    }
}

/// A whole model: input size, layers, and the number of classes (the last Dense's units).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub name: String,
    /// Input height and width (one channel).
    pub input: (usize, usize),
    pub layers: Vec<LayerSpec>,
}

/// One row of the summary table.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    pub name: String,
    pub kind: String,
    pub shape: Shape,
    pub trainable: usize,
    pub non_trainable: usize,
}

fn conv(filters: usize, kernel: usize, act: Act) -> LayerSpec {
    LayerSpec::Conv { filters, kernel, same: false, act, l2: 0.0 }
}
/// A "same" 3x3 convolution with a linear output, BatchNorm, then ReLU (the GAP and VGG
/// networks' unit).
fn bn_block(filters: usize) -> Vec<LayerSpec> {
    vec![
        LayerSpec::Conv { filters, kernel: 3, same: true, act: Act::Linear, l2: 0.0 },
        LayerSpec::BatchNorm,
        LayerSpec::Activation(Act::Relu),
    ]
}
fn dense(units: usize, act: Act) -> LayerSpec {
    LayerSpec::Dense { units, act, l2: 0.0 }
}

impl ModelSpec {
    /// Names accepted by [`ModelSpec::preset`].
    pub const PRESETS: [&'static str; 8] = ["model1", "model2", "model3", "model4", "gap", "vgg", "digits", "tfds"];

    /// A named preset: `model1`–`model4` (Keras notebook), `gap` (BatchNorm + global average
    /// pooling + dropout, no hidden dense layer), `vgg` (two VGG-style blocks of two 3x3
    /// convolutions with BatchNorm, then a dropout-regularised dense layer), `digits` (the
    /// 18,810-weight barcode model), `tfds` (the TensorFlow Datasets post's 31,626-weight net).
    pub fn preset(name: &str) -> Result<Self> {
        use LayerSpec::*;
        let r = Act::Relu;
        let layers = match name {
            "model1" => vec![
                conv(32, 3, r), MaxPool { size: 2 }, conv(64, 3, r), MaxPool { size: 2 },
                conv(64, 3, r), Flatten, dense(64, r), dense(10, Act::Linear),
            ],
            "model2" => vec![
                conv(32, 3, r), MaxPool { size: 2 }, Dropout { rate: 0.2 },
                conv(64, 3, r), MaxPool { size: 2 }, Dropout { rate: 0.2 },
                conv(48, 3, r), Flatten, dense(48, r), dense(10, Act::Linear),
            ],
            "model3" => vec![
                Pad { pixels: 4 },
                conv(32, 3, r), MaxPool { size: 2 }, Dropout { rate: 0.4 },
                conv(64, 3, r), MaxPool { size: 2 }, Dropout { rate: 0.4 },
                conv(48, 3, r), Flatten, Dropout { rate: 0.2 }, dense(48, r), dense(10, Act::Linear),
            ],
            "model4" => vec![
                Pad { pixels: 4 },
                conv(32, 3, r), MaxPool { size: 2 }, Dropout { rate: 0.3 },
                conv(64, 3, r), MaxPool { size: 2 }, Dropout { rate: 0.3 },
                conv(64, 3, r), Flatten, Dropout { rate: 0.2 }, dense(64, r), dense(10, Act::Linear),
            ],
            "gap" => {
                // Two blocks at 7x7 rather than one: the three-block version (32/64/96, dropout
                // 0.2/0.2/0.3) underfitted at 88.9 %; the extra 7x7 block costs ~1.4x per epoch.
                let mut l = bn_block(32);
                l.extend([MaxPool { size: 2 }, Dropout { rate: 0.1 }]);
                l.extend(bn_block(64));
                l.extend([MaxPool { size: 2 }, Dropout { rate: 0.1 }]);
                l.extend(bn_block(128));
                l.extend(bn_block(128));
                l.extend([GlobalAvgPool, Dropout { rate: 0.2 }, dense(10, Act::Linear)]);
                l
            }
            "vgg" => {
                // Two convolutions before each pooling see a 5x5 patch at full resolution;
                // the wide dense layer needs the heavy dropout.
                let mut l = bn_block(32);
                l.extend(bn_block(32));
                l.extend([MaxPool { size: 2 }, Dropout { rate: 0.25 }]);
                l.extend(bn_block(64));
                l.extend(bn_block(64));
                l.extend([MaxPool { size: 2 }, Dropout { rate: 0.25 }, Flatten, dense(256, r), Dropout { rate: 0.5 }]);
                l.push(dense(10, Act::Linear));
                l
            }
            "tfds" => vec![
                // The post's net: 5x5, then 4x4 "same" (padded asymmetrically, as Keras does for
                // an even kernel), then 3x3, 32 filters each. It does not give its dropout rate.
                conv(32, 5, r), MaxPool { size: 2 },
                Conv { filters: 32, kernel: 4, same: true, act: r, l2: 0.0 }, MaxPool { size: 2 },
                conv(32, 3, r), Flatten, Dropout { rate: 0.5 }, dense(10, Act::Linear),
            ],
            "digits" => {
                let lr = Act::LeakyRelu(0.01);
                let c = |f, k| Conv { filters: f, kernel: k, same: false, act: lr, l2: 1e-4 };
                vec![
                    Normalize, c(20, 5), MaxPool { size: 2 }, c(20, 5), c(40, 3),
                    GlobalAvgPool, dense(20, lr), dense(10, Act::Linear),
                ]
            }
            other => {
                return Err(Error::invalid(format!(
                    "unknown preset {other:?}; choose one of {:?}",
                    Self::PRESETS
                )))
            }
        };
        Ok(ModelSpec { name: name.into(), input: (28, 28), layers })
    }

    /// Output shapes and parameter counts, layer by layer (Keras conventions).
    pub fn rows(&self) -> Result<Vec<SummaryRow>> {
        let mut shape = Shape::Map(1, self.input.0, self.input.1);
        let mut rows = Vec::new();
        let mut counts = std::collections::HashMap::<&str, usize>::new();
        for (i, l) in self.layers.iter().enumerate() {
            let bad = |msg: String| Error::invalid(format!("{}: layer {i} ({l:?}): {msg}", self.name));
            let (kind, next, t, nt) = match (l, shape) {
                (LayerSpec::Normalize, s) => ("normalization", s, 0, 3),
                (LayerSpec::Pad { pixels: p }, Shape::Map(c, h, w)) => {
                    ("zero_padding2d", Shape::Map(c, h + 2 * p, w + 2 * p), 0, 0)
                }
                (LayerSpec::Conv { filters, kernel, same, .. }, Shape::Map(c, h, w)) => {
                    if *filters == 0 || *kernel == 0 {
                        return Err(bad("filters and kernel must be positive".into()));
                    }
                    let (oh, ow) = if *same {
                        (h, w)
                    } else if h >= *kernel && w >= *kernel {
                        (h - kernel + 1, w - kernel + 1)
                    } else {
                        return Err(bad(format!("kernel {kernel} larger than input {h}x{w}")));
                    };
                    ("conv2d", Shape::Map(*filters, oh, ow), kernel * kernel * c * filters + filters, 0)
                }
                (LayerSpec::BatchNorm, Shape::Map(c, h, w)) => ("batch_normalization", Shape::Map(c, h, w), 2 * c, 2 * c),
                (LayerSpec::Activation(_), s) => ("activation", s, 0, 0),
                (LayerSpec::MaxPool { size }, Shape::Map(c, h, w)) => {
                    if *size == 0 || h < *size || w < *size {
                        return Err(bad(format!("pool {size} does not fit {h}x{w}")));
                    }
                    ("max_pooling2d", Shape::Map(c, h / size, w / size), 0, 0)
                }
                (LayerSpec::Dropout { rate }, s) => {
                    if !(0.0..1.0).contains(rate) {
                        return Err(bad(format!("dropout rate {rate} outside [0, 1)")));
                    }
                    ("dropout", s, 0, 0)
                }
                (LayerSpec::GlobalAvgPool, Shape::Map(c, _, _)) => ("global_average_pooling2d", Shape::Flat(c), 0, 0),
                (LayerSpec::Flatten, Shape::Map(c, h, w)) => ("flatten", Shape::Flat(c * h * w), 0, 0),
                (LayerSpec::Flatten, Shape::Flat(n)) => ("flatten", Shape::Flat(n), 0, 0),
                (LayerSpec::Dense { units, .. }, Shape::Flat(n)) => {
                    if *units == 0 {
                        return Err(bad("units must be positive".into()));
                    }
                    ("dense", Shape::Flat(*units), n * units + units, 0)
                }
                (_, s) => return Err(bad(format!("cannot follow output shape {s}"))),
            };
            let k = counts.entry(kind).or_insert(0);
            let name = if *k == 0 { kind.to_string() } else { format!("{kind}_{k}") };
            *k += 1;
            rows.push(SummaryRow { name, kind: kind.into(), shape: next, trainable: t, non_trainable: nt });
            shape = next;
        }
        match shape {
            Shape::Flat(_) => Ok(rows),
            s => Err(Error::invalid(format!(
                "{}: the model must end in a flat output (Dense), not {s}",
                self.name
            ))),
        }
    }

    /// Number of classes the model predicts.
    pub fn num_classes(&self) -> Result<usize> {
        match self.rows()?.last().map(|r| r.shape) {
            Some(Shape::Flat(n)) => Ok(n),
            _ => Err(Error::invalid("model has no output layer")),
        }
    }

    /// Trainable parameters (what Keras calls "Trainable params").
    pub fn trainable_params(&self) -> usize {
        self.rows().map(|r| r.iter().map(|r| r.trainable).sum()).unwrap_or(0)
    }

    /// A Keras-style summary table as text.
    pub fn summary(&self) -> Result<String> {
        let rows = self.rows()?;
        let labels: Vec<String> = rows.iter().map(|r| format!("{} ({})", r.name, keras_type(&r.kind))).collect();
        // Keras' column widths, widened when a layer name needs it.
        let w1 = labels.iter().map(|l| l.len() + 1).max().unwrap_or(0).max(29);
        let width = w1 + 36;
        let mut s = format!("Model: \"{}\"\n", self.name);
        let line = "_".repeat(width);
        s += &format!("{line}\n{:<w1$}{:<26}{}\n{}\n", "Layer (type)", "Output Shape", "Param #", "=".repeat(width));
        for (r, label) in rows.iter().zip(&labels) {
            s += &format!("{:<w1$}{:<26}{}\n", label, r.shape.to_string(), group(r.trainable + r.non_trainable));
        }
        let t: usize = rows.iter().map(|r| r.trainable).sum();
        let nt: usize = rows.iter().map(|r| r.non_trainable).sum();
        s += &format!(
            "{}\nTotal params: {}\nTrainable params: {}\nNon-trainable params: {}\n{line}\n",
            "=".repeat(width),
            group(t + nt),
            group(t),
            group(nt)
        );
        Ok(s)
    }

    /// Build the burn module on `device` (seed the device first for reproducible weights).
    pub fn build(&self, device: &Device) -> Net {
        self.try_build(device).expect("invalid model spec")
    }

    /// Build the burn module, or say why the spec is invalid.
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
        Ok(Net { layers, spec: self.clone(), pad_value: -0.5 })
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

fn keras_type(kind: &str) -> &'static str {
    match kind {
        "conv2d" => "Conv2D",
        "max_pooling2d" => "MaxPooling2D",
        "dropout" => "Dropout",
        "flatten" => "Flatten",
        "dense" => "Dense",
        "batch_normalization" => "BatchNorm",
        "activation" => "Activation",
        "global_average_pooling2d" => "GlobalAvgPool",
        "zero_padding2d" => "Padding",
        "normalization" => "Normalization",
        _ => "Layer",
    }
}

/// `93322` → `"93,322"`.
pub fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
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
    /// Value used by `Pad` layers: the normalised background.
    #[module(skip)]
    pub pad_value: f32,
}

impl Net {
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

    /// Runs the layers, showing each output to `see`. With `fuse`, a BatchNorm followed by a
    /// ReLU runs as one kernel where ours apply (`see` then gets the ReLU's output for both).
    fn run(&self, x: Tensor<4>, fuse: bool, see: &mut dyn FnMut(usize, &LayerSpec, &Activation)) -> Tensor<2> {
        let mut a = Activation::Maps(x);
        let mut relu_done = false;
        for (i, (spec, layer)) in self.spec.layers.iter().zip(&self.layers).enumerate() {
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
                    Activation::Maps(t.pad((*p, *p, *p, *p), PadMode::Constant(self.pad_value.into())))
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
        match a {
            Activation::Flat(t) => t,
            Activation::Maps(t) => t.flatten(1, 3),
        }
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
                    put("kernel", crate::tensor_to_vec(m.weight.val()));
                    if let Some(b) = &m.bias {
                        put("bias", crate::tensor_to_vec(b.val()));
                    }
                }
                Some(Layer::Dense(m)) => {
                    put("kernel", crate::tensor_to_vec(m.weight.val()));
                    if let Some(b) = &m.bias {
                        put("bias", crate::tensor_to_vec(b.val()));
                    }
                }
                Some(Layer::Norm(m)) => {
                    put("gamma", crate::tensor_to_vec(m.gamma.val()));
                    put("beta", crate::tensor_to_vec(m.beta.val()));
                    put("moving_mean", crate::tensor_to_vec(m.running_mean.value()));
                    put("moving_variance", crate::tensor_to_vec(m.running_var.value()));
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
                return Ok((crate::tensor_to_vec(w), dims));
            }
            Some(Layer::Dense(m)) => m.weight.val(),
            _ => return Err(Error::invalid(format!("layer {name:?} has no weights"))),
        };
        let dims = t.dims().to_vec();
        Ok((crate::tensor_to_vec(t), dims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keras_param_counts() {
        let n = |p: &str| ModelSpec::preset(p).unwrap().trainable_params();
        assert_eq!(n("model1"), 93_322);
        assert_eq!(n("model2"), 67_786);
        assert_eq!(n("model3"), 104_650);
        assert_eq!(n("digits"), 18_810);
        assert_eq!(n("tfds"), 31_626);
        let t = ModelSpec::preset("tfds").unwrap().summary().unwrap();
        assert!(t.contains("(None, 12, 12, 32)") && t.contains("(None, 512)"), "{t}");
    }

    #[test]
    fn summary_has_keras_shapes() {
        let s = ModelSpec::preset("model3").unwrap().summary().unwrap();
        assert!(s.contains("(None, 34, 34, 32)"), "{s}");
        assert!(s.contains("Total params: 104,650"), "{s}");
        let d = ModelSpec::preset("digits").unwrap().summary().unwrap();
        assert!(d.contains("Total params: 18,813") && d.contains("Non-trainable params: 3"), "{d}");
    }

    #[test]
    fn named_parameters_use_keras_names_and_cover_every_weight() {
        let net = ModelSpec::preset("gap").unwrap().build(&crate::device::cpu());
        let p = net.named_parameters();
        let names: Vec<&str> = p.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(&names[..6], ["conv2d/kernel", "conv2d/bias", "batch_normalization/gamma", "batch_normalization/beta", "batch_normalization/moving_mean", "batch_normalization/moving_variance"]);
        assert_eq!(p[0].1.len(), 32 * 9);
        assert_eq!(p[4].1, vec![0.0; 32]);
        let trainable: usize = p.iter().filter(|(n, _)| !n.contains("moving_")).map(|(_, v)| v.len()).sum();
        assert_eq!(trainable, ModelSpec::preset("gap").unwrap().trainable_params());
    }

    #[test]
    fn bad_specs_are_errors() {
        let mut s = ModelSpec::preset("model1").unwrap();
        s.layers.insert(0, LayerSpec::Conv { filters: 8, kernel: 40, same: false, act: Act::Relu, l2: 0.0 });
        let e = s.rows().unwrap_err().to_string();
        assert!(e.contains("kernel 40 larger than input 28x28"), "{e}");
        let mut s = ModelSpec::preset("model1").unwrap();
        s.layers.pop();
        s.layers.pop();
        s.layers.pop();
        assert!(s.rows().unwrap_err().to_string().contains("must end in a flat output"));
        assert!(ModelSpec::preset("nope").unwrap_err().to_string().contains("unknown preset"));
    }
}
