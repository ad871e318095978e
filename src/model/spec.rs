//! The declarative Sequential spec: layers, output shapes and Keras' parameter counts.

use crate::util::error::{Error, Result};
use burn::tensor::activation::{leaky_relu, relu};
use burn::tensor::Tensor;
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
    pub(crate) fn apply<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match *self {
            Act::Linear => x,
            Act::Relu => relu(x),
            Act::LeakyRelu(a) => leaky_relu(x, a as f64),
        }
    }
}

/// Largest input or padded side a spec may have, in pixels.
pub const MAX_SIDE: usize = 4096;

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

/// The input window one output value of a layer sees ([`ModelSpec::receptive_fields`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ReceptiveField {
    /// Summary name, e.g. `conv2d_1`.
    pub layer: String,
    /// Side of the square window, in input pixels.
    pub size: usize,
    /// Input pixels between the windows of two neighbouring output values.
    pub step: usize,
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

impl ModelSpec {
    /// Output shapes and parameter counts, layer by layer (Keras conventions).
    pub fn rows(&self) -> Result<Vec<SummaryRow>> {
        let (ih, iw) = self.input;
        if ih == 0 || iw == 0 || ih > MAX_SIDE || iw > MAX_SIDE {
            return Err(Error::invalid(format!("{}: input {ih}x{iw} outside 1–{MAX_SIDE} px", self.name)));
        }
        let mut shape = Shape::Map(1, ih, iw);
        let mut rows = Vec::new();
        let mut counts = std::collections::HashMap::<&str, usize>::new();
        for (i, l) in self.layers.iter().enumerate() {
            let bad = |msg: String| Error::invalid(format!("{}: layer {i} ({l:?}): {msg}", self.name));
            // Sizes come from files too (model headers): arithmetic that would overflow is an error.
            let big = || bad("sizes too large".into());
            let mul = |a: usize, b: usize| a.checked_mul(b).ok_or_else(big);
            let (kind, next, t, nt) = match (l, shape) {
                (LayerSpec::Normalize, s) => ("normalization", s, 0, 3),
                (LayerSpec::Pad { pixels: p }, Shape::Map(c, h, w)) => {
                    if *p > MAX_SIDE || h + 2 * p > MAX_SIDE || w + 2 * p > MAX_SIDE {
                        return Err(bad(format!("padded size larger than {MAX_SIDE} px")));
                    }
                    ("zero_padding2d", Shape::Map(c, h + 2 * p, w + 2 * p), 0, 0)
                }
                (LayerSpec::Conv { filters, kernel, same, .. }, Shape::Map(c, h, w)) => {
                    if *filters == 0 || *kernel == 0 {
                        return Err(bad("filters and kernel must be positive".into()));
                    }
                    if *kernel > MAX_SIDE {
                        return Err(bad(format!("kernel larger than {MAX_SIDE} px")));
                    }
                    let (oh, ow) = if *same {
                        (h, w)
                    } else if h >= *kernel && w >= *kernel {
                        (h - kernel + 1, w - kernel + 1)
                    } else {
                        return Err(bad(format!("kernel {kernel} larger than input {h}x{w}")));
                    };
                    let weights = mul(mul(mul(*kernel, *kernel)?, c)?, *filters)?;
                    mul(mul(*filters, oh)?, ow)?;
                    ("conv2d", Shape::Map(*filters, oh, ow), weights.checked_add(*filters).ok_or_else(big)?, 0)
                }
                (LayerSpec::BatchNorm, Shape::Map(c, h, w)) => ("batch_normalization", Shape::Map(c, h, w), mul(2, c)?, mul(2, c)?),
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
                (LayerSpec::Flatten, Shape::Map(c, h, w)) => ("flatten", Shape::Flat(mul(mul(c, h)?, w)?), 0, 0),
                (LayerSpec::Flatten, Shape::Flat(n)) => ("flatten", Shape::Flat(n), 0, 0),
                (LayerSpec::Dense { units, .. }, Shape::Flat(n)) => {
                    if *units == 0 {
                        return Err(bad("units must be positive".into()));
                    }
                    ("dense", Shape::Flat(*units), mul(n, *units)?.checked_add(*units).ok_or_else(big)?, 0)
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

    /// How many input pixels one value of each convolution and pooling layer's output depends
    /// on: a window of `size × size` pixels, and `step` pixels between the windows of neighbouring
    /// values. Each k×k convolution widens the window by (k − 1)·step; each pooling multiplies the
    /// step by its size. model1 gives 3, 4, 8, 10, 18 (steps 1, 2, 2, 4, 4).
    pub fn receptive_fields(&self) -> Result<Vec<ReceptiveField>> {
        let rows = self.rows()?;
        let (mut size, mut step) = (1, 1);
        let mut out = Vec::new();
        for (l, row) in self.layers.iter().zip(&rows) {
            match l {
                LayerSpec::Conv { kernel, .. } => size += (kernel - 1) * step,
                LayerSpec::MaxPool { size: s } => {
                    size += (s - 1) * step;
                    step *= s;
                }
                _ => continue,
            }
            out.push(ReceptiveField { layer: row.name.clone(), size, step });
        }
        Ok(out)
    }

    /// Number of classes the model predicts.
    pub fn num_classes(&self) -> Result<usize> {
        match self.rows()?.last().map(|r| r.shape) {
            Some(Shape::Flat(n)) => Ok(n),
            _ => Err(Error::invalid("model has no output layer")),
        }
    }

    /// Index of the global-average-pooling layer, if the network has one.
    pub fn gap_layer(&self) -> Option<usize> {
        self.layers.iter().position(|l| matches!(l, LayerSpec::GlobalAvgPool))
    }

    /// The layer whose output serves as an image's embedding: the GAP layer when there is one,
    /// otherwise the one feeding the output layer (dropout skipped).
    pub fn embedding_layer(&self) -> usize {
        if let Some(g) = self.gap_layer() {
            return g;
        }
        let mut i = self.layers.len().saturating_sub(2);
        while i > 0 && matches!(self.layers[i], LayerSpec::Dropout { .. }) {
            i -= 1;
        }
        i
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
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
