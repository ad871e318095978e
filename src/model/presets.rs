//! The named networks of the series (`model1` … `digits`), as Keras' notebooks define them.

use super::{Act, LayerSpec, ModelSpec};
use crate::util::error::{Error, Result};

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
}
