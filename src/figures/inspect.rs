//! Figures of what a network computes: kernels, feature maps, every layer at once, class
//! activation maps, a new image classified, the preparation of a photo, and barcodes.

use crate::data::Dataset;
use crate::inspect::prepare::load_grey;
use crate::inspect::{activations, class_activation_map, class_means, detrend, layer_output, mean_vector, prepare_steps, Cam, Classification};
use crate::plot::{self, ColorMap, Figure, Grid, Panel};
use crate::train::TrainedModel;
use crate::util::argmax;
use crate::util::error::{Error, Result};
use std::path::Path;

/// The stages of preparing the image file at `path` for a network with `size`×`size` input,
/// side by side (the TF demo's transformation figure).
pub fn preparation_figure(path: impl AsRef<Path>, size: usize) -> Result<Figure> {
    let path = path.as_ref();
    let (_, steps) = prepare_steps(load_grey(path)?, size).map_err(|m| Error::format(path, m))?;
    let panels: Vec<Panel> = steps
        .into_iter()
        .map(|s| {
            // Large photos are shown at most 160 px on a side: one rectangle per pixel otherwise.
            let (w, h) = s.image.dimensions();
            let k = (w.max(h) as f64 / 160.0).max(1.0);
            let (tw, th) = (((w as f64 / k).round() as u32).max(1), ((h as f64 / k).round() as u32).max(1));
            let shown = if k > 1.0 { image::imageops::thumbnail(&s.image, tw, th) } else { s.image };
            Panel::from_bytes(shown.as_raw(), th as usize, tw as usize, s.what)
        })
        .collect();
    let name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    plot::image_grid(&format!("{name}: from file to network input"), &panels, &Grid::new(panels.len()).cell(180))
}


/// The kernels of a convolution layer, one panel per (filter, input channel 0), sharing one
/// signed colour scale (blue negative, red positive).
pub fn kernels_figure(model: &TrainedModel, layer: &str, ncols: usize) -> Result<Figure> {
    let (w, dims) = model.net.weights(layer)?;
    if dims.len() != 4 {
        return Err(Error::invalid(format!("layer {layer:?} is not a convolution")));
    }
    let (out, inp, kh, kw) = (dims[0], dims[1], dims[2], dims[3]);
    let amax = w.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-12);
    let panels: Vec<Panel> = (0..out)
        .map(|f| {
            let start = f * inp * kh * kw;
            Panel::from_values(w[start..start + kh * kw].to_vec(), kh, kw, format!("{f}")).with_range(-amax, amax)
        })
        .collect();
    let title = format!("{layer}: {out} kernels {kh}x{kw}{}, blue −{amax:.2} to red +{amax:.2}", if inp > 1 { " (input channel 0)" } else { "" });
    plot::image_grid(&title, &panels, &Grid::new(ncols).cmap(ColorMap::Diverging).cell(70).colour_bar("kernel weight"))
}

/// Which maps [`feature_maps_figure`] shows and how: the first `max_maps`, `ncols` per row, the
/// image named in the title when `what` is not empty (e.g. `"digit 1"`, for figures stacked one
/// image per panel).
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureMaps {
    pub max_maps: usize,
    pub ncols: usize,
    pub what: String,
}

impl FeatureMaps {
    /// The first `max_maps` maps, `ncols` per row.
    pub fn new(max_maps: usize, ncols: usize) -> Self {
        Self { max_maps, ncols, what: String::new() }
    }
    /// Name the image in the title.
    pub fn of(mut self, what: impl Into<String>) -> Self {
        self.what = what.into();
        self
    }
}

