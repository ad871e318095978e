//! A Keras-style `Sequential` builder: a network written layer by layer in one expression.
//!
//! ```
//! use cnn_lab::model::{ModelSpec, Sequential};
//! let spec: ModelSpec = Sequential::new("model1", [28, 28])
//!     .conv(32, 3).relu().max_pool(2)
//!     .conv(64, 3).relu().max_pool(2)
//!     .conv(64, 3).relu()
//!     .flatten().dense(64).relu()
//!     .dense(10)
//!     .build()
//!     .unwrap();
//! assert_eq!(spec, ModelSpec::preset("model1").unwrap());
//! assert_eq!(spec.trainable_params(), 93_322);
//! ```
//!
//! Modifiers act on the layer written just before them, the way Keras' keyword arguments do:
//! `.conv(32, 3).same().l2(1e-4).relu()` is `Conv2D(32, 3, padding="same",
//! kernel_regularizer=l2(1e-4), activation="relu")`. An activation right after a convolution or
//! dense layer becomes that layer's activation; anywhere else (after BatchNorm, say) it is a layer
//! of its own. A modifier that does not fit the layer before it is reported by [`Sequential::build`].

use super::{Act, LayerSpec, ModelSpec};
use crate::util::error::{Error, Result};

/// Builds a [`ModelSpec`] one layer at a time; see the module documentation.
#[derive(Clone, Debug)]
pub struct Sequential {
    spec: ModelSpec,
    /// The first misuse of a modifier, reported by `build`, so that the chain itself stays
    /// free of `?`.
    error: Option<String>,
}

impl Sequential {
    /// An empty network named `name` for greyscale images of `[height, width]` pixels.
    pub fn new(name: &str, input: [usize; 2]) -> Self {
        Sequential { spec: ModelSpec { name: name.into(), input: (input[0], input[1]), layers: Vec::new() }, error: None }
    }

    fn push(mut self, layer: LayerSpec) -> Self {
        self.spec.layers.push(layer);
        self
    }

    fn fail(mut self, msg: String) -> Self {
        if self.error.is_none() {
            self.error = Some(format!("layer {}: {msg}", self.spec.layers.len()));
        }
        self
    }

    /// Standardise the input with the training images' mean and variance (Keras
    /// `Normalization`, adapted to the data when training starts).
    pub fn normalize(self) -> Self {
        self.push(LayerSpec::Normalize)
    }

    /// Pad the image by `pixels` on every side with the background value (`ZeroPadding2D`).
    pub fn pad(self, pixels: usize) -> Self {
        self.push(LayerSpec::Pad { pixels })
    }

    /// `filters` convolutions of `kernel`×`kernel` with "valid" padding and no activation
    /// (`Conv2D(filters, kernel)`); follow with `.same()`, `.l2(…)`, `.relu()` as needed.
    pub fn conv(self, filters: usize, kernel: usize) -> Self {
        self.push(LayerSpec::Conv { filters, kernel, same: false, act: Act::Linear, l2: 0.0 })
    }

    /// "same" padding for the convolution just written: the output keeps the input's size.
    pub fn same(mut self) -> Self {
        match self.spec.layers.last_mut() {
            Some(LayerSpec::Conv { same, .. }) => {
                *same = true;
                self
            }
            _ => self.fail("same() must follow conv()".into()),
        }
    }

    /// An L2 penalty `rate · Σ w²` on the kernel of the convolution or dense layer just written
    /// (`kernel_regularizer=l2(rate)`).
    pub fn l2(mut self, rate: f32) -> Self {
        match self.spec.layers.last_mut() {
            Some(LayerSpec::Conv { l2, .. } | LayerSpec::Dense { l2, .. }) => {
                *l2 = rate;
                self
            }
            _ => self.fail("l2() must follow conv() or dense()".into()),
        }
    }

    /// A fully connected layer of `units` outputs with no activation (`Dense(units)`). The last
    /// one gives the class scores; softmax is applied by the loss and by `predict`.
    pub fn dense(self, units: usize) -> Self {
        self.push(LayerSpec::Dense { units, act: Act::Linear, l2: 0.0 })
    }

