//! Looking inside: preparing an arbitrary image for the network, first-layer kernels,
//! feature maps, class activation maps and GAP "barcodes".

use crate::error::{Error, Result};
use std::path::Path;

/// An image file turned into network input: 28×28 bytes, light objects on black.
#[derive(Clone, Debug)]
pub struct PreparedImage {
    pub pixels: Vec<u8>,
    pub rows: usize,
    pub cols: usize,
    /// Whether the colours were inverted (the photo had a light background).
    pub inverted: bool,
}

/// Load any PNG/JPEG/GIF: greyscale, pad to a square with its background, resize to `size`,
/// and invert when the background is light (the datasets are light-on-dark).
pub fn prepare_image(path: impl AsRef<Path>, size: usize) -> Result<PreparedImage> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let img = image::load_from_memory(&bytes)
        .map_err(|e| Error::format(path, format!("not a readable image: {e}")))?;
    prepare_luma(img.to_luma8(), size).map_err(|m| Error::format(path, m))
}

/// [`prepare_image`] for an image already in memory.
pub fn prepare_luma(g: image::GrayImage, size: usize) -> std::result::Result<PreparedImage, String> {
    prepare_steps(g, size).map(|(p, _)| p)
}

/// One stage of [`prepare_image`]: what it did and the image after it.
#[derive(Clone, Debug)]
pub struct PrepStep {
    pub what: String,
    pub image: image::GrayImage,
}

/// [`prepare_luma`] keeping each stage: greyscale as given, padded to a square with the
/// background, resized, and inverted (only when the background is light).
pub fn prepare_steps(g: image::GrayImage, size: usize) -> std::result::Result<(PreparedImage, Vec<PrepStep>), String> {
    let (w, h) = g.dimensions();
    if w < 2 || h < 2 {
        return Err(format!("image is {w}x{h}: too small to classify"));
    }
    // Background = mean of the border pixels.
    let mut border = Vec::new();
    for x in 0..w {
        border.push(g.get_pixel(x, 0)[0] as f32);
        border.push(g.get_pixel(x, h - 1)[0] as f32);
    }
    for y in 0..h {
        border.push(g.get_pixel(0, y)[0] as f32);
        border.push(g.get_pixel(w - 1, y)[0] as f32);
    }
    let bg = border.iter().sum::<f32>() / border.len() as f32;
    let inverted = bg > 127.0;
    let side = w.max(h);
    let mut sq = image::GrayImage::from_pixel(side, side, image::Luma([bg.round() as u8]));
    image::imageops::overlay(&mut sq, &g, ((side - w) / 2) as i64, ((side - h) / 2) as i64);
    let small = image::imageops::resize(&sq, size as u32, size as u32, image::imageops::FilterType::Triangle);
    let mut steps = vec![
        PrepStep { what: format!("greyscale, {w}x{h}"), image: g },
        PrepStep { what: format!("padded to {side}x{side}"), image: sq },
        PrepStep { what: format!("resized to {size}x{size}"), image: small.clone() },
    ];
    let mut pixels: Vec<u8> = small.into_raw();
    if inverted {
        pixels.iter_mut().for_each(|p| *p = 255 - *p);
        let img = image::GrayImage::from_raw(size as u32, size as u32, pixels.clone()).ok_or("resize gave a wrong size")?;
        steps.push(PrepStep { what: "inverted (light background)".into(), image: img });
    }
    Ok((PreparedImage { pixels, rows: size, cols: size, inverted }, steps))
}

/// The stages of preparing the image file at `path` for a network with `size`×`size` input,
/// side by side (the TF demo's transformation figure).
pub fn preparation_figure(path: impl AsRef<Path>, size: usize) -> Result<Figure> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let img = image::load_from_memory(&bytes).map_err(|e| Error::format(path, format!("not a readable image: {e}")))?;
    let (_, steps) = prepare_steps(img.to_luma8(), size).map_err(|m| Error::format(path, m))?;
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
    plot::image_grid(&format!("{name}: from file to network input"), &panels, panels.len(), ColorMap::Grey, 180)
}

