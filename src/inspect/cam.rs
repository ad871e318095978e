//! Class activation maps (Zhou et al. 2016): where in an image a GAP network finds the evidence
//! for a class.

use super::{forward_outputs, LayerOutput};
use crate::model::{tensor_to_vec, Layer, LayerSpec};
use crate::train::TrainedModel;
use crate::util::error::{Error, Result};

/// A class activation map: where in the image the evidence for `class` lies.
#[derive(Clone, Debug, PartialEq)]
pub struct Cam {
    pub class: usize,
    /// The map at the last convolution's resolution.
    pub map: Vec<f32>,
    pub map_rows: usize,
    pub map_cols: usize,
    /// The map upsampled (bilinear) to the input size.
    pub upsampled: Vec<f32>,
    pub rows: usize,
    pub cols: usize,
}

/// Index of the GAP layer and of the dense layer that reads it directly (dropout aside).
fn gap_then_dense(model: &TrainedModel) -> Result<(usize, usize)> {
    let layers = &model.config.spec.layers;
    let gap = model.config.spec.gap_layer();
    let dense = gap.and_then(|g| {
        layers[g + 1..].iter().position(|l| !matches!(l, LayerSpec::Dropout { .. })).map(|k| g + 1 + k)
    });
    match (gap, dense) {
        (Some(g), Some(d)) if matches!(layers[d], LayerSpec::Dense { .. }) && d == layers.len() - 1 => Ok((g, d)),
        _ => Err(Error::invalid(format!(
            "class activation maps need a network that ends in global average pooling followed by its output layer; {} does not",
            model.config.spec.name
        ))),
    }
}

/// Bilinear resize of a `h × w` map to `oh × ow` (align corners).
pub fn upsample(map: &[f32], h: usize, w: usize, oh: usize, ow: usize) -> Vec<f32> {
    let mut out = vec![0f32; oh * ow];
    let sy = if oh > 1 { (h - 1) as f32 / (oh - 1) as f32 } else { 0.0 };
    let sx = if ow > 1 { (w - 1) as f32 / (ow - 1) as f32 } else { 0.0 };
    for y in 0..oh {
        let fy = y as f32 * sy;
        let (y0, ty) = (fy.floor() as usize, fy - fy.floor());
        let y1 = (y0 + 1).min(h - 1);
        for x in 0..ow {
            let fx = x as f32 * sx;
            let (x0, tx) = (fx.floor() as usize, fx - fx.floor());
            let x1 = (x0 + 1).min(w - 1);
            let a = map[y0 * w + x0] * (1.0 - tx) + map[y0 * w + x1] * tx;
            let b = map[y1 * w + x0] * (1.0 - tx) + map[y1 * w + x1] * tx;
            out[y * ow + x] = a * (1.0 - ty) + b * ty;
        }
    }
    out
}

/// Class activation map (Zhou et al. 2016): the last convolutional maps weighted by the output
/// layer's weights for `class`. Needs a GAP network (e.g. the `gap` preset).
pub fn class_activation_map(model: &TrainedModel, px: &[u8], class: usize) -> Result<Cam> {
    let (g, d) = gap_then_dense(model)?;
    if class >= model.class_names.len() {
        return Err(Error::invalid(format!("class {class} out of range (0..{})", model.class_names.len())));
    }
    let (_, acts) = forward_outputs(model, px)?;
    cam_of(model, &acts[g - 1], d, class)
}

/// The probabilities for one byte image and the class activation map of its most probable
/// class, from a single forward pass (what `cnn-lab classify` and the browser demo show).
///
/// ```no_run
/// # let (model, px): (cnn_lab::train::TrainedModel, Vec<u8>) = todo!();
/// let (probs, cam) = cnn_lab::inspect::predict_with_cam(&model, &px)?;
/// # Ok::<(), cnn_lab::Error>(())
/// ```
pub fn predict_with_cam(model: &TrainedModel, px: &[u8]) -> Result<(Vec<f32>, Cam)> {
    let (g, d) = gap_then_dense(model)?;
    let (probs, acts) = forward_outputs(model, px)?;
    let cam = cam_of(model, &acts[g - 1], d, crate::util::argmax(&probs))?;
    Ok((probs, cam))
}

/// The maps of the last convolution weighted by the output layer `d`'s weights for `class`.
fn cam_of(model: &TrainedModel, maps: &LayerOutput, d: usize, class: usize) -> Result<Cam> {
    let w = match &model.net.layers[d] {
        Some(Layer::Dense(m)) => m.weight.val(),
        _ => return Err(Error::invalid("output layer has no weights")),
    };
    let [din, dout] = w.dims();
    if din != maps.channels {
        return Err(Error::invalid(format!("{din} dense inputs for {} maps", maps.channels)));
    }
    let w = tensor_to_vec(w);
    let n = maps.rows * maps.cols;
    let mut map = vec![0f32; n];
    for k in 0..din {
        let wk = w[k * dout + class];
        for (m, v) in map.iter_mut().zip(maps.map(k)) {
            *m += wk * v;
        }
    }
    let (rows, cols) = model.config.spec.input;
    let upsampled = upsample(&map, maps.rows, maps.cols, rows, cols);
    Ok(Cam { class, map, map_rows: maps.rows, map_cols: maps.cols, upsampled, rows, cols })
}