/// The feature maps of `layer` for one image, on one colour scale shared by the whole layer
/// (so a dim map really is weak, not just rescaled), stated in the title.
///
/// `feature_maps_figure(&gap, image, "activation", &FeatureMaps::new(32, 8))`
pub fn feature_maps_figure(model: &TrainedModel, px: &[u8], layer: &str, opts: &FeatureMaps) -> Result<Figure> {
    let FeatureMaps { max_maps, ncols, what } = opts;
    let (max_maps, ncols) = (*max_maps, *ncols);
    let out = layer_output(model, px, layer)?;
    if out.is_flat() {
        return Err(Error::invalid(format!("layer {layer:?} outputs a vector, not feature maps: plot it as bars")));
    }
    let n = out.channels.min(max_maps.max(1));
    let lo = out.values.iter().cloned().fold(f32::INFINITY, f32::min);
    let hi = out.values.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let panels: Vec<Panel> =
        (0..n).map(|c| Panel::from_values(out.map(c).to_vec(), out.rows, out.cols, format!("{c}")).with_range(lo, hi)).collect();
    let title = format!(
        "{}{layer}: {} maps {}x{}{}, dark {lo:.2} to yellow {hi:.2}",
        if what.is_empty() { String::new() } else { format!("{what}, ") },
        out.channels,
        out.rows,
        out.cols,
        if n < out.channels { format!(" (first {n})") } else { String::new() }
    );
    plot::image_grid(&title, &panels, &Grid::new(ncols).cmap(ColorMap::Viridis).cell(80).colour_bar("activation (one scale for the whole layer)"))
}

/// Every layer's feature maps for one image, one row per layer (the first `per_layer` maps),
/// each row on its own scale, stated in its label. Dropout rows are left out: at inference they
/// pass their input through unchanged.
pub fn every_layer_figure(model: &TrainedModel, px: &[u8], what: &str, per_layer: usize) -> Result<Figure> {
    let rows: Vec<(String, Vec<Panel>)> = activations(model, px)?
        .into_iter()
        .filter(|l| !l.is_flat() && !l.name.starts_with("dropout"))
        .map(|l| {
            let (lo, hi) = l.values.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
            let n = l.channels.min(per_layer.max(1));
            let panels = (0..n).map(|c| Panel::from_values(l.map(c).to_vec(), l.rows, l.cols, "").with_range(lo, hi)).collect();
            (format!("{}\n{} maps {}x{}, {lo:.2} to {hi:.2}", l.name, l.channels, l.rows, l.cols), panels)
        })
        .collect();
    let title = format!("{}every layer's first {per_layer} feature maps", if what.is_empty() { String::new() } else { format!("{what}: ") });
    plot::labelled_rows(&title, &rows, ColorMap::Viridis, "each row on its own scale (range in its label)")
}

/// Save every feature-map layer's full grid (all its maps) for one image as `dir/<layer>.png`,
/// returning the files written, in layer order.
pub fn save_layer_grids(model: &TrainedModel, px: &[u8], dir: impl AsRef<Path>) -> Result<Vec<std::path::PathBuf>> {
    let dir = dir.as_ref();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut files = Vec::new();
    for l in activations(model, px)?.into_iter().filter(|l| !l.is_flat()) {
        let path = dir.join(format!("{}.png", l.name));
        feature_maps_figure(model, px, &l.name, &FeatureMaps::new(l.channels, 16))?.save(&path)?;
        files.push(path);
    }
    Ok(files)
}


/// The image with its CAM laid over it (jet-like colours, transparent where the map is low).
pub fn cam_panel(px: &[u8], cam: &Cam, title: impl Into<String>) -> Panel {
    Panel::from_bytes(px, cam.rows, cam.cols, title).with_overlay(cam.upsampled.clone(), plot::CAM_ALPHA)
}

/// CAMs of the predicted class for several images, titled "predicted (true)" in green when right
/// and red when wrong.
pub fn cam_figure(model: &TrainedModel, ds: &Dataset, indices: &[usize], ncols: usize) -> Result<Figure> {
    let mut panels = Vec::new();
    for &i in indices {
        let p = model.predict_image(ds.image(i))?;
        let pred = argmax(&p);
        let cam = class_activation_map(model, ds.image(i), pred)?;
        let truth = ds.labels[i] as usize;
        let title = format!("{} ({})", model.class_names[pred], ds.class_names[truth]);
        let color = if pred == truth { plot::GREEN } else { plot::RED };
        panels.push(cam_panel(ds.image(i), &cam, title).with_title_color(color));
    }
    plot::image_grid("Class activation maps: predicted (true)", &panels, &Grid::new(ncols).cell(130).colour_bar("evidence for the predicted class (each map scaled to its own range)"))
}


