//! The named networks of the series (`model1` … `digits`), as Keras' notebooks define them,
//! written with the same [`Sequential`] builder the notebooks use.

use super::{ModelSpec, Sequential};
use crate::util::error::{Error, Result};

/// A "same" 3x3 convolution with a linear output, BatchNorm, then ReLU (the GAP and VGG
/// networks' unit).
fn bn_block(s: Sequential, filters: usize) -> Sequential {
    s.conv(filters, 3).same().batch_norm().relu()
}

impl ModelSpec {
    /// Names accepted by [`ModelSpec::preset`].
    pub const PRESETS: [&'static str; 9] = ["model1", "model2", "model3", "model4", "gap", "vgg", "digits", "tfds", "mlp"];

    /// A named preset: `model1`–`model4` (Keras notebook), `gap` (BatchNorm + global average
    /// pooling + dropout, no hidden dense layer), `vgg` (two VGG-style blocks of two 3x3
    /// convolutions with BatchNorm, then a dropout-regularised dense layer), `digits` (the
    /// 18,810-weight barcode model), `tfds` (the TensorFlow Datasets post's 31,626-weight net),
    /// `mlp` (no convolution: one hidden dense layer of 128, the dense-only baseline).
    #[rustfmt::skip] // one line per block of layers, as the notebooks write them
    pub fn preset(name: &str) -> Result<Self> {
        let s = Sequential::new(name, [28, 28]);
        let s = match name {
            "model1" => s
                .conv(32, 3).relu().max_pool(2)
                .conv(64, 3).relu().max_pool(2)
                .conv(64, 3).relu()
                .flatten().dense(64).relu()
                .dense(10),
            "model2" => s
                .conv(32, 3).relu().max_pool(2).dropout(0.2)
                .conv(64, 3).relu().max_pool(2).dropout(0.2)
                .conv(48, 3).relu()
                .flatten().dense(48).relu()
                .dense(10),
            "model3" => s
                .pad(4)
                .conv(32, 3).relu().max_pool(2).dropout(0.4)
                .conv(64, 3).relu().max_pool(2).dropout(0.4)
                .conv(48, 3).relu()
                .flatten().dropout(0.2).dense(48).relu()
                .dense(10),
            "model4" => s
                .pad(4)
                .conv(32, 3).relu().max_pool(2).dropout(0.3)
                .conv(64, 3).relu().max_pool(2).dropout(0.3)
                .conv(64, 3).relu()
                .flatten().dropout(0.2).dense(64).relu()
                .dense(10),
            // Two blocks at 7x7 rather than one: the three-block version (32/64/96, dropout
            // 0.2/0.2/0.3) underfitted at 88.9 %; the extra 7x7 block costs ~1.4x per epoch.
            "gap" => {
                let s = bn_block(s, 32).max_pool(2).dropout(0.1);
                let s = bn_block(s, 64).max_pool(2).dropout(0.1);
                bn_block(bn_block(s, 128), 128).global_avg_pool().dropout(0.2).dense(10)
            }
            // Two convolutions before each pooling see a 5x5 patch at full resolution; the wide
            // dense layer needs the heavy dropout.
            "vgg" => {
                let s = bn_block(bn_block(s, 32), 32).max_pool(2).dropout(0.25);
                let s = bn_block(bn_block(s, 64), 64).max_pool(2).dropout(0.25);
                s.flatten().dense(256).relu().dropout(0.5).dense(10)
            }
            // The post's net: 5x5, then 4x4 "same" (padded asymmetrically, as Keras does for an
            // even kernel), then 3x3, 32 filters each. It does not give its dropout rate.
            "tfds" => s
                .conv(32, 5).relu().max_pool(2)
                .conv(32, 4).same().relu().max_pool(2)
                .conv(32, 3).relu()
                .flatten().dropout(0.5).dense(10),
            "digits" => s
                .normalize()
                .conv(20, 5).l2(1e-4).leaky_relu(0.01).max_pool(2)
                .conv(20, 5).l2(1e-4).leaky_relu(0.01)
                .conv(40, 3).l2(1e-4).leaky_relu(0.01)
                .global_avg_pool().dense(20).leaky_relu(0.01)
                .dense(10),
            "mlp" => s
                .flatten().dense(128).relu()
                .dense(10),
            other => {
                return Err(Error::invalid(format!(
                    "unknown preset {other:?}; choose one of {:?}",
                    Self::PRESETS
                )))
            }
        };
        s.build()
    }
}
