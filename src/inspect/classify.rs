//! Classifying a new image file, with what the network saw and where it looked.

use super::cam::{predict_with_cam, Cam};
use super::prepare::{prepare_image, PreparedImage};
use crate::train::TrainedModel;
use crate::util::error::Result;
use crate::util::top_k;
use std::path::Path;

/// A new image run through a model: what the network saw, its probabilities, and the CAM.
#[derive(Clone, Debug)]
pub struct Classification {
    pub image: PreparedImage,
    pub probs: Vec<f32>,
    /// Best three `(class, probability)`.
    pub top3: Vec<(usize, f32)>,
    pub cam: Option<Cam>,
    pub class_names: Vec<String>,
    pub source: String,
}

/// Classify any image file: greyscale, fit to a square, resize to the input size, invert light
/// backgrounds, then predict (and compute the CAM when the model has one).
pub fn classify_file(model: &TrainedModel, path: impl AsRef<Path>) -> Result<Classification> {
    let path = path.as_ref();
    let (h, _) = model.config.spec.input;
    let image = prepare_image(path, h)?;
    // One forward pass gives both for a GAP network; the others have no CAM.
    let (probs, cam) = match predict_with_cam(model, &image.pixels) {
        Ok((probs, cam)) => (probs, Some(cam)),
        Err(_) => (model.predict_image(&image.pixels)?, None),
    };
    let top3 = top_k(&probs, 3);
    let source = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Classification { image, probs, top3, cam, class_names: model.class_names.clone(), source })
}

impl Classification {
    /// One line: `file: Class 0.93, Class 0.04, Class 0.01`.
    pub fn describe(&self) -> String {
        let best: Vec<String> = self.top3.iter().map(|(c, p)| format!("{} {:.3}", self.class_names[*c], p)).collect();
        format!("{}{}: {}", self.source, if self.image.inverted { " (inverted)" } else { "" }, best.join(", "))
    }
}
