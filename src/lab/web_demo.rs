//! The data of post 05's browser demo (web/, built by `scripts/build_web.sh`): the GAP
//! network's model file and a few test images, written as classic scripts so that the page
//! also works opened from disk (`file://` allows no `fetch`), and the native reference that the
//! browser test (web/test/demo.test.mjs) holds the page's numbers against.

use crate::data::Dataset;
use crate::inspect::{predict_with_cam, prepare_image};
use crate::train::TrainedModel;
use crate::util::error::{write_atomic, Error, Result};
use base64::Engine;
use serde_json::json;
use std::path::Path;

/// Test images the demo offers per class (the first ones of each class in the test set).
pub const IMAGES_PER_CLASS: usize = 3;

/// Indices into `test` of the demo's images: the first [`IMAGES_PER_CLASS`] of each class,
/// interleaved (one of each class, then the second of each, ...).
pub fn image_indices(test: &Dataset) -> Vec<usize> {
    let classes = test.class_names.len();
    let mut per_class = vec![Vec::new(); classes];
    for (i, &l) in test.labels.iter().enumerate() {
        let l = l as usize;
        if l < classes && per_class[l].len() < IMAGES_PER_CLASS {
            per_class[l].push(i);
        }
    }
    (0..IMAGES_PER_CLASS).flat_map(|k| per_class.iter().filter_map(move |c| c.get(k).copied())).collect()
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `window.NAME = <json>;` — data a page can load with a `<script>` tag, even from disk.
fn script(name: &str, value: &serde_json::Value) -> String {
    format!("// Written by `cnn-lab web-demo assets`; do not edit.\nwindow.{name} = {value};\n")
}

/// Write `model.js` (the model file, base64, and `info`: what the page says about the model)
/// and `test-images.js` (the demo's test images and labels) into `dir`.
pub fn write_assets(model_file: &[u8], info: &serde_json::Value, test: &Dataset, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let model = script("CNN_LAB_MODEL", &json!(base64(model_file))) + &format!("window.CNN_LAB_MODEL_INFO = {info};\n");
    write_atomic(dir.join("model.js"), model.as_bytes())?;
    let idx = image_indices(test);
    let n = test.rows * test.cols;
    let pixels: Vec<u8> = idx.iter().flat_map(|&i| test.images[i * n..(i + 1) * n].iter().copied()).collect();
    let images = json!({
        "size": test.rows,
        "indices": idx,
        "labels": idx.iter().map(|&i| test.labels[i]).collect::<Vec<_>>(),
        "classes": test.class_names,
        "pixels": base64(&pixels),
    });
    write_atomic(dir.join("test-images.js"), script("CNN_LAB_TEST", &images).as_bytes())
}

/// What the native crate computes for the demo's first `count` test images (probabilities and
/// upsampled CAM) and for each picture in `photos` (prepared pixels, probabilities, CAM): the
/// numbers the page must reproduce.
pub fn reference(model: &TrainedModel, test: &Dataset, count: usize, photos: &[&Path]) -> Result<serde_json::Value> {
    let n = test.rows * test.cols;
    let mut images = Vec::new();
    for (k, &i) in image_indices(test).iter().take(count).enumerate() {
        let (probs, cam) = predict_with_cam(model, &test.images[i * n..(i + 1) * n])?;
        images.push(json!({ "position": k, "index": i, "label": test.labels[i], "probabilities": probs, "class": cam.class, "cam": cam.upsampled }));
    }
    let mut prepared = Vec::new();
    for &p in photos {
        let img = prepare_image(p, model.config.spec.input.0)?;
        let (probs, cam) = predict_with_cam(model, &img.pixels)?;
        let name = p.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        prepared.push(json!({ "file": name, "pixels": img.pixels, "inverted": img.inverted, "probabilities": probs, "class": cam.class, "cam": cam.upsampled }));
    }
    Ok(json!({ "model_weights_sha256": model.weights_sha256(), "images": images, "photos": prepared }))
}

/// The model file inside a `model.js` written by [`write_assets`].
pub fn model_from_script(path: &Path) -> Result<Vec<u8>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let start = text.find("window.CNN_LAB_MODEL = \"").map(|s| s + "window.CNN_LAB_MODEL = \"".len());
    let body = start.and_then(|s| text[s..].find('"').map(|e| &text[s..s + e]));
    let body = body.ok_or_else(|| Error::format(path, "no `window.CNN_LAB_MODEL = \"…\"` in it"))?;
    base64::engine::general_purpose::STANDARD.decode(body).map_err(|e| Error::format(path, format!("model is not valid base64: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Dataset {
        let labels = vec![2, 0, 0, 1, 2, 0, 1, 1, 1];
        let images = (0..labels.len() * 4).map(|v| v as u8).collect();
        Dataset::new(images, labels, 2, 2, vec!["a".into(), "b".into(), "c".into()]).unwrap()
    }

    #[test]
    fn indices_take_the_first_of_each_class_interleaved() {
        assert_eq!(image_indices(&tiny()), vec![1, 3, 0, 2, 6, 4, 5, 7]);
    }

    #[test]
    fn assets_round_trip_through_their_scripts() {
        let dir = tempfile::tempdir().unwrap();
        write_assets(b"\x00model bytes\xff", &json!({"recipe": "gap"}), &tiny(), dir.path()).unwrap();
        assert_eq!(model_from_script(&dir.path().join("model.js")).unwrap(), b"\x00model bytes\xff");
        let t = std::fs::read_to_string(dir.path().join("test-images.js")).unwrap();
        assert!(t.contains("\"indices\":[1,3,0,2,6,4,5,7]") && t.contains("\"size\":2"), "{t}");
        std::fs::write(dir.path().join("bad.js"), "window.X = 1;").unwrap();
        let e = model_from_script(&dir.path().join("bad.js")).unwrap_err().to_string();
        assert!(e.contains("bad.js") && e.contains("CNN_LAB_MODEL"), "{e}");
    }
}