// ------------------------------------------------------------------ activations

use crate::data::Dataset;
use crate::model::{Activation, Layer, LayerSpec};
use crate::plot::{self, ColorMap, Figure, Panel};
use crate::train::{images_tensor, tensor_to_vec, Model};

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

fn single(model: &Model, px: &[u8]) -> Result<Dataset> {
    let (h, w) = model.config.spec.input;
    if px.len() != h * w {
        return Err(Error::invalid(format!("image has {} pixels, the model expects {h}x{w}", px.len())));
    }
    Dataset::new(px.to_vec(), vec![0], h, w, model.class_names.clone())
}

/// Every layer's output for one byte image (`rows × cols` of the model's input), in order.
pub fn activations(model: &Model, px: &[u8]) -> Result<Vec<LayerOutput>> {
    let ds = single(model, px)?;
    let x = images_tensor(&ds, &[0], model.normalization, &model.device);
    let (_, trace) = model.net.forward_trace(x);
    Ok(trace
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
        .collect())
}

/// The output of the layer called `name` (see the model's summary) for one image.
pub fn layer_output(model: &Model, px: &[u8], name: &str) -> Result<LayerOutput> {
    model.net.layer_index(name)?;
    activations(model, px)?.into_iter().find(|l| l.name == name).ok_or_else(|| Error::invalid(format!("no output for layer {name:?}")))
}

/// Names of the convolution layers, in order.
pub fn conv_layers(model: &Model) -> Result<Vec<String>> {
    Ok(model.config.spec.rows()?.into_iter().filter(|r| r.kind == "conv2d").map(|r| r.name).collect())
}

/// The kernels of a convolution layer, one panel per (filter, input channel 0), sharing one
/// signed colour scale (blue negative, red positive).
pub fn kernels_figure(model: &Model, layer: &str, ncols: usize) -> Result<Figure> {
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
    plot::image_grid_scaled(&title, &panels, ncols, ColorMap::Diverging, 70, "kernel weight")
}

/// The feature maps of `layer` for one image, on one colour scale shared by the whole layer
/// (so a dim map really is weak, not just rescaled), stated in the title. At most `max_maps` maps.
pub fn feature_maps_figure(model: &Model, px: &[u8], layer: &str, max_maps: usize, ncols: usize) -> Result<Figure> {
    feature_maps_figure_for(model, px, "", layer, max_maps, ncols)
}

/// [`feature_maps_figure`] with the image named in the title (`what`, e.g. `"digit 1"`), for
/// figures stacked one image per panel.
pub fn feature_maps_figure_for(model: &Model, px: &[u8], what: &str, layer: &str, max_maps: usize, ncols: usize) -> Result<Figure> {
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
    plot::image_grid_scaled(&title, &panels, ncols, ColorMap::Viridis, 80, "activation (one scale for the whole layer)")
}

