//! Looking inside a trained network: every layer's output for an image, class activation maps
//! ([`cam`]), GAP "barcodes" ([`barcodes`]), and new images prepared and classified
//! ([`prepare`], [`classify`]), and what a convolution, a pooling and softmax compute, on
//! plain numbers ([`explain`]). The figures of these are in `figures::inspect` and
//! `figures::explain`.

pub mod barcodes;
pub mod cam;
pub mod classify;
pub mod explain;
pub mod prepare;

pub use barcodes::{class_means, detrend, gap_vectors, mean_vector};
pub use cam::{class_activation_map, predict_with_cam, upsample, Cam};
pub use classify::{classify_file, Classification};
pub use prepare::{decode_grey, prepare_image, prepare_luma, prepare_steps, PrepStep, PreparedImage};

use crate::model::{images_tensor, tensor_to_vec, Activation};
use crate::train::TrainedModel;
use crate::util::error::{Error, Result};

/// One layer's output for one image: `channels` maps of `rows × cols` (a vector has 1×1 maps).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerOutput {
    /// Summary name, e.g. `conv2d_1`.
    pub name: String,
    pub channels: usize,
    pub rows: usize,
    pub cols: usize,
    /// Channel-major values: map `c` is `values[c*rows*cols..(c+1)*rows*cols]`.
    pub values: Vec<f32>,
}

impl LayerOutput {
    /// Feature map `c`.
    pub fn map(&self, c: usize) -> &[f32] {
        let n = self.rows * self.cols;
        &self.values[c * n..(c + 1) * n]
    }
    /// Whether this is a vector (dense, GAP) rather than a stack of maps.
    pub fn is_flat(&self) -> bool {
        self.rows == 1 && self.cols == 1
    }
}

/// Every layer's output for one byte image (`rows × cols` of the model's input), in order.
pub fn activations(model: &TrainedModel, px: &[u8]) -> Result<Vec<LayerOutput>> {
    Ok(forward_outputs(model, px)?.1)
}

/// One forward pass of one byte image: the class probabilities and every layer's output.
pub(crate) fn forward_outputs(model: &TrainedModel, px: &[u8]) -> Result<(Vec<f32>, Vec<LayerOutput>)> {
    let ds = model.image_dataset(px)?;
    let x = images_tensor(&ds, &[0], model.normalization, &model.device);
    let (logits, trace) = model.net.forward_trace(x);
    let probs = tensor_to_vec(burn::tensor::activation::softmax(logits, 1));
    let outputs = trace
        .into_iter()
        .map(|(name, a)| match a {
            Activation::Maps(t) => {
                let [_, c, h, w] = t.dims();
                LayerOutput { name, channels: c, rows: h, cols: w, values: tensor_to_vec(t) }
            }
            Activation::Flat(t) => {
                let [_, n] = t.dims();
                LayerOutput { name, channels: n, rows: 1, cols: 1, values: tensor_to_vec(t) }
            }
        })
        .collect();
    Ok((probs, outputs))
}

