//! Figures that explain what a CNN computes, on a real image: a convolution by hand, ReLU and
//! max-pooling,
//! the receptive field of each layer, and softmax with cross-entropy for one prediction.

use crate::inspect::explain::{convolve, max_pool, relu, softmax, Kernel3, Map};
use crate::model::ModelSpec;
use crate::plot::{self, ColorMap, Figure, Grid, Markdown, Panel};
use crate::util::error::{Error, Result};

/// A shared symmetric range ±m for signed maps, so that 0 is white and colours compare.
fn symmetric(maps: &[&Map]) -> (f32, f32) {
    let m = maps.iter().flat_map(|m| &m.values).fold(1e-6f32, |a, v| a.max(v.abs()));
    (-m, m)
}

fn panel(m: &Map, title: impl Into<String>, range: (f32, f32)) -> Panel {
    Panel::from_values(m.values.clone(), m.rows, m.cols, title).with_range(range.0, range.1)
}

/// An image and what each 3×3 kernel makes of it (`same` padding or "valid"), side by side on
/// one signed colour scale in pixel units (the input's 0..255 included), so that the colours of
/// all panels compare.
///
/// `convolution_figure(&img, &[("vertical edges", VERTICAL_EDGES), ("blur", BLUR)], false)?`
pub fn convolution_figure(image: &Map, kernels: &[(&str, Kernel3)], same: bool) -> Result<Figure> {
    if kernels.is_empty() {
        return Err(Error::invalid("convolution_figure: no kernels"));
    }
    let outs: Vec<Map> = kernels.iter().map(|(_, k)| convolve(image, k, same)).collect();
    let mut maps: Vec<&Map> = outs.iter().collect();
    maps.push(image);
    let range = symmetric(&maps);
    let mut panels = vec![panel(image, format!("input: {}×{}", image.rows, image.cols), range)];
    panels.extend(kernels.iter().zip(&outs).map(|((name, _), m)| panel(m, format!("{name}: {}×{}", m.rows, m.cols), range)));
    let padding = if same { "same" } else { "valid" };
    let grid = Grid::new(panels.len()).cmap(ColorMap::Diverging).cell(180).colour_bar("pixel value, and kernel output in the same units");
    plot::image_grid(&format!("3×3 kernels slid over an image ({padding} padding)"), &panels, &grid)
}

/// One convolution block on a kernel's output map: the map, after ReLU, after `size × size`
/// max-pooling, on one signed colour scale.
pub fn relu_pool_figure(map: &Map, size: usize) -> Result<Figure> {
    let rectified = relu(map);
    let pooled = max_pool(&rectified, size);
    let range = symmetric(&[map]);
    let panels = [
        panel(map, format!("kernel output: {}×{}", map.rows, map.cols), range),
        panel(&rectified, "after ReLU", range),
        panel(&pooled, format!("after {size}×{size} max-pooling: {}×{}", pooled.rows, pooled.cols), range),
    ];
    let grid = Grid::new(3).cmap(ColorMap::Diverging).cell(220).colour_bar("kernel output (pixel units)");
    plot::image_grid("ReLU keeps the positive responses; max-pooling the strongest of each window", &panels, &grid)
}

/// For each convolution and pooling layer of `spec`, the image with the window of input pixels
/// that one output value in the middle of the layer depends on (its receptive field) lit up.
pub fn receptive_field_figure(px: &[u8], spec: &ModelSpec) -> Result<Figure> {
    let (rows, cols) = spec.input;
    if px.len() != rows * cols {
        return Err(Error::invalid(format!("image has {} pixels, {} expects {rows}x{cols}", px.len(), spec.name)));
    }
    let fields = spec.receptive_fields()?;
    if fields.is_empty() {
        return Err(Error::invalid(format!("{} has no convolution or pooling layer", spec.name)));
    }
    let panels: Vec<Panel> = fields
        .iter()
        .map(|f| {
            let (r0, c0) = (rows.saturating_sub(f.size) / 2, cols.saturating_sub(f.size) / 2);
            let inside = |r: usize, c: usize| r >= r0 && r < r0 + f.size && c >= c0 && c < c0 + f.size;
            let heat = (0..rows * cols).map(|i| if inside(i / cols, i % cols) { 1.0 } else { 0.0 }).collect();
            Panel::from_bytes(px, rows, cols, format!("{}: {}×{}", f.layer, f.size, f.size)).with_overlay(heat, 0.45)
        })
        .collect();
    let title = format!("{}: the input pixels one value of each layer sees", spec.name);
    plot::image_grid(&title, &panels, &Grid::new(panels.len()).cell(140))
}

/// Softmax and cross-entropy of one prediction, step by step: each class's score, `exp(score −
/// max)`, the probability, and `−ln p` for the true class (the loss of this image).
pub fn softmax_table(scores: &[f32], class_names: &[String], label: usize) -> Result<Markdown> {
    if scores.len() != class_names.len() || label >= scores.len() {
        return Err(Error::invalid(format!(
            "softmax_table: {} scores, {} class names, label {label}",
            scores.len(), class_names.len()
        )));
    }
    let probs = softmax(scores);
    let top = scores.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let rows: Vec<Vec<String>> = (0..scores.len())
        .map(|i| {
            let loss = if i == label { format!("{:.3}", -(probs[i].max(1e-7)).ln()) } else { String::new() };
            let name = if i == label { format!("**{}** (true)", class_names[i]) } else { class_names[i].clone() };
            vec![name, format!("{:.2}", scores[i]), format!("{:.4}", (scores[i] - top).exp()), format!("{:.4}", probs[i]), loss]
        })
        .collect();
    Ok(Markdown::table(&["class", "score z", "exp(z − max z)", "probability", "−ln p"], &rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::explain::{BLUR, VERTICAL_EDGES};

    fn image() -> Map {
        Map::new((0..28 * 28).map(|i| ((i % 28) * 9) as f32).collect(), 28, 28).unwrap()
    }

    #[test]
    fn figures_draw_and_refuse_bad_input() {
        let img = image();
        let f = convolution_figure(&img, &[("edges", VERTICAL_EDGES), ("blur", BLUR)], false).unwrap();
        assert!(f.width >= 540 && f.title.contains("valid"));
        assert!(convolution_figure(&img, &[], true).is_err());
        let p = relu_pool_figure(&convolve(&img, &VERTICAL_EDGES, false), 2).unwrap();
        assert!(p.title.contains("max-pooling"));
        let spec = ModelSpec::preset("model1").unwrap();
        let px = vec![128u8; 28 * 28];
        let r = receptive_field_figure(&px, &spec).unwrap();
        assert!(r.title.contains("model1"));
        assert!(receptive_field_figure(&px[..10], &spec).is_err());
    }

    #[test]
    fn softmax_table_shows_the_loss_of_the_true_class_only() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let t = softmax_table(&[0.0, 0.0, 0.0], &names, 1).unwrap().0;
        // Three equal scores: each probability is 1/3 and the loss ln 3 = 1.099.
        assert!(t.contains("0.3333") && t.contains("1.099") && t.contains("**b** (true)"), "{t}");
        assert_eq!(t.matches("1.099").count(), 1);
        assert!(softmax_table(&[0.0], &names, 0).is_err());
    }
}