    /// ReLU, max(0, x).
    pub fn relu(self) -> Self {
        self.activation(Act::Relu)
    }

    /// Leaky ReLU: x for x > 0, `alpha`·x otherwise.
    pub fn leaky_relu(self, alpha: f32) -> Self {
        self.activation(Act::LeakyRelu(alpha))
    }

    /// `act` as the activation of the convolution or dense layer just written when it has none,
    /// otherwise as a layer of its own.
    pub fn activation(mut self, act: Act) -> Self {
        if let Some(LayerSpec::Conv { act: a @ Act::Linear, .. } | LayerSpec::Dense { act: a @ Act::Linear, .. }) =
            self.spec.layers.last_mut()
        {
            *a = act;
            return self;
        }
        self.push(LayerSpec::Activation(act))
    }

    /// Batch normalisation over channels (`BatchNormalization`).
    pub fn batch_norm(self) -> Self {
        self.push(LayerSpec::BatchNorm)
    }

    /// Max pooling over `size`×`size` windows with stride `size` (`MaxPooling2D(size)`).
    pub fn max_pool(self, size: usize) -> Self {
        self.push(LayerSpec::MaxPool { size })
    }

    /// Zero a fraction `rate` of the activations at random while training (`Dropout(rate)`).
    pub fn dropout(self, rate: f32) -> Self {
        self.push(LayerSpec::Dropout { rate })
    }

    /// The mean of each channel: a `(c, h, w)` map becomes `c` numbers (`GlobalAveragePooling2D`).
    pub fn global_avg_pool(self) -> Self {
        self.push(LayerSpec::GlobalAvgPool)
    }

    /// A `(c, h, w)` map as one vector of `c·h·w` numbers (`Flatten`).
    pub fn flatten(self) -> Self {
        self.push(LayerSpec::Flatten)
    }

    /// The finished spec, after checking that every layer fits the shape before it and that the
    /// network ends in a flat output.
    pub fn build(self) -> Result<ModelSpec> {
        if let Some(e) = self.error {
            return Err(Error::invalid(format!("{}: {e}", self.spec.name)));
        }
        self.spec.rows()?;
        Ok(self.spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activations_fold_into_the_layer_before_or_stand_alone() {
        let s = Sequential::new("t", [8, 8]).conv(4, 3).same().l2(0.5).batch_norm().relu().relu().flatten().dense(3).build().unwrap();
        assert_eq!(
            s.layers,
            vec![
                LayerSpec::Conv { filters: 4, kernel: 3, same: true, act: Act::Linear, l2: 0.5 },
                LayerSpec::BatchNorm,
                LayerSpec::Activation(Act::Relu),
                LayerSpec::Activation(Act::Relu),
                LayerSpec::Flatten,
                LayerSpec::Dense { units: 3, act: Act::Linear, l2: 0.0 },
            ]
        );
        let s = Sequential::new("t", [8, 8]).conv(4, 3).relu().relu().flatten().dense(3).build().unwrap();
        assert_eq!(s.layers[0], LayerSpec::Conv { filters: 4, kernel: 3, same: false, act: Act::Relu, l2: 0.0 });
        assert_eq!(s.layers[1], LayerSpec::Activation(Act::Relu));
    }

    #[test]
    fn misuse_and_bad_shapes_are_errors_at_build() {
        let e = Sequential::new("t", [8, 8]).max_pool(2).same().flatten().dense(2).build().unwrap_err().to_string();
        assert!(e.contains("t: layer 1: same() must follow conv()"), "{e}");
        let e = Sequential::new("t", [8, 8]).flatten().l2(0.1).dense(2).build().unwrap_err().to_string();
        assert!(e.contains("l2() must follow conv() or dense()"), "{e}");
        let e = Sequential::new("t", [8, 8]).conv(4, 9).flatten().dense(2).build().unwrap_err().to_string();
        assert!(e.contains("kernel 9 larger than input 8x8"), "{e}");
        let e = Sequential::new("t", [8, 8]).conv(4, 3).build().unwrap_err().to_string();
        assert!(e.contains("must end in a flat output"), "{e}");
    }
}
