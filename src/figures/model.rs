//! A network drawn as a picture: one box per stage, sized by its output, with its shape and
//! weights written below.

use crate::model::{group, Act, LayerSpec, ModelSpec, Shape};
use crate::plot::diagram::{block_diagram, Block};
use crate::plot::{Figure, TAB10};
use crate::util::error::Result;
use plotters::style::RGBColor;

/// The layers of `spec` as a row of boxes: a box's height follows its output's height (a flat
/// vector's, the log of its length) and its width the log of its channels. BatchNorm, a
/// standalone activation and dropout are written above the layer they follow rather than drawn.
/// Under each box: the output's shape and the layer's parameters (Keras' "Param #").
///
/// ```no_run
/// let fig = cnn_lab::figures::model_diagram(&cnn_lab::model::ModelSpec::preset("model1").unwrap()).unwrap();
/// ```
pub fn model_diagram(spec: &ModelSpec) -> Result<Figure> {
    let rows = spec.rows()?;
    let (h, w) = spec.input;
    let mut blocks = vec![block(vec!["input".into()], Shape::Map(1, h, w), 0, GREY)];
    for (layer, row) in spec.layers.iter().zip(&rows) {
        let params = row.trainable + row.non_trainable;
        let (name, colour) = match layer {
            LayerSpec::Normalize => {
                add_note(&mut blocks, "standardised");
                continue;
            }
            LayerSpec::BatchNorm => {
                add_note(&mut blocks, "BN");
                add_params(&mut blocks, params);
                continue;
            }
            LayerSpec::Activation(a) => {
                add_note(&mut blocks, act_name(a));
                continue;
            }
            LayerSpec::Dropout { rate } => {
                add_note(&mut blocks, &format!("drop {rate}"));
                continue;
            }
            LayerSpec::Pad { pixels } => (format!("pad {pixels}"), GREY),
            LayerSpec::Conv { kernel, .. } => (format!("conv {kernel}×{kernel}"), TAB10[0]),
            LayerSpec::MaxPool { size } => (format!("max pool {size}"), TAB10[1]),
            LayerSpec::GlobalAvgPool => ("global avg".into(), TAB10[4]),
            LayerSpec::Flatten => ("flatten".into(), TAB10[4]),
            LayerSpec::Dense { .. } => ("dense".into(), TAB10[2]),
        };
        let mut b = block(vec![name], row.shape, params, colour);
        if let LayerSpec::Conv { act, .. } | LayerSpec::Dense { act, .. } = layer {
            if *act != Act::Linear {
                b.above.push(act_name(act).into());
            }
        }
        blocks.push(b);
    }
    // Keras' "Total params": trainable weights and BatchNorm's moving statistics, as in the boxes.
    let total: usize = rows.iter().map(|r| r.trainable + r.non_trainable).sum();
    let title = format!("{}: {} parameters", spec.name, group(total));
    block_diagram(&title, &blocks)
}

const GREY: RGBColor = RGBColor(190, 190, 190);

fn act_name(a: &Act) -> &'static str {
    match a {
        Act::Linear => "linear",
        Act::Relu => "ReLU",
        Act::LeakyRelu(_) => "leaky ReLU",
    }
}

fn block(above: Vec<String>, shape: Shape, params: usize, colour: RGBColor) -> Block {
    let (size, text) = match shape {
        Shape::Map(c, h, w) => ((6 + (6.0 * (c as f64).log2()) as u32, 8 + 5 * h as u32), format!("{h}×{w}×{c}")),
        Shape::Flat(n) => ((8, 8 + (140.0 * (n.max(1) as f64).ln() / 4096f64.ln()) as u32), group(n)),
    };
    let below = vec![text, if params > 0 { group(params) } else { String::new() }];
    Block { above, below, size: (size.0, size.1.min(160)), colour }
}

/// A note (BN, ReLU, dropout) on the last drawn box, as one more line above it.
fn add_note(blocks: &mut [Block], note: &str) {
    if let Some(b) = blocks.last_mut() {
        b.above.push(note.into());
    }
}

/// BatchNorm's weights added to the box it is written under.
fn add_params(blocks: &mut [Block], params: usize) {
    if let Some(b) = blocks.last_mut() {
        let before: usize = b.below[1].replace(',', "").parse().unwrap_or(0);
        b.below[1] = group(before + params);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_weight_of_model1_and_gap_is_written_under_a_box() {
        for p in ["model1", "gap"] {
            let spec = ModelSpec::preset(p).unwrap();
            let f = model_diagram(&spec).unwrap();
            let total: usize = spec.rows().unwrap().iter().map(|r| r.trainable + r.non_trainable).sum();
            assert!(f.svg.contains(&format!("{p}: {} parameters", group(total))), "{p}");
        }
        // The text of every <text> element.
        let texts = |p: &str| -> Vec<String> {
            let svg = model_diagram(&ModelSpec::preset(p).unwrap()).unwrap().svg;
            svg.split("</text>").filter_map(|t| t.rsplit('>').next()).map(|t| t.trim().to_string()).collect()
        };
        let m1 = texts("model1");
        for s in ["26×26×32", "320", "13×13×32", "576", "36,928", "650", "ReLU"] {
            assert!(m1.iter().any(|t| t == s), "{s} not in {m1:?}");
        }
        // 3·3·1·32 + 32 conv weights and 4·32 BatchNorm numbers under the first box.
        let gap = texts("gap");
        for s in ["448", "BN", "drop 0.1", "global avg"] {
            assert!(gap.iter().any(|t| t == s), "{s} not in {gap:?}");
        }
    }
}