impl Classification {
    /// The transformed input, the probability bars and (when available) the CAM, side by side.
    pub fn figure(&self) -> Result<Figure> {
        let names: Vec<&str> = self.class_names.iter().map(|s| s.as_str()).collect();
        let probs: Vec<f64> = self.probs.iter().map(|&p| p as f64).collect();
        // The true class is unknown: every bar is a plain value (blue); the tallest is the answer.
        let colors: Vec<_> = vec![plot::BLUE; probs.len()];
        let input = Panel::from_bytes(&self.image.pixels, self.image.rows, self.image.cols, self.source.clone());
        let cam = self.cam.as_ref().map(|c| cam_panel(&self.image.pixels, c, format!("CAM: {}", self.class_names[c.class])));
        plot::classification_figure(input, &names, &probs, &colors, cam)
    }
}

/// Per class, `per_class` de-trended barcodes stacked as a labelled block (rows = examples),
/// all on one signed colour scale.
pub fn barcode_strips_figure(rows: &[Vec<f32>], labels: &[u8], class_names: &[String], per_class: usize, ncols: usize) -> Result<Figure> {
    if rows.is_empty() {
        return Err(Error::invalid("barcodes: no vectors"));
    }
    let mean = mean_vector(rows);
    let strips: Vec<plot::Strip> = class_names
        .iter()
        .enumerate()
        .filter_map(|(c, name)| {
            let sel: Vec<Vec<f32>> = rows.iter().zip(labels).filter(|(_, &l)| l as usize == c).take(per_class).map(|(r, _)| r.clone()).collect();
            (!sel.is_empty()).then(|| (name.clone(), detrend(&sel, &mean)))
        })
        .collect();
    let title = format!("Barcodes minus the average barcode: {per_class} examples per class (rows), one column per GAP unit");
    plot::barcode_figure(&title, &strips, ncols, "GAP value minus its mean over all images")
}

/// The mean barcode of each class minus the overall mean, one labelled row per class (columns =
/// GAP units): which units each class turns up or down.
pub fn class_mean_figure(rows: &[Vec<f32>], labels: &[u8], class_names: &[String]) -> Result<Figure> {
    if rows.is_empty() {
        return Err(Error::invalid("barcodes: no vectors"));
    }
    let means = class_means(rows, labels, class_names.len());
    let det = detrend(&means, &mean_vector(rows));
    let strips: Vec<plot::Strip> = class_names.iter().zip(det).map(|(n, r)| (n.clone(), vec![r])).collect();
    plot::barcode_figure("Class means minus the overall mean (one row per class)", &strips, 1, "mean GAP value minus the overall mean")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::{TrainConfig, Trainer};

    #[test]
    fn vectors_are_not_feature_maps_and_barcodes_draw() {
        let names: Vec<String> = crate::data::FASHION_CLASSES.iter().map(|s| s.to_string()).collect();
        let m = Trainer::new(TrainConfig::preset("gap").unwrap().quiet(), &crate::util::device::cpu()).unwrap().model(&names);
        let e = feature_maps_figure(&m, &[0; 784], "global_average_pooling2d", &FeatureMaps::new(4, 2)).unwrap_err().to_string();
        assert!(e.contains("vector"), "{e}");
        let rows = vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 9.0]];
        assert!(barcode_strips_figure(&rows, &[0, 0, 1], &names[..2], 10, 2).is_ok());
    }

    #[test]
    fn preparation_shows_every_stage() {
        let mut g = image::GrayImage::from_pixel(60, 40, image::Luma([240]));
        for x in 20..40 {
            for y in 15..25 {
                g.put_pixel(x, y, image::Luma([10]));
            }
        }
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("bar.png");
        g.save(&path).unwrap();
        let fig = preparation_figure(&path, 28).unwrap();
        assert!(fig.width >= 4 * 150 && fig.png.starts_with(b"\x89PNG"));
    }
}
