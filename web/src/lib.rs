//! The browser side of post 05's demo: the crate's own inference, compiled to WebAssembly.
//!
//! Nothing here computes anything of its own. A drawing or a test image goes through
//! [`cnn_lab::inspect::predict_with_cam`] (the same forward pass and class activation map as
//! `cnn-lab classify` and the notebooks), a photo through [`cnn_lab::inspect::decode_grey`] and
//! [`cnn_lab::inspect::prepare_steps`], and the CAM is coloured by the figures' own
//! [`cnn_lab::plot::heat_over`]. The page (web/page/demo.js) only draws what these return.
//!
//! ```no_run
//! let net = cnn_lab_web::Network::new(&std::fs::read("gap.cnnlab").unwrap()).unwrap();
//! let p = net.predict(&[0u8; 784]).unwrap();
//! println!("{} {:?}", p.class(), p.probabilities());
//! ```

use cnn_lab::inspect::prepare::shrink_to;
use cnn_lab::inspect::{decode_grey, predict_with_cam, prepare_steps};
use cnn_lab::plot::{heat_over, unit_range, RGBColor, CAM_ALPHA};
use cnn_lab::train::TrainedModel;
use std::path::Path;
use wasm_bindgen::prelude::*;

fn js(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// A trained GAP network, loaded from the bytes of its model file.
#[wasm_bindgen]
pub struct Network {
    model: TrainedModel,
}

#[wasm_bindgen]
impl Network {
    /// Load a model file (what `TrainedModel::save` writes); it must end in global average
    /// pooling and its output layer, or there is no CAM to show.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<Network, JsError> {
        let model = TrainedModel::from_bytes(Path::new("model"), bytes, &cnn_lab::util::device::cpu()).map_err(js)?;
        if model.config.spec.gap_layer().is_none() {
            return Err(js(format!("{} has no global average pooling: no class activation map", model.config.spec.name)));
        }
        Ok(Network { model })
    }

    /// Class names, in the order of the probabilities.
    #[wasm_bindgen(getter)]
    pub fn classes(&self) -> Vec<String> {
        self.model.class_names.clone()
    }

    /// Side of the square input, in pixels (28).
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.model.config.spec.input.0
    }

    /// Probabilities and the CAM of the most probable class for a `size × size` byte image,
    /// light on dark like the dataset.
    pub fn predict(&self, pixels: &[u8]) -> Result<Prediction, JsError> {
        let (probabilities, cam) = predict_with_cam(&self.model, pixels).map_err(js)?;
        let heat = unit_range(&cam.upsampled);
        let overlay = pixels
            .iter()
            .zip(&heat)
            .flat_map(|(&v, &t)| {
                let c = heat_over(RGBColor(v, v, v), t, CAM_ALPHA);
                [c.0, c.1, c.2, 255]
            })
            .collect();
        Ok(Prediction { probabilities, class: cam.class, cam: cam.upsampled, overlay })
    }
}

/// What the network makes of one image.
#[wasm_bindgen]
pub struct Prediction {
    probabilities: Vec<f32>,
    class: usize,
    cam: Vec<f32>,
    overlay: Vec<u8>,
}

#[wasm_bindgen]
impl Prediction {
    /// One probability per class.
    #[wasm_bindgen(getter)]
    pub fn probabilities(&self) -> Vec<f32> {
        self.probabilities.clone()
    }

    /// The most probable class.
    #[wasm_bindgen(getter)]
    pub fn class(&self) -> usize {
        self.class
    }

    /// The class activation map of [`Prediction::class`], upsampled to the input size.
    #[wasm_bindgen(getter)]
    pub fn cam(&self) -> Vec<f32> {
        self.cam.clone()
    }

    /// The image with its CAM laid over it as the post's figures draw it: RGBA bytes.
    #[wasm_bindgen(getter)]
    pub fn overlay(&self) -> Vec<u8> {
        self.overlay.clone()
    }
}

/// A picture file made into network input, keeping each stage for the page to show.
#[wasm_bindgen]
pub struct Prepared {
    pixels: Vec<u8>,
    inverted: bool,
    steps: Vec<(String, image::GrayImage)>,
}

/// Prepare a PNG, JPEG or GIF file (its bytes; `name` only names it in errors) as `cnn-lab
/// classify` does: greyscale, padded to a square with its background, resized to `size`,
/// inverted when the background is light.
#[wasm_bindgen]
pub fn prepare(bytes: &[u8], name: &str, size: usize) -> Result<Prepared, JsError> {
    let path = Path::new(name);
    let grey = decode_grey(path, bytes).map_err(js)?;
    let (image, steps) = prepare_steps(grey, size).map_err(|m| js(format!("{name}: {m}")))?;
    let steps = steps.into_iter().map(|s| (s.what, s.image)).collect();
    Ok(Prepared { pixels: image.pixels, inverted: image.inverted, steps })
}

#[wasm_bindgen]
impl Prepared {
    /// The network's input: `size × size` bytes, light on dark.
    #[wasm_bindgen(getter)]
    pub fn pixels(&self) -> Vec<u8> {
        self.pixels.clone()
    }

    /// Whether the colours were inverted (the picture had a light background).
    #[wasm_bindgen(getter)]
    pub fn inverted(&self) -> bool {
        self.inverted
    }

    /// How many stages there are.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> usize {
        self.steps.len()
    }

    /// What stage `i` did, e.g. "padded to 640x640".
    pub fn step_what(&self, i: usize) -> String {
        self.steps.get(i).map(|s| s.0.clone()).unwrap_or_default()
    }

    /// Width of stage `i`'s image.
    pub fn step_width(&self, i: usize) -> u32 {
        self.steps.get(i).map_or(0, |s| s.1.width())
    }

    /// Height of stage `i`'s image.
    pub fn step_height(&self, i: usize) -> u32 {
        self.steps.get(i).map_or(0, |s| s.1.height())
    }

    /// Stage `i`'s image, at most `max` pixels on a side (large photos are shown shrunk), as
    /// RGBA bytes; its size is `step_size(i, max)`.
    pub fn step_rgba(&self, i: usize, max: u32) -> Vec<u8> {
        self.steps.get(i).map_or_else(Vec::new, |s| {
            shrink_to(&s.1, max).pixels().flat_map(|p| [p.0[0], p.0[0], p.0[0], 255]).collect()
        })
    }

    /// `[width, height]` of [`Prepared::step_rgba`]'s image.
    pub fn step_size(&self, i: usize, max: u32) -> Vec<u32> {
        self.steps.get(i).map_or_else(Vec::new, |s| {
            let (w, h) = shrink_to(&s.1, max).dimensions();
            vec![w, h]
        })
    }
}
