//! An export for TensorBoard's Projector.

use super::check_matrix;
use crate::data::Dataset;
use crate::util::error::{write_atomic, Error, Result};
use std::path::Path;

/// Write a TensorBoard Projector bundle into `dir`: `tensors.tsv`, `pixels.tsv` (the raw
/// images, a second view), `metadata.tsv` (label, class, predicted, correct), `sprite.png` (a
/// square grid of the images, at most 100×100), `projector_config.json` (for
/// projector.tensorflow.org: `cnn-lab serve DIR`) and `projector_config.pbtxt` (for TensorBoard's
/// Projector tab: `tensorboard --logdir DIR`). Each file is written atomically.
pub fn export_projector(dir: impl AsRef<Path>, vectors: &[Vec<f32>], ds: &Dataset, predicted: &[usize]) -> Result<()> {
    let dir = dir.as_ref();
    let d = check_matrix(vectors, "projector export")?;
    let n = vectors.len();
    if ds.len() != n || predicted.len() != n {
        return Err(Error::invalid(format!("projector export: {n} vectors, {} images, {} predictions", ds.len(), predicted.len())));
    }
    if n > 10_000 {
        return Err(Error::invalid(format!("projector export: {n} points; the sprite holds at most 10,000 (100x100)")));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut t = String::with_capacity(n * d * 10);
    for r in vectors {
        let cells: Vec<String> = r.iter().map(|v| format!("{v:.6}")).collect();
        t.push_str(&cells.join("\t"));
        t.push('\n');
    }
    write_atomic(dir.join("tensors.tsv"), t.as_bytes())?;
    // The images themselves as a second view (the TF demo projects both).
    let mut px = String::with_capacity(n * ds.pixels() * 4);
    for i in 0..n {
        let cells: Vec<String> = ds.image(i).iter().map(|p| p.to_string()).collect();
        px.push_str(&cells.join("\t"));
        px.push('\n');
    }
    write_atomic(dir.join("pixels.tsv"), px.as_bytes())?;
    let mut m = String::from("label\tclass\tpredicted\tcorrect\n");
    for (&label, &p) in ds.labels.iter().zip(predicted).take(n) {
        let l = label as usize;
        let pn = ds.class_names.get(p).cloned().unwrap_or_else(|| p.to_string());
        m.push_str(&format!("{l}\t{}\t{pn}\t{}\n", ds.class_names[l], l == p));
    }
    write_atomic(dir.join("metadata.tsv"), m.as_bytes())?;
    let side = (n as f64).sqrt().ceil() as u32;
    let (h, w) = (ds.rows as u32, ds.cols as u32);
    let mut sprite = image::GrayImage::new(side * w, side * h);
    for i in 0..n {
        let (gx, gy) = ((i as u32 % side) * w, (i as u32 / side) * h);
        for (k, &p) in ds.image(i).iter().enumerate() {
            // Dark objects on white read better in the Projector's light theme.
            sprite.put_pixel(gx + k as u32 % w, gy + k as u32 / w, image::Luma([255 - p]));
        }
    }
    let mut png = Vec::new();
    sprite
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| Error::invalid(format!("sprite: {e}")))?;
    write_atomic(dir.join("sprite.png"), &png)?;
    let sprite = serde_json::json!({ "imagePath": "sprite.png", "singleImageDim": [w, h] });
    let cfg = serde_json::json!({
        "embeddings": [{
            "tensorName": "cnn_lab embeddings",
            "tensorShape": [n, d],
            "tensorPath": "tensors.tsv",
            "metadataPath": "metadata.tsv",
            "sprite": sprite
        }, {
            "tensorName": "raw pixels",
            "tensorShape": [n, ds.pixels()],
            "tensorPath": "pixels.tsv",
            "metadataPath": "metadata.tsv",
            "sprite": sprite
        }]
    });
    write_atomic(dir.join("projector_config.json"), serde_json::to_string_pretty(&cfg).unwrap_or_default().as_bytes())?;
    // The same two tensors for TensorBoard's own Projector tab (`tensorboard --logdir DIR`),
    // which reads this text-format config instead of the JSON.
    let pbtxt: String = [("cnn_lab embeddings", "tensors.tsv"), ("raw pixels", "pixels.tsv")]
        .iter()
        .map(|(name, path)| {
            format!(
                "embeddings {{\n  tensor_name: \"{name}\"\n  tensor_path: \"{path}\"\n  metadata_path: \"metadata.tsv\"\n  \
                 sprite {{\n    image_path: \"sprite.png\"\n    single_image_dim: {w}\n    single_image_dim: {h}\n  }}\n}}\n"
            )
        })
        .collect();
    write_atomic(dir.join("projector_config.pbtxt"), pbtxt.as_bytes())?;
    Ok(())
}
