//! Probability bars beside images: prediction grids and the single-image classification figure.

use super::grid::draw_grid;
use super::*;


/// Horizontal probability bars (0 to 1) with the class names on the left, first class on top;
/// the value of the longest bar is written beside it.
fn draw_hbars<DB: DrawingBackend>(area: &Area<DB>, caption: &str, labels: &[String], probs: &[f64], colors: &[RGBColor], font: u32) -> Result<()> {
    let n = probs.len().max(2);
    let label_w = labels.iter().map(|l| area.estimate_text_size(l, &TextStyle::from(("sans-serif", font).into_font())).map(|s| s.0).unwrap_or(7 * l.len() as u32)).max().unwrap_or(40);
    let mut b = ChartBuilder::on(area);
    if !caption.is_empty() {
        b.caption(caption, ("sans-serif", font + 2));
    }
    let mut chart = b
        .margin(4)
        .margin_right(34)
        .x_label_area_size(if caption.is_empty() { 0 } else { font + 8 })
        .y_label_area_size(label_w + 8)
        .build_cartesian_2d(0f64..1.0, (0..n - 1).into_segmented())
        .map_err(perr)?;
    let names = labels.to_vec();
    let name_of = move |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) if *i < names.len() => names[names.len() - 1 - *i].clone(),
        _ => String::new(),
    };
    let mut mesh = chart.configure_mesh();
    mesh.disable_mesh()
        .y_labels(n)
        .y_label_formatter(&name_of)
        .label_style(("sans-serif", font).into_font());
    if caption.is_empty() {
        mesh.disable_x_axis();
    } else {
        mesh.x_labels(3).x_label_formatter(&|x| format!("{x:.1}"));
    }
    mesh.draw().map_err(perr)?;
    let k = probs.len();
    chart
        .draw_series(probs.iter().enumerate().map(|(i, &v)| {
            let y = k - 1 - i;
            let mut r = Rectangle::new([(0.0, SegmentValue::Exact(y)), (v.clamp(0.0, 1.0), SegmentValue::Exact(y + 1))], colors[i].filled());
            r.set_margin(1, 1, 0, 0);
            r
        }))
        .map_err(perr)?;
    let best = crate::util::argmax(&probs.iter().map(|&p| p as f32).collect::<Vec<_>>());
    let style = TextStyle::from(("sans-serif", font).into_font()).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Left, plotters::style::text_anchor::VPos::Center));
    let at = (probs[best].clamp(0.0, 1.0), SegmentValue::CenterOf(k - 1 - best));
    chart
        .draw_series(std::iter::once(EmptyElement::at(at) + Text::new(format!("{:.2}", probs[best]), (3, 0), style)))
        .map_err(perr)?;
    Ok(())
}

fn draw_predictions<DB: DrawingBackend>(root: &Area<DB>, panels: &[Panel], probs: &[Vec<f64>], colors: &[Vec<RGBColor>], names: &[String], ncols: usize) -> Result<()> {
    let nrows = panels.len().div_ceil(ncols);
    for (k, cell) in root.split_evenly((nrows, ncols)).iter().zip(0..panels.len()).map(|(c, k)| (k, c)) {
        // The title spans the whole cell, so long titles are not cut at the image's width.
        let (w, _) = cell.dim_in_pixel();
        let style = TextStyle::from(("sans-serif", 14).into_font()).color(&panels[k].title_color).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Center, plotters::style::text_anchor::VPos::Top));
        cell.draw(&Text::new(panels[k].title.clone(), (w as i32 / 2, 4), style)).map_err(perr)?;
        let body = cell.margin(22, 6, 0, 4);
        let (left, right) = body.split_horizontally(96);
        let mut img = panels[k].clone();
        img.title.clear();
        draw_grid(&left, "", std::slice::from_ref(&img), 1, ColorMap::Grey)?;
        draw_hbars(&right, "", names, &probs[k], &colors[k], 13)?;
    }
    Ok(())
}

fn draw_classification<DB: DrawingBackend>(root: &Area<DB>, input: &Panel, labels: &[String], probs: &[f64], colors: &[RGBColor], cam: Option<&Panel>) -> Result<()> {
    let (w, _) = root.dim_in_pixel();
    let side = 200;
    let (left, rest) = root.split_horizontally(side);
    draw_grid(&left.margin(4, 0, 4, 4), "", std::slice::from_ref(input), 1, ColorMap::Grey)?;
    let (mid, right) = rest.split_horizontally(if cam.is_some() { w - 2 * side } else { w - side });
    draw_hbars(&mid.margin(6, 4, 8, 8), "probability", labels, probs, colors, 14)?;
    if let Some(c) = cam {
        draw_grid(&right.margin(4, 0, 4, 4), "", std::slice::from_ref(c), 1, ColorMap::Grey)?;
    }
    Ok(())
}

/// An input image, its probability bars and optionally a CAM panel, side by side, at blog width
/// (760 px).
pub fn classification_figure(input: Panel, labels: &[&str], probs: &[f64], colors: &[RGBColor], cam: Option<Panel>) -> Result<Figure> {
    if labels.len() != probs.len() || colors.len() != probs.len() {
        return Err(Error::invalid("classification_figure: one label and colour per probability"));
    }
    let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    let w = if cam.is_some() { 760 } else { 560 };
    render!(format!("{} as the network sees it: the input, its class probabilities{}", input.title, if cam.is_some() { " and the class activation map" } else { "" }); w, 250, draw_classification, &input, &labels, probs, colors, cam.as_ref())
}

/// Images with their probability bars in a grid (`ncols` per row): panel `i` above bars
/// `probs[i]` coloured `colors[i]`, class names from `names`.
pub fn probability_grid(title: &str, panels: &[Panel], probs: &[Vec<f64>], colors: &[Vec<RGBColor>], names: &[String], ncols: usize) -> Result<Figure> {
    if panels.is_empty() || ncols == 0 || probs.len() != panels.len() || colors.len() != panels.len() {
        return Err(Error::invalid("probability_grid: one row of probabilities and colours per panel"));
    }
    let ncols = ncols.min(panels.len());
    let nrows = panels.len().div_ceil(ncols) as u32;
    // Three columns fill a 760 px blog column exactly, so the 13 px class names are not scaled down.
    let cell = (760 / ncols as u32).max(250);
    render!(title; ncols as u32 * cell, nrows * 180, draw_predictions, panels, probs, colors, names, ncols)
}