/// The output of the layer called `name` (see the model's summary) for one image.
pub fn layer_output(model: &TrainedModel, px: &[u8], name: &str) -> Result<LayerOutput> {
    model.net.layer_index(name)?;
    activations(model, px)?.into_iter().find(|l| l.name == name).ok_or_else(|| Error::invalid(format!("no output for layer {name:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Act, Layer, LayerSpec, ModelSpec};
    use crate::train::TrainConfig;
    use burn::module::Param;
    use burn::tensor::{Tensor, TensorData};

    /// conv 3×3 "same" with two filters (identity, negated identity), GAP, dense 2 → 2 with
    /// identity weights: every quantity can be worked out by hand.
    fn tiny() -> TrainedModel {
        let spec = ModelSpec {
            name: "tiny".into(),
            input: (4, 4),
            layers: vec![
                LayerSpec::Conv { filters: 2, kernel: 3, same: true, act: Act::Linear, l2: 0.0 },
                LayerSpec::GlobalAvgPool,
                LayerSpec::Dense { units: 2, act: Act::Linear, l2: 0.0 },
            ],
        };
        let device = crate::util::device::cpu();
        let mut net = spec.build(&device);
        let mut k = vec![0f32; 2 * 9];
        k[4] = 1.0;
        k[9 + 4] = -1.0;
        if let Some(Layer::Conv(c)) = &mut net.layers[0] {
            c.weight = Param::from_tensor(Tensor::from_data(TensorData::new(k, [2, 1, 3, 3]), &device));
        }
        if let Some(Layer::Dense(d)) = &mut net.layers[2] {
            d.weight = Param::from_tensor(Tensor::from_data(TensorData::new(vec![1f32, 0., 0., 1.], [2, 2]), &device));
        }
        TrainedModel {
            net,
            device,
            normalization: crate::data::Normalization::Unit,
            class_names: vec!["a".into(), "b".into()],
            history: Default::default(),
            config: TrainConfig::new(spec),
        }
    }

    #[test]
    fn identity_kernel_gives_back_the_input() {
        let m = tiny();
        let px: Vec<u8> = (0..16).map(|i| (i * 15) as u8).collect();
        let maps = layer_output(&m, &px, "conv2d").unwrap();
        assert_eq!((maps.channels, maps.rows, maps.cols), (2, 4, 4));
        for (i, &p) in px.iter().enumerate() {
            assert!((maps.map(0)[i] - p as f32 / 255.0).abs() < 1e-6);
            assert!((maps.map(1)[i] + p as f32 / 255.0).abs() < 1e-6);
        }
        // GAP = the mean of each map; the identity dense layer passes it on.
        let acts = activations(&m, &px).unwrap();
        let mean = px.iter().map(|&p| p as f32 / 255.0).sum::<f32>() / 16.0;
        assert!((acts[1].values[0] - mean).abs() < 1e-6 && (acts[1].values[1] + mean).abs() < 1e-6);
        assert!(layer_output(&m, &px, "nope").is_err());
        assert!(activations(&m, &[0; 3]).unwrap_err().to_string().contains("expects 4x4"));
    }

    #[test]
    fn cam_of_identity_network_is_the_weighted_maps() {
        let m = tiny();
        let px: Vec<u8> = (0..16).map(|i| if i % 5 == 0 { 255 } else { 0 }).collect();
        let cam = class_activation_map(&m, &px, 0).unwrap();
        // Class 0 reads filter 0 (the image itself) with weight 1: the CAM is the image.
        for (i, &p) in px.iter().enumerate() {
            assert!((cam.map[i] - p as f32 / 255.0).abs() < 1e-6);
        }
        let cam1 = class_activation_map(&m, &px, 1).unwrap();
        assert!(cam1.map.iter().zip(&cam.map).all(|(a, b)| (a + b).abs() < 1e-6));
        assert!(class_activation_map(&m, &px, 2).is_err());
        assert_eq!(cam.upsampled, cam.map, "same size: upsampling is the identity");
    }

    #[test]
    fn one_pass_gives_the_probabilities_and_the_winners_cam() {
        let m = tiny();
        // More ink than not: filter 0 (the image) outweighs filter 1 (its negative), class 0 wins.
        let px: Vec<u8> = (0..16).map(|i| if i % 3 == 0 { 40 } else { 250 }).collect();
        let (probs, cam) = predict_with_cam(&m, &px).unwrap();
        assert_eq!(probs, m.predict_image(&px).unwrap());
        assert_eq!(cam.class, 0);
        assert_eq!(cam, class_activation_map(&m, &px, 0).unwrap());
    }

    #[test]
    fn cam_needs_a_gap_network() {
        let spec = ModelSpec::preset("model1").unwrap();
        let device = crate::util::device::cpu();
        let mut m = tiny();
        m.net = spec.build(&device);
        m.config = TrainConfig::new(spec);
        let e = class_activation_map(&m, &[0; 784], 0).unwrap_err().to_string();
        assert!(e.contains("global average pooling"), "{e}");
        assert!(predict_with_cam(&m, &[0; 784]).is_err());
    }

    #[test]
    fn upsample_keeps_corners_and_interpolates() {
        let u = upsample(&[0.0, 1.0, 2.0, 3.0], 2, 2, 3, 3);
        assert_eq!(u, vec![0.0, 0.5, 1.0, 1.0, 1.5, 2.0, 2.0, 2.5, 3.0]);
    }

    #[test]
    fn barcodes_means_and_detrending() {
        let rows = vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 9.0]];
        assert_eq!(mean_vector(&rows), vec![3.0, 5.0]);
        assert_eq!(class_means(&rows, &[0, 0, 1], 2), vec![vec![2.0, 3.0], vec![5.0, 9.0]]);
        assert_eq!(detrend(&rows, &[1.0, 1.0])[2], vec![4.0, 8.0]);
        let names = vec!["a".to_string(), "b".to_string()];
        let m = tiny();
        let ds = crate::data::Dataset::new(vec![255; 32], vec![0, 1], 4, 4, names).unwrap();
        let g = gap_vectors(&m, &ds).unwrap();
        assert_eq!(g.len(), 2);
        assert!((g[0][0] - 1.0).abs() < 1e-6 && (g[0][1] + 1.0).abs() < 1e-6);
    }
}

#[cfg(test)]
mod prep_tests {
    use super::*;

    #[test]
    fn preparation_keeps_every_stage() {
        // A dark 20x10 bar on a light 60x40 background: padded, resized, then inverted.
        let mut g = image::GrayImage::from_pixel(60, 40, image::Luma([240]));
        for x in 20..40 {
            for y in 15..25 {
                g.put_pixel(x, y, image::Luma([10]));
            }
        }
        let (p, steps) = prepare_steps(g.clone(), 28).unwrap();
        let what: Vec<&str> = steps.iter().map(|s| s.what.as_str()).collect();
        assert_eq!(what, ["greyscale, 60x40", "padded to 60x60", "resized to 28x28", "inverted (light background)"]);
        assert_eq!(steps[3].image.as_raw(), &p.pixels);
        assert!(p.inverted && p.pixels[14 * 28 + 14] > 200 && p.pixels[0] < 40);
    }

    #[test]
    fn a_drawing_on_a_transparent_canvas_reads_as_ink_on_paper() {
        // Black strokes on a fully transparent background (RGBA 0,0,0,0 everywhere else).
        let mut img = image::RgbaImage::from_pixel(40, 40, image::Rgba([0, 0, 0, 0]));
        for y in 10..30 {
            img.put_pixel(20, y, image::Rgba([0, 0, 0, 255]));
            img.put_pixel(21, y, image::Rgba([0, 0, 0, 255]));
        }
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("drawing.png");
        img.save(&path).unwrap();
        let g = prepare::load_grey(&path).unwrap();
        assert_eq!((g.get_pixel(0, 0)[0], g.get_pixel(20, 15)[0]), (255, 0));
        let p = prepare_image(&path, 28).unwrap();
        // White paper is inverted to the datasets' black background; the stroke becomes light.
        assert!(p.inverted && p.pixels[0] == 0 && p.pixels.iter().any(|&v| v > 128), "{:?}", &p.pixels[..28]);
    }
}