/// Every layer's feature maps for one image, one row per layer (the first `per_layer` maps),
/// each row on its own scale, stated in its label. Dropout rows are left out: at inference they
/// pass their input through unchanged.
pub fn every_layer_figure(model: &Model, px: &[u8], what: &str, per_layer: usize) -> Result<Figure> {
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
pub fn save_layer_grids(model: &Model, px: &[u8], dir: impl AsRef<Path>) -> Result<Vec<std::path::PathBuf>> {
    let dir = dir.as_ref();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut files = Vec::new();
    for l in activations(model, px)?.into_iter().filter(|l| !l.is_flat()) {
        let path = dir.join(format!("{}.png", l.name));
        feature_maps_figure(model, px, &l.name, l.channels, 16)?.save(&path)?;
        files.push(path);
    }
    Ok(files)
}

// ------------------------------------------------------------------ class activation maps

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
fn gap_then_dense(model: &Model) -> Result<(usize, usize)> {
    let layers = &model.config.spec.layers;
    let gap = layers.iter().position(|l| matches!(l, LayerSpec::GlobalAvgPool));
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
pub fn class_activation_map(model: &Model, px: &[u8], class: usize) -> Result<Cam> {
    let (g, d) = gap_then_dense(model)?;
    if class >= model.class_names.len() {
        return Err(Error::invalid(format!("class {class} out of range (0..{})", model.class_names.len())));
    }
    let acts = activations(model, px)?;
    let maps = &acts[g - 1];
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

/// The image with its CAM laid over it (jet-like colours, transparent where the map is low).
pub fn cam_panel(px: &[u8], cam: &Cam, title: impl Into<String>) -> Panel {
    Panel::from_bytes(px, cam.rows, cam.cols, title).with_overlay(cam.upsampled.clone(), 0.55)
}

/// CAMs of the predicted class for several images, titled "predicted (true)" in blue when right
/// and red when wrong.
pub fn cam_figure(model: &Model, ds: &Dataset, indices: &[usize], ncols: usize) -> Result<Figure> {
    let mut panels = Vec::new();
    for &i in indices {
        let p = model.predict_image(ds.image(i))?;
        let pred = crate::train::argmax(&p);
        let cam = class_activation_map(model, ds.image(i), pred)?;
        let truth = ds.labels[i] as usize;
        let title = format!("{} ({})", model.class_names[pred], ds.class_names[truth]);
        let color = if pred == truth { plot::BLUE } else { plot::RED };
        panels.push(cam_panel(ds.image(i), &cam, title).with_title_color(color));
    }
    plot::image_grid_scaled("Class activation maps: predicted (true)", &panels, ncols, ColorMap::Grey, 130, "evidence for the predicted class (each map scaled to its own range)")
}

// ------------------------------------------------------------------ classify a new image

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
pub fn classify_file(model: &Model, path: impl AsRef<Path>) -> Result<Classification> {
    let path = path.as_ref();
    let (h, _) = model.config.spec.input;
    let image = prepare_image(path, h)?;
    let probs = model.predict_image(&image.pixels)?;
    let top3 = crate::eval::top_k(&probs, 3);
    let cam = class_activation_map(model, &image.pixels, top3[0].0).ok();
    let source = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Classification { image, probs, top3, cam, class_names: model.class_names.clone(), source })
}

impl Classification {
    /// One line: `file: Class 0.93, Class 0.04, Class 0.01`.
    pub fn describe(&self) -> String {
        let best: Vec<String> = self.top3.iter().map(|(c, p)| format!("{} {:.3}", self.class_names[*c], p)).collect();
        format!("{}{}: {}", self.source, if self.image.inverted { " (inverted)" } else { "" }, best.join(", "))
    }
    /// The transformed input, the probability bars and (when available) the CAM, side by side.
    pub fn figure(&self) -> Result<Figure> {
        let names: Vec<&str> = self.class_names.iter().map(|s| s.as_str()).collect();
        let probs: Vec<f64> = self.probs.iter().map(|&p| p as f64).collect();
        let best = self.top3[0].0;
        let colors: Vec<_> = (0..probs.len()).map(|c| if c == best { plot::TAB10[0] } else { plot::GREY }).collect();
        let input = Panel::from_bytes(&self.image.pixels, self.image.rows, self.image.cols, self.source.clone());
        let cam = self.cam.as_ref().map(|c| cam_panel(&self.image.pixels, c, format!("CAM: {}", self.class_names[c.class])));
        plot::classification_figure(input, &names, &probs, &colors, cam)
    }
}

// ------------------------------------------------------------------ barcodes

/// The global-average-pooling vector ("barcode") of every image in `ds`, one row per image.
pub fn gap_vectors(model: &Model, ds: &Dataset) -> Result<Vec<Vec<f32>>> {
    let g = model
        .config
        .spec
        .layers
        .iter()
        .position(|l| matches!(l, LayerSpec::GlobalAvgPool))
        .ok_or_else(|| Error::invalid(format!("{} has no global average pooling layer", model.config.spec.name)))?;
    layer_vectors(model, ds, g)
}

/// The output of layer `index` (flattened) for every image of `ds`, in batches of 500.
pub fn layer_vectors(model: &Model, ds: &Dataset, index: usize) -> Result<Vec<Vec<f32>>> {
    if (ds.rows, ds.cols) != model.config.spec.input {
        return Err(Error::invalid(format!("images are {}x{}, the model expects {:?}", ds.rows, ds.cols, model.config.spec.input)));
    }
    let idx: Vec<usize> = (0..ds.len()).collect();
    let mut out = Vec::with_capacity(ds.len());
    for chunk in idx.chunks(500) {
        let x = images_tensor(ds, chunk, model.normalization, &model.device);
        let (_, trace) = model.net.forward_trace(x);
        let (_, a) = trace.into_iter().nth(index).ok_or_else(|| Error::invalid(format!("no layer {index}")))?;
        let t = match a {
            Activation::Flat(t) => t,
            Activation::Maps(t) => t.flatten(1, 3),
        };
        let [_, d] = t.dims();
        out.extend(tensor_to_vec(t).chunks(d).map(|r| r.to_vec()));
    }
    Ok(out)
}

/// Element-wise mean of the rows.
pub fn mean_vector(rows: &[Vec<f32>]) -> Vec<f32> {
    let d = rows.first().map(|r| r.len()).unwrap_or(0);
    let mut m = vec![0f32; d];
    for r in rows {
        m.iter_mut().zip(r).for_each(|(a, b)| *a += b);
    }
    m.iter_mut().for_each(|a| *a /= rows.len().max(1) as f32);
    m
}

/// Mean barcode of each class (rows = classes).
pub fn class_means(rows: &[Vec<f32>], labels: &[u8], classes: usize) -> Vec<Vec<f32>> {
    (0..classes)
        .map(|c| {
            let sel: Vec<Vec<f32>> = rows.iter().zip(labels).filter(|(_, &l)| l as usize == c).map(|(r, _)| r.clone()).collect();
            mean_vector(&sel)
        })
        .collect()
}

/// Each row minus `mean` (the "de-trended" barcode).
pub fn detrend(rows: &[Vec<f32>], mean: &[f32]) -> Vec<Vec<f32>> {
    rows.iter().map(|r| r.iter().zip(mean).map(|(a, b)| a - b).collect()).collect()
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
    use crate::model::{Act, ModelSpec};
    use crate::train::TrainConfig;
    use burn::module::Param;
    use burn::tensor::{Tensor, TensorData};

    /// conv 3×3 "same" with two filters (identity, negated identity), GAP, dense 2 → 2 with
    /// identity weights: every quantity can be worked out by hand.
    fn tiny() -> Model {
        let spec = ModelSpec {
            name: "tiny".into(),
            input: (4, 4),
            layers: vec![
                LayerSpec::Conv { filters: 2, kernel: 3, same: true, act: Act::Linear, l2: 0.0 },
                LayerSpec::GlobalAvgPool,
                LayerSpec::Dense { units: 2, act: Act::Linear, l2: 0.0 },
            ],
        };
        let device = crate::device::cpu();
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
        Model {
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
        assert!(feature_maps_figure(&m, &px, "global_average_pooling2d", 4, 2).unwrap_err().to_string().contains("vector"));
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
    fn cam_needs_a_gap_network() {
        let spec = ModelSpec::preset("model1").unwrap();
        let device = crate::device::cpu();
        let mut m = tiny();
        m.net = spec.build(&device);
        m.config = TrainConfig::new(spec);
        let e = class_activation_map(&m, &[0; 784], 0).unwrap_err().to_string();
        assert!(e.contains("global average pooling"), "{e}");
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
        assert!(barcode_strips_figure(&rows, &[0, 0, 1], &names, 10, 2).is_ok());
        let m = tiny();
        let ds = Dataset::new(vec![255; 32], vec![0, 1], 4, 4, names).unwrap();
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
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("bar.png");
        g.save(&path).unwrap();
        let fig = preparation_figure(&path, 28).unwrap();
        assert!(fig.width >= 4 * 150 && fig.png.starts_with(b"\x89PNG"));
    }
}
