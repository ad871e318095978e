//! Plots that show inline in Jupyter (evcxr) as PNG and save as PNG or SVG.
//!
//! Every function returns a [`Figure`]; as the last expression of a notebook cell it displays
//! itself, and `fig.save("x.svg")` / `fig.save("x.png")` writes a file (atomically).
//!
//! ```no_run
//! use cnn_lab::plot::bar_chart;
//! let fig = bar_chart("Images per class", &["a", "b"], &[3.0, 5.0]).unwrap();
//! fig.save("counts.png").unwrap();
//! ```

use crate::error::{write_atomic, Error, Result};
use crate::train::History;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

type Area<'a, DB> = DrawingArea<DB, Shift>;

/// A rendered figure (PNG bytes and SVG text) and its title, which notebooks send beside the
/// image as its text form (the blog export uses it as the image's alt text).
#[derive(Clone)]
pub struct Figure {
    pub width: u32,
    pub height: u32,
    pub png: Vec<u8>,
    pub svg: String,
    pub title: String,
}

impl std::fmt::Debug for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Figure({}x{}, {:?})", self.width, self.height, self.title)
    }
}

impl Figure {
    /// Write the figure; the extension (`.png` or `.svg`) picks the format.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        match path.extension().and_then(|e| e.to_str()) {
            Some("png") => write_atomic(path, &self.png),
            Some("svg") => write_atomic(path, self.svg.as_bytes()),
            _ => Err(Error::format(path, "unsupported figure format: use .png or .svg")),
        }
    }

    /// The same figure described by `title` (what a reader is told it shows).
    pub fn with_title(mut self, title: impl Into<String>) -> Figure {
        self.title = title.into();
        self
    }

    /// Show inline in evcxr (called by the kernel for a cell's last expression): the PNG, and
    /// `Figure: <title>` as its plain-text form.
    pub fn evcxr_display(&self) {
        use base64::Engine;
        println!(
            "EVCXR_BEGIN_CONTENT image/png\n{}\nEVCXR_END_CONTENT",
            base64::engine::general_purpose::STANDARD.encode(&self.png)
        );
        let title = self.title.split_whitespace().collect::<Vec<_>>().join(" ");
        println!("EVCXR_BEGIN_CONTENT text/plain\nFigure: {}\nEVCXR_END_CONTENT", if title.is_empty() { "untitled" } else { &title });
    }
}

fn perr<E: std::fmt::Debug>(e: E) -> Error {
    Error::invalid(format!("plot: {e:?}"))
}

/// Draw `$draw(&area, args…)` once on a bitmap and once as SVG.
macro_rules! render {
    ($title:expr; $w:expr, $h:expr, $draw:ident $(, $arg:expr)*) => {{
        let (w, h): (u32, u32) = ($w, $h);
        let mut buf = vec![0u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
            root.fill(&WHITE).map_err(perr)?;
            $draw(&root $(, $arg)*)?;
            root.present().map_err(perr)?;
        }
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
            root.fill(&WHITE).map_err(perr)?;
            $draw(&root $(, $arg)*)?;
            root.present().map_err(perr)?;
        }
        let img = image::RgbImage::from_raw(w, h, buf).ok_or_else(|| Error::invalid("plot: bad buffer"))?;
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).map_err(perr)?;
        Ok(Figure { width: w, height: h, png, svg, title: String::from($title) })
    }};
}

/// Ten distinct colours (matplotlib's tab10), one per class.
pub const TAB10: [RGBColor; 10] = [
    RGBColor(31, 119, 180), RGBColor(255, 127, 14), RGBColor(44, 160, 44), RGBColor(214, 39, 40),
    RGBColor(148, 103, 189), RGBColor(140, 86, 75), RGBColor(227, 119, 194), RGBColor(127, 127, 127),
    RGBColor(188, 189, 34), RGBColor(23, 190, 207),
];

/// The colour of a named series (a model in training curves or weight histograms), a function of
/// the name alone, so a model keeps its colour in every figure, in every notebook. (A notebook
/// cell runs in its own compiled library, so a registry of names seen so far would not outlive the
/// cell.) The tab10 colours are ordered so that the series' own model names come out distinct.
pub fn series_colour(name: &str) -> RGBColor {
    const ORDER: [usize; 10] = [6, 5, 1, 2, 8, 0, 3, 7, 4, 9];
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    TAB10[ORDER[(h % 10) as usize]]
}

/// The colours of one figure's series: each name's own colour, or the next free one when two
/// names of the figure share it.
fn figure_colours(names: &[&str]) -> Vec<RGBColor> {
    let mut used: Vec<RGBColor> = Vec::new();
    for n in names {
        let own = series_colour(n);
        let start = TAB10.iter().position(|&c| c == own).unwrap_or(0);
        let c = (0..10).map(|k| TAB10[(start + k) % 10]).find(|c| !used.contains(c)).unwrap_or(own);
        used.push(c);
    }
    used
}

/// `x` as an integer when it is one, else nothing (axes counting epochs or images).
fn integer_label(x: &f64) -> String {
    if (x - x.round()).abs() < 1e-6 { format!("{}", x.round() as i64) } else { String::new() }
}

/// Text size for tick labels and legends: figures are drawn 760–1000 px wide and shown in a
/// ~760 px column, so 14–15 px here stays at least 11 px on screen.
const TICK: u32 = 14;

/// Viridis colour map, `t` in [0, 1].
pub fn viridis(t: f64) -> RGBColor {
    const A: [(f64, f64, f64); 5] = [(68., 1., 84.), (59., 82., 139.), (33., 145., 140.), (94., 201., 98.), (253., 231., 37.)];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 } * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let (a, b) = (A[i], A[i + 1]);
    let m = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Blue–white–red map for signed values, `t` in [−1, 1].
pub fn diverging(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(-1.0, 1.0) } else { 0.0 };
    let m = |x: f64| (255.0 - x * 255.0).round() as u8;
    if t >= 0.0 { RGBColor(255, m(t * 0.8), m(t * 0.8)) } else { RGBColor(m(-t * 0.8), m(-t * 0.8), 255) }
}

/// Jet-like map (blue → cyan → yellow → red), `t` in [0, 1], for heat overlays.
pub fn jet(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let f = |x: f64| ((1.5 - (4.0 * t - x).abs()).clamp(0.0, 1.0) * 255.0).round() as u8;
    RGBColor(f(3.0), f(2.0), f(1.0))
}

fn blend(a: RGBColor, b: RGBColor, t: f32) -> RGBColor {
    let m = |x: u8, y: u8| (x as f32 * (1.0 - t) + y as f32 * t).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Colours for right (blue) and wrong (red) predictions, and neutral bars (grey).
pub const BLUE: RGBColor = RGBColor(31, 119, 180);
pub const RED: RGBColor = RGBColor(214, 39, 40);
pub const GREY: RGBColor = RGBColor(160, 160, 160);

fn finite_range(v: &[f64]) -> (f64, f64) {
    let lo = v.iter().cloned().filter(|x| x.is_finite()).fold(f64::INFINITY, f64::min);
    let hi = v.iter().cloned().filter(|x| x.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() { (0.0, 1.0) } else if hi - lo < 1e-12 { (lo - 0.5, hi + 0.5) } else { (lo, hi) }
}

// ------------------------------------------------------------------ bar chart

fn draw_bars<DB: DrawingBackend>(root: &Area<DB>, title: &str, labels: &[String], values: &[f64], colors: &[RGBColor]) -> Result<()> {
    let (_, hi) = finite_range(values);
    let top = if hi <= 0.0 { 1.0 } else { hi * 1.1 };
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(if labels.iter().any(|l| l.len() > 3) { 60 } else { 30 })
        .y_label_area_size(55)
        // n − 1 as the upper bound: a segmented 0..n range would add an empty slot at the end.
        .build_cartesian_2d((0..labels.len().max(2) - 1).into_segmented(), 0f64..top)
        .map_err(perr)?;
    let labels_c = labels.to_vec();
    // Many bars (a 128-value vector): label every `step`-th one so the labels do not overlap.
    let step = labels.len().div_ceil(16).max(1);
    let counts = values.iter().all(|v| v.fract() == 0.0);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(labels.len())
        .x_label_formatter(&move |v| match v {
            SegmentValue::CenterOf(i) if i % step == 0 => labels_c.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&move |y| if counts { integer_label(y) } else { format!("{y:.2}") })
        .x_label_style(("sans-serif", if labels.len() > 12 { 11 } else { 13 }).into_font())
        .y_label_style(("sans-serif", 13).into_font())
        .draw()
        .map_err(perr)?;
    chart
        .draw_series(values.iter().enumerate().map(|(i, &v)| {
            let c = colors.get(i).copied().unwrap_or(TAB10[0]);
            let mut r = Rectangle::new([(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), v.max(0.0))], c.filled());
            r.set_margin(0, 0, 3, 3);
            r
        }))
        .map_err(perr)?;
    Ok(())
}

/// Vertical bars, one per label.
pub fn bar_chart(title: &str, labels: &[&str], values: &[f64]) -> Result<Figure> {
    bar_chart_colored(title, labels, values, &[TAB10[0]; 1].repeat(values.len()))
}

/// Vertical bars with one colour per bar.
pub fn bar_chart_colored(title: &str, labels: &[&str], values: &[f64], colors: &[RGBColor]) -> Result<Figure> {
    if labels.len() != values.len() || values.is_empty() {
        return Err(Error::invalid(format!("bar_chart: {} labels for {} values", labels.len(), values.len())));
    }
    let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    render!(title; 640, 400, draw_bars, title, &labels, values, colors)
}

// ------------------------------------------------------------------ histogram

fn draw_hist<DB: DrawingBackend>(root: &Area<DB>, title: &str, series: &[(String, Vec<f64>)], bins: usize, range: (f64, f64), log_y: bool) -> Result<()> {
    let (lo, hi) = range;
    let width = (hi - lo) / bins as f64;
    let counts: Vec<Vec<f64>> = series
        .iter()
        .map(|(_, v)| {
            let mut c = vec![0f64; bins];
            let mut n = 0f64;
            for &x in v {
                if x.is_finite() && x >= lo && x <= hi {
                    c[(((x - lo) / width) as usize).min(bins - 1)] += 1.0;
                    n += 1.0;
                }
            }
            // Density, so series of different sizes compare.
            c.iter().map(|&k| k / (n.max(1.0) * width)).collect()
        })
        .collect();
    let top = counts.iter().flatten().cloned().fold(0.0, f64::max).max(1e-9);
    // On a log axis the bars are drawn as log10(density) from a floor a decade under the
    // smallest non-zero bin, and the ticks are labelled with the densities themselves.
    let min_pos = counts.iter().flatten().cloned().filter(|&v| v > 0.0).fold(f64::INFINITY, f64::min);
    let (y_lo, y_hi) = if log_y { ((min_pos.min(top)).log10().floor() - 0.5, top.log10() + 0.3) } else { (0.0, top * 1.1) };
    let ty = move |h: f64| if log_y { if h > 0.0 { h.log10().max(y_lo) } else { y_lo } } else { h };
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(if log_y { 72 } else { 55 })
        .build_cartesian_2d(lo..hi, y_lo..y_hi)
        .map_err(perr)?;
    let log_label = |y: &f64| if (y - y.round()).abs() < 1e-6 { format!("{}", 10f64.powi(y.round() as i32)) } else { String::new() };
    let mut mesh = chart.configure_mesh();
    let whole = (hi - lo) >= 20.0;
    let x_label = move |x: &f64| if whole { format!("{x:.0}") } else { format!("{x:.2}") };
    mesh.y_desc(if log_y { "density (log scale)" } else { "density" }).x_label_formatter(&x_label).label_style(("sans-serif", 13).into_font());
    if log_y {
        mesh.y_labels(((y_hi - y_lo).ceil() as usize + 1) * 4).y_label_formatter(&log_label);
    }
    mesh.draw().map_err(perr)?;
    let colours = figure_colours(&series.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>());
    for (k, ((name, _), c)) in series.iter().zip(&counts).enumerate() {
        let col = if series.len() > 1 { colours[k] } else { TAB10[0] };
        chart
            .draw_series(c.iter().enumerate().filter(|(_, &h)| h > 0.0).map(|(i, &h)| {
                let x0 = lo + i as f64 * width;
                Rectangle::new([(x0, y_lo), (x0 + width, ty(h))], col.mix(if series.len() > 1 { 0.5 } else { 0.9 }).filled())
            }))
            .map_err(perr)?
            .label(name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], col.filled()));
    }
    if series.len() > 1 || !series[0].0.is_empty() {
        chart.configure_series_labels().position(SeriesLabelPosition::UpperRight).label_font(("sans-serif", 13)).border_style(BLACK).background_style(WHITE.mix(0.8)).draw().map_err(perr)?;
    }
    Ok(())
}

/// Histogram (density) of one or more named series over `range` with `bins` bins.
pub fn histogram(title: &str, series: &[(&str, &[f64])], bins: usize, range: Option<(f64, f64)>) -> Result<Figure> {
    hist_figure(title, series, bins, range, false)
}

/// [`histogram`] on a logarithmic density axis, for data with one huge bin (the black background
/// of Fashion-MNIST) that would flatten all the others.
pub fn histogram_log(title: &str, series: &[(&str, &[f64])], bins: usize, range: Option<(f64, f64)>) -> Result<Figure> {
    hist_figure(title, series, bins, range, true)
}

fn hist_figure(title: &str, series: &[(&str, &[f64])], bins: usize, range: Option<(f64, f64)>, log_y: bool) -> Result<Figure> {
    if series.is_empty() || series.iter().all(|(_, v)| v.is_empty()) || bins == 0 {
        return Err(Error::invalid("histogram: no data"));
    }
    let all: Vec<f64> = series.iter().flat_map(|(_, v)| v.iter().cloned()).collect();
    let range = range.unwrap_or_else(|| finite_range(&all));
    let owned: Vec<(String, Vec<f64>)> = series.iter().map(|(n, v)| (n.to_string(), v.to_vec())).collect();
    render!(title; 640, 400, draw_hist, title, &owned, bins, range, log_y)
}

// ------------------------------------------------------------------ training curves

fn draw_curves<DB: DrawingBackend>(root: &Area<DB>, runs: &[(String, History)]) -> Result<()> {
    let (w, h) = root.dim_in_pixel();
    let font = ("sans-serif", TICK + 1).into_font();
    // The legend is a strip under the panels (inside, it covered the curves): one colour per
    // model, then the line style of training and validation.
    let entries: Vec<(String, u32)> = runs
        .iter()
        .map(|(n, _)| {
            let tw = root.estimate_text_size(n, &TextStyle::from(font.clone())).map(|s| s.0).unwrap_or(8 * n.len() as u32);
            (n.clone(), tw + 44)
        })
        .collect();
    let key_w = 330;
    let mut rows = 1u32;
    let mut x = 0u32;
    for (_, ew) in &entries {
        if x + ew > w - 40 {
            rows += 1;
            x = 0;
        }
        x += ew;
    }
    if x + key_w > w - 40 {
        rows += 1;
    }
    let (top, legend) = root.split_vertically(h - 28 * rows - 8);
    let colours = figure_colours(&runs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>());
    let panels = top.split_evenly((1, 2));
    let n = runs.iter().map(|(_, h)| h.epochs()).max().unwrap_or(1).max(2);
    for (p, (metric, val_metric, name)) in panels.iter().zip([("loss", "val_loss", "Cross-entropy"), ("accuracy", "val_accuracy", "Accuracy")]) {
        let get = |h: &History, m: &str| -> Vec<f64> {
            match m {
                "loss" => h.loss.clone(),
                "val_loss" => h.val_loss.clone(),
                "accuracy" => h.accuracy.clone(),
                _ => h.val_accuracy.clone(),
            }
        };
        let all: Vec<f64> = runs.iter().flat_map(|(_, h)| [get(h, metric), get(h, val_metric)].concat()).collect();
        let (lo, hi) = finite_range(&all);
        let pad = (hi - lo) * 0.05;
        let mut chart = ChartBuilder::on(p)
            .caption(name, ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(48)
            .y_label_area_size(62)
            .build_cartesian_2d(1f64..n as f64, (lo - pad)..(hi + pad))
            .map_err(perr)?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .x_labels(n.min(10))
            .x_label_formatter(&integer_label)
            .y_label_formatter(&|y| format!("{y:.2}"))
            .label_style(("sans-serif", TICK).into_font())
            .axis_desc_style(("sans-serif", TICK + 1).into_font())
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(perr)?;
        for ((_, h), &col) in runs.iter().zip(&colours) {
            for (m, dashed) in [(metric, false), (val_metric, true)] {
                let pts: Vec<(f64, f64)> = get(h, m).iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, &v)| ((i + 1) as f64, v)).collect();
                let style = ShapeStyle { color: col.to_rgba(), filled: false, stroke_width: 2 };
                if dashed {
                    chart.draw_series(DashedLineSeries::new(pts.clone(), 6, 4, style)).map_err(perr)?;
                    chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, col.filled()))).map_err(perr)?;
                } else {
                    chart.draw_series(LineSeries::new(pts, style)).map_err(perr)?;
                }
            }
        }
    }
    let (mut x, mut y) = (60i32, 16i32);
    let text = |area: &Area<DB>, s: &str, x: i32, y: i32, c: &RGBColor| {
        let style = TextStyle::from(font.clone()).color(c).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Left, plotters::style::text_anchor::VPos::Center));
        area.draw(&Text::new(s.to_string(), (x, y), style)).map_err(perr)
    };
    for ((name, ew), &col) in entries.iter().zip(&colours) {
        if x as u32 + ew > w - 40 {
            x = 60;
            y += 28;
        }
        legend.draw(&Rectangle::new([(x, y - 7), (x + 26, y + 7)], col.filled())).map_err(perr)?;
        text(&legend, name, x + 34, y, &BLACK)?;
        x += *ew as i32;
    }
    if x as u32 + key_w > w - 40 {
        x = 60;
        y += 28;
    }
    let grey = RGBColor(60, 60, 60);
    legend.draw(&PathElement::new(vec![(x + 10, y), (x + 40, y)], grey.stroke_width(2))).map_err(perr)?;
    text(&legend, "training", x + 48, y, &grey)?;
    let x = x + 150;
    legend.draw(&PathElement::new(vec![(x + 10, y), (x + 18, y)], grey.stroke_width(2))).map_err(perr)?;
    legend.draw(&PathElement::new(vec![(x + 30, y), (x + 38, y)], grey.stroke_width(2))).map_err(perr)?;
    legend.draw(&Circle::new((x + 24, y), 3, grey.filled())).map_err(perr)?;
    text(&legend, "validation", x + 48, y, &grey)?;
    Ok(())
}

/// Loss and accuracy per epoch, train (solid) vs validation (dashed), for one or more runs.
pub fn training_curves(runs: &[(&str, &History)]) -> Result<Figure> {
    if runs.iter().all(|(_, h)| h.epochs() == 0) {
        return Err(Error::invalid("training_curves: no epochs to plot"));
    }
    let owned: Vec<(String, History)> = runs.iter().map(|(n, h)| (n.to_string(), (*h).clone())).collect();
    let rows = 1 + owned.len() as u32 / 4;
    render!(format!("Loss and accuracy per epoch, training and validation: {}", owned.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")); 1000, 400 + 28 * rows, draw_curves, &owned)
}

// ------------------------------------------------------------------ heatmap

fn draw_heatmap<DB: DrawingBackend>(root: &Area<DB>, title: &str, m: &[Vec<f64>], labels: &[String], annotate: bool, int_fmt: bool) -> Result<()> {
    let n = m.len();
    let cols = m.first().map(|r| r.len()).unwrap_or(0);
    let all: Vec<f64> = m.iter().flatten().cloned().collect();
    let (lo, hi) = finite_range(&all);
    let (w, _) = root.dim_in_pixel();
    let (root, bar) = root.split_horizontally(w - 80);
    let root = &root;
    // Segmented axes put each label at the centre of its cell.
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(56)
        .y_label_area_size(96)
        .build_cartesian_2d((0..cols.max(2) - 1).into_segmented(), (0..n.max(2) - 1).into_segmented())
        .map_err(perr)?;
    let (lx, ly) = (labels.to_vec(), labels.to_vec());
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(cols)
        .y_labels(n)
        .x_desc("predicted")
        .y_desc("true")
        .x_label_formatter(&move |v| match v {
            SegmentValue::CenterOf(i) => lx.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&move |v| match v {
            SegmentValue::CenterOf(i) if *i < n => ly.get(n - 1 - *i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .x_label_style(("sans-serif", if cols > 6 { 12 } else { 13 }).into_font())
        .y_label_style(("sans-serif", 13).into_font())
        .axis_desc_style(("sans-serif", TICK + 1).into_font())
        .draw()
        .map_err(perr)?;
    // Colour bar: what the colours mean, from the smallest to the largest value.
    {
        let (_, bh) = bar.dim_in_pixel();
        let (top, bottom) = (50i32, bh as i32 - 70);
        let steps = 100;
        for i in 0..steps {
            let t0 = i as f64 / steps as f64;
            let y_a = bottom - ((bottom - top) as f64 * (i + 1) as f64 / steps as f64) as i32;
            let y_b = bottom - ((bottom - top) as f64 * t0) as i32;
            bar.draw(&Rectangle::new([(8, y_a), (26, y_b)], viridis(t0).filled())).map_err(perr)?;
        }
        bar.draw(&Rectangle::new([(8, top), (26, bottom)], BLACK.stroke_width(1))).map_err(perr)?;
        let style = TextStyle::from(("sans-serif", 13).into_font()).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Left, plotters::style::text_anchor::VPos::Center));
        for t in [0.0, 0.5, 1.0] {
            let v = lo + t * (hi - lo);
            let y = bottom - ((bottom - top) as f64 * t) as i32;
            let txt = if int_fmt { format!("{v:.0}") } else { format!("{v:.2}") };
            bar.draw(&PathElement::new(vec![(26, y), (30, y)], BLACK.stroke_width(1))).map_err(perr)?;
            bar.draw(&Text::new(txt, (33, y), style.clone())).map_err(perr)?;
        }
    }
    let cell = |c: usize, y: usize| [(SegmentValue::Exact(c), SegmentValue::Exact(y)), (SegmentValue::Exact(c + 1), SegmentValue::Exact(y + 1))];
    for (r, row) in m.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            let t = (v - lo) / (hi - lo);
            chart.draw_series(std::iter::once(Rectangle::new(cell(c, n - 1 - r), viridis(t).filled()))).map_err(perr)?;
        }
    }
    if annotate {
        let area = chart.plotting_area();
        for (r, row) in m.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                let t = (v - lo) / (hi - lo);
                let txt = if int_fmt { format!("{v:.0}") } else { format!("{v:.2}") };
                let col = if t > 0.6 { BLACK } else { WHITE };
                let [a, b] = cell(c, n - 1 - r);
                let (px, py) = area.map_coordinate(&a);
                let (qx, qy) = area.map_coordinate(&b);
                let style = TextStyle::from(("sans-serif", if cols > 8 { 12 } else { 14 }).into_font()).color(&col).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Center, plotters::style::text_anchor::VPos::Center));
                root.draw(&Text::new(txt, ((px + qx) / 2, (py + qy) / 2), style)).map_err(perr)?;
            }
        }
    }
    Ok(())
}

/// Annotated heatmap of a square matrix (e.g. a confusion matrix), rows top to bottom.
pub fn heatmap(title: &str, m: &[Vec<f64>], labels: &[&str], annotate: bool) -> Result<Figure> {
    if m.is_empty() || m.iter().any(|r| r.len() != m[0].len()) {
        return Err(Error::invalid("heatmap: rows must be non-empty and of equal length"));
    }
    let int_fmt = m.iter().flatten().all(|v| v.fract() == 0.0);
    let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    render!(title; 800, 680, draw_heatmap, title, m, &labels, annotate, int_fmt)
}

/// A confusion matrix as counts (`normalized = false`) or row fractions.
pub fn confusion_heatmap(m: &[Vec<usize>], class_names: &[String], normalized: bool) -> Result<Figure> {
    let labels: Vec<&str> = class_names.iter().map(|s| s.as_str()).collect();
    if normalized {
        heatmap("Confusion matrix (row-normalised)", &crate::eval::normalize_rows(m), &labels, true)
    } else {
        let f: Vec<Vec<f64>> = m.iter().map(|r| r.iter().map(|&v| v as f64).collect()).collect();
        heatmap("Confusion matrix (counts)", &f, &labels, true)
    }
}

// ------------------------------------------------------------------ image grids

/// One panel of an image grid: a `rows × cols` map of values, a title and a colour scale.
#[derive(Clone, Debug)]
pub struct Panel {
    pub values: Vec<f32>,
    pub rows: usize,
    pub cols: usize,
    pub title: String,
    /// Value range mapped to the colour scale (min, max).
    pub range: (f32, f32),
    pub title_color: RGBColor,
    /// A heat map laid over the image (same size) and its opacity, e.g. a class activation map.
    pub overlay: Option<(Vec<f32>, f32)>,
    /// A frame drawn around the image (e.g. the query among its neighbours).
    pub frame: Option<RGBColor>,
}

impl Panel {
    /// A byte image shown in grey (0 black, 255 white).
    pub fn from_bytes(px: &[u8], rows: usize, cols: usize, title: impl Into<String>) -> Panel {
        Panel { values: px.iter().map(|&v| v as f32).collect(), rows, cols, title: title.into(), range: (0.0, 255.0), title_color: BLACK, overlay: None, frame: None }
    }
    /// A map of values with its own range.
    pub fn from_values(values: Vec<f32>, rows: usize, cols: usize, title: impl Into<String>) -> Panel {
        let lo = values.iter().cloned().fold(f32::INFINITY, f32::min);
        let hi = values.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        Panel { values, rows, cols, title: title.into(), range: (lo, hi), title_color: BLACK, overlay: None, frame: None }
    }
    pub fn with_range(mut self, lo: f32, hi: f32) -> Panel {
        self.range = (lo, hi);
        self
    }
    pub fn with_title_color(mut self, c: RGBColor) -> Panel {
        self.title_color = c;
        self
    }
    /// Draw a frame of colour `c` around the image.
    pub fn with_frame(mut self, c: RGBColor) -> Panel {
        self.frame = Some(c);
        self
    }
    /// Lay `heat` (one value per pixel, any range) over the panel with opacity `alpha`.
    pub fn with_overlay(mut self, heat: Vec<f32>, alpha: f32) -> Panel {
        self.overlay = Some((heat, alpha));
        self
    }
}

/// Colour scale of a grid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ColorMap {
    Grey,
    Viridis,
    /// Signed values: blue negative, red positive, centred on 0.
    Diverging,
}

fn draw_grid<DB: DrawingBackend>(root: &Area<DB>, title: &str, panels: &[Panel], ncols: usize, cmap: ColorMap) -> Result<()> {
    draw_grid_scaled(root, title, panels, ncols, cmap, None)
}

/// The height of the colour-bar strip under a grid.
const BAR_STRIP: u32 = 58;

/// A horizontal colour bar centred in `area`: `caption` above, the colours of `cmap` from t = 0
/// (left) to 1 (right), and `ticks` `(t, text)` under it.
fn draw_colour_bar<DB: DrawingBackend>(area: &Area<DB>, cmap: &dyn Fn(f64) -> RGBColor, ticks: &[(f64, String)], caption: &str) -> Result<()> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let (w, _) = area.dim_in_pixel();
    let bw = (w as i32 - 60).clamp(80, 320);
    let x0 = (w as i32 - bw) / 2;
    let (y0, y1) = (20, 34);
    let top = TextStyle::from(("sans-serif", 13).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    area.draw(&Text::new(caption.to_string(), (w as i32 / 2, 2), top.clone())).map_err(perr)?;
    for i in 0..bw {
        let c = cmap(i as f64 / (bw - 1).max(1) as f64);
        area.draw(&Rectangle::new([(x0 + i, y0), (x0 + i + 1, y1)], c.filled())).map_err(perr)?;
    }
    area.draw(&Rectangle::new([(x0, y0), (x0 + bw, y1)], BLACK.stroke_width(1))).map_err(perr)?;
    for (t, text) in ticks {
        let x = x0 + (t * bw as f64) as i32;
        area.draw(&PathElement::new(vec![(x, y1), (x, y1 + 3)], BLACK.stroke_width(1))).map_err(perr)?;
        area.draw(&Text::new(text.clone(), (x, y1 + 5), top.clone())).map_err(perr)?;
    }
    Ok(())
}

/// A colour-bar value with as many decimals as its range needs (0–255: none; 0.4–21.6: one),
/// never "-0".
fn tick_text(v: f32, span: f32) -> String {
    let decimals = if span.abs() >= 100.0 { 0 } else if span.abs() >= 10.0 { 1 } else { 2 };
    let t = format!("{v:.decimals$}");
    if t.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') { t.trim_start_matches('-').to_string() } else { t }
}

/// The colour bar of a grid whose panels share one range: the colour map with the range's ends
/// (and 0 for signed maps); for CAM overlays, "low" to "high" (each map has its own scale).
fn draw_grid_bar<DB: DrawingBackend>(area: &Area<DB>, panels: &[Panel], cmap: ColorMap, caption: &str) -> Result<()> {
    if panels.iter().any(|p| p.overlay.is_some()) {
        let ticks = [(0.0, "low".to_string()), (1.0, "high".to_string())];
        return draw_colour_bar(area, &jet, &ticks, caption);
    }
    let (lo, hi) = panels.first().map(|p| p.range).unwrap_or((0.0, 1.0));
    let fmt = |v: f32| tick_text(v, hi - lo);
    match cmap {
        ColorMap::Diverging => {
            let a = lo.abs().max(hi.abs());
            let ticks = [(0.0, format!("−{}", fmt(a))), (0.5, "0".to_string()), (1.0, format!("+{}", fmt(a)))];
            draw_colour_bar(area, &|t| diverging(2.0 * t - 1.0), &ticks, caption)
        }
        ColorMap::Viridis => draw_colour_bar(area, &viridis, &[(0.0, fmt(lo)), (1.0, fmt(hi))], caption),
        ColorMap::Grey => {
            let grey = |t: f64| {
                let g = (t * 255.0).round() as u8;
                RGBColor(g, g, g)
            };
            draw_colour_bar(area, &grey, &[(0.0, fmt(lo)), (1.0, fmt(hi))], caption)
        }
    }
}

fn draw_grid_scaled<DB: DrawingBackend>(root: &Area<DB>, title: &str, panels: &[Panel], ncols: usize, cmap: ColorMap, scale: Option<&str>) -> Result<()> {
    let size = if title.chars().count() > 48 { 17 } else { 20 };
    let root = if title.is_empty() { root.clone() } else { root.titled(title, ("sans-serif", size)).map_err(perr)? };
    let root = match scale {
        Some(caption) => {
            let (_, h) = root.dim_in_pixel();
            let (grid, bar) = root.split_vertically(h.saturating_sub(BAR_STRIP));
            draw_grid_bar(&bar, panels, cmap, caption)?;
            grid
        }
        None => root,
    };
    let nrows = panels.len().div_ceil(ncols);
    let cells = root.split_evenly((nrows, ncols));
    for (cell, p) in cells.iter().zip(panels) {
        let (w, h) = cell.dim_in_pixel();
        let th = if p.title.is_empty() { 0 } else { 16 };
        // Pixel size: fit the panel's own aspect ratio (barcodes are wide and short).
        let px = (w as f64 / p.cols as f64).min(h.saturating_sub(th + 2) as f64 / p.rows as f64) * 0.92;
        let x0 = ((w as f64 - px * p.cols as f64) / 2.0) as i32;
        let y0 = th as i32 + 2;
        let (lo, hi) = p.range;
        let span = if (hi - lo).abs() < 1e-12 { 1.0 } else { hi - lo };
        let amax = lo.abs().max(hi.abs()).max(1e-12);
        let heat = p.overlay.as_ref().map(|(h, a)| {
            let (hl, hh) = h.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(l, u), &v| (l.min(v), u.max(v)));
            (h, *a, hl, if hh - hl < 1e-12 { 1.0 } else { hh - hl })
        });
        for r in 0..p.rows {
            for c in 0..p.cols {
                let v = p.values[r * p.cols + c];
                let color = match cmap {
                    ColorMap::Grey => {
                        let g = (((v - lo) / span).clamp(0.0, 1.0) * 255.0).round() as u8;
                        RGBColor(g, g, g)
                    }
                    ColorMap::Viridis => viridis(((v - lo) / span) as f64),
                    ColorMap::Diverging => diverging((v / amax) as f64),
                };
                let color = match heat {
                    Some((h, a, hl, hs)) if h.len() == p.values.len() => {
                        let t = ((h[r * p.cols + c] - hl) / hs).clamp(0.0, 1.0);
                        blend(color, jet(t as f64), a * (0.25 + 0.75 * t))
                    }
                    _ => color,
                };
                let (a, b) = ((x0 as f64 + c as f64 * px) as i32, (y0 as f64 + r as f64 * px) as i32);
                let (a2, b2) = ((x0 as f64 + (c + 1) as f64 * px) as i32, (y0 as f64 + (r + 1) as f64 * px) as i32);
                cell.draw(&Rectangle::new([(a, b), (a2, b2)], color.filled())).map_err(perr)?;
            }
        }
        if let Some(f) = p.frame {
            let (x1, y1) = ((x0 as f64 + p.cols as f64 * px) as i32, (y0 as f64 + p.rows as f64 * px) as i32);
            cell.draw(&Rectangle::new([(x0 - 2, y0 - 2), (x1 + 1, y1 + 1)], f.stroke_width(3))).map_err(perr)?;
        }
        if th > 0 {
            let style = TextStyle::from(("sans-serif", 13).into_font()).color(&p.title_color).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Center, plotters::style::text_anchor::VPos::Top));
            cell.draw(&Text::new(p.title.clone(), (w as i32 / 2, 1), style)).map_err(perr)?;
        }
    }
    Ok(())
}

/// A grid of panels, `ncols` per row, each about `cell` pixels wide.
pub fn image_grid(title: &str, panels: &[Panel], ncols: usize, cmap: ColorMap, cell: u32) -> Result<Figure> {
    grid_figure(title, panels, ncols, cmap, cell, None)
}

/// [`image_grid`] with a colour bar under it saying what the colours mean (`caption`, e.g.
/// "activation"): the panels' shared range on `cmap`, or "low" to "high" for CAM overlays.
///
/// `image_grid_scaled("Kernels", &panels, 8, ColorMap::Diverging, 70, "weight")`
pub fn image_grid_scaled(title: &str, panels: &[Panel], ncols: usize, cmap: ColorMap, cell: u32, caption: &str) -> Result<Figure> {
    grid_figure(title, panels, ncols, cmap, cell, Some(caption))
}

fn grid_figure(title: &str, panels: &[Panel], ncols: usize, cmap: ColorMap, cell: u32, scale: Option<&str>) -> Result<Figure> {
    if panels.is_empty() || ncols == 0 {
        return Err(Error::invalid("image_grid: nothing to show"));
    }
    if let Some(p) = panels.iter().find(|p| p.values.len() != p.rows * p.cols) {
        return Err(Error::invalid(format!("image_grid: panel {:?} has {} values for {}x{}", p.title, p.values.len(), p.rows, p.cols)));
    }
    let ncols = ncols.min(panels.len());
    let nrows = panels.len().div_ceil(ncols) as u32;
    let extra = if title.is_empty() { 0 } else { 30 };
    // Rows as tall as the tallest panel needs at this width (square images: a full cell).
    let aspect = panels.iter().map(|p| p.rows as f64 / p.cols.max(1) as f64).fold(0.0, f64::max).min(1.0);
    let row = (cell as f64 * aspect).ceil().max(12.0) as u32 + 18;
    let bar = if scale.is_some() { BAR_STRIP } else { 0 };
    // At least wide enough for the colour bar and its caption.
    let width = (ncols as u32 * cell).max(if scale.is_some() { 360 } else { 0 });
    render!(grid_title(title, panels); width, nrows * row + extra + bar, draw_grid_scaled, title, panels, ncols, cmap, scale)
}

/// A grid's title, or its panels' titles when it has none.
fn grid_title(title: &str, panels: &[Panel]) -> String {
    if !title.is_empty() {
        return title.to_string();
    }
    let named: Vec<&str> = panels.iter().map(|p| p.title.as_str()).filter(|t| !t.is_empty()).take(8).collect();
    match named.len() {
        0 => format!("{} images", panels.len()),
        n if n < panels.len() => format!("{} images: {}, …", panels.len(), named.join(", ")),
        _ => named.join(", "),
    }
}

/// Labelled example images from a dataset (`indices`), titled with their class names.
pub fn dataset_grid(ds: &crate::data::Dataset, indices: &[usize], ncols: usize) -> Result<Figure> {
    let panels: Vec<Panel> = indices
        .iter()
        .map(|&i| Panel::from_bytes(ds.image(i), ds.rows, ds.cols, ds.class_names[ds.labels[i] as usize].clone()))
        .collect();
    image_grid("", &panels, ncols, ColorMap::Grey, grid_cell(ncols.min(indices.len())))
}

/// Cell width of a dataset grid: 110 px, larger for a few images so that a figure of two or
/// three is not a thumbnail.
fn grid_cell(ncols: usize) -> u32 {
    (440 / ncols.max(1) as u32).clamp(110, 180)
}

/// A query image (framed in red, titled "query: <class>") followed by its neighbours, titled
/// with their rank and class.
pub fn neighbours_grid(ds: &crate::data::Dataset, query: usize, neighbours: &[usize], ncols: usize) -> Result<Figure> {
    if std::iter::once(&query).chain(neighbours).any(|&i| i >= ds.len()) {
        return Err(Error::invalid(format!("neighbours_grid: an index is past the {} images", ds.len())));
    }
    let name = |i: usize| ds.class_names[ds.labels[i] as usize].clone();
    let mut panels = vec![Panel::from_bytes(ds.image(query), ds.rows, ds.cols, format!("query: {}", name(query))).with_frame(RED).with_title_color(RED)];
    panels.extend(neighbours.iter().enumerate().map(|(k, &i)| Panel::from_bytes(ds.image(i), ds.rows, ds.cols, format!("{}. {}", k + 1, name(i)))));
    let title = format!("A {} (framed) and its {} nearest neighbours", name(query), neighbours.len());
    image_grid(&title, &panels, ncols, ColorMap::Grey, 130)
}

// ------------------------------------------------------------------ predictions

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
    let best = crate::train::argmax(&probs.iter().map(|&p| p as f32).collect::<Vec<_>>());
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

/// The Keras notebook's results grid: each image with its probability bars; the title (predicted
/// class, probability, true class) and the predicted bar are blue when right, red when wrong.
pub fn prediction_grid(ds: &crate::data::Dataset, indices: &[usize], probs: &[Vec<f32>], ncols: usize) -> Result<Figure> {
    if indices.is_empty() || ncols == 0 || indices.iter().any(|&i| i >= ds.len() || i >= probs.len()) {
        return Err(Error::invalid("prediction_grid: indices must be non-empty and within the dataset and the predictions"));
    }
    let mut panels = Vec::new();
    let mut bars = Vec::new();
    let mut colors = Vec::new();
    for &i in indices {
        let p = &probs[i];
        let pred = crate::train::argmax(p);
        let truth = ds.labels[i] as usize;
        let ok = pred == truth;
        let col = if ok { BLUE } else { RED };
        let title = format!("{} {:.0}% ({})", ds.class_names[pred], 100.0 * p[pred], ds.class_names[truth]);
        panels.push(Panel::from_bytes(ds.image(i), ds.rows, ds.cols, title).with_title_color(col));
        bars.push(p.iter().map(|&v| v as f64).collect::<Vec<f64>>());
        let mut c = vec![GREY; p.len()];
        c[truth] = BLUE;
        c[pred] = col;
        colors.push(c);
    }
    let ncols = ncols.min(indices.len());
    let nrows = indices.len().div_ceil(ncols) as u32;
    // Three columns fill a 760 px blog column exactly, so the 13 px class names are not scaled down.
    let cell = (760 / ncols as u32).max(250);
    render!(format!("{} test images with their predicted class probabilities; title: prediction, confidence and (true class), red when wrong", indices.len()); ncols as u32 * cell, nrows * 180, draw_predictions, &panels, &bars, &colors, &ds.class_names, ncols)
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

// ------------------------------------------------------------------ scatter

/// A legend of the classes that occur in `labels`, one per line, in `area`; with `faded_note`, a
/// last line saying what the faded points are.
fn draw_class_legend<DB: DrawingBackend>(area: &Area<DB>, labels: &[usize], names: &[String], faded_note: Option<&str>) -> Result<()> {
    let mut present = vec![false; names.len()];
    for &l in labels {
        if l < present.len() {
            present[l] = true;
        }
    }
    let style = TextStyle::from(("sans-serif", TICK).into_font()).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Left, plotters::style::text_anchor::VPos::Center));
    let mut y = 50;
    for (k, name) in names.iter().enumerate().filter(|(k, _)| present[*k]) {
        area.draw(&Circle::new((12, y), 6, TAB10[k % 10].filled())).map_err(perr)?;
        area.draw(&Text::new(name.clone(), (24, y), style.clone())).map_err(perr)?;
        y += 24;
    }
    if let Some(note) = faded_note {
        y += 8;
        area.draw(&Circle::new((12, y), 6, TAB10[0].mix(0.15).filled())).map_err(perr)?;
        for (i, line) in note.split('\n').enumerate() {
            area.draw(&Text::new(line.to_string(), (24, y + 20 * i as i32), style.clone())).map_err(perr)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn draw_scatter<DB: DrawingBackend>(root: &Area<DB>, title: &str, axes: (&str, &str), pts: &[(f64, f64)], labels: &[usize], names: &[String], highlight: Option<&[bool]>, legend: bool) -> Result<()> {
    let (w, _) = root.dim_in_pixel();
    let (plot, side) = root.split_horizontally(if legend { w - 170 } else { w });
    let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
    let (x0, x1) = finite_range(&xs);
    let (y0, y1) = finite_range(&ys);
    let (px, py) = ((x1 - x0) * 0.04, (y1 - y0) * 0.04);
    let mut chart = ChartBuilder::on(&plot)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(if axes.0.is_empty() { 36 } else { 58 })
        .y_label_area_size(if axes.1.is_empty() { 52 } else { 76 })
        .build_cartesian_2d((x0 - px)..(x1 + px), (y0 - py)..(y1 + py))
        .map_err(perr)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(axes.0)
        .y_desc(axes.1)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{x:.1}"))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .label_style(("sans-serif", TICK).into_font())
        .axis_desc_style(("sans-serif", TICK + 1).into_font())
        .draw()
        .map_err(perr)?;
    for k in 0..names.len() {
        let col = TAB10[k % 10];
        let faded = highlight.is_some();
        // Faded points first, so the highlighted ones are drawn over them.
        for pass_on in [false, true] {
            chart
                .draw_series(pts.iter().zip(labels).enumerate().filter(|(i, (_, &l))| l == k && highlight.map(|h| h[*i]).unwrap_or(true) == pass_on).map(|(i, (&p, _))| {
                    let on = highlight.map(|h| h[i]).unwrap_or(true);
                    let c = if faded && !on { col.mix(0.12) } else { col.mix(0.8) };
                    Circle::new(p, if faded && on { 3 } else { 2 }, c.filled())
                }))
                .map_err(perr)?;
        }
    }
    if legend {
        draw_class_legend(&side, labels, names, highlight.map(|_| "faded: the other\nimages"))?;
    }
    Ok(())
}

/// Points coloured by class, with a legend of the classes present; `highlight` draws the flagged
/// points in full colour and fades the rest.
pub fn scatter(title: &str, pts: &[(f64, f64)], labels: &[usize], class_names: &[String], highlight: Option<&[bool]>) -> Result<Figure> {
    scatter_xy(title, ("", ""), pts, labels, class_names, highlight)
}

/// [`scatter`] with axis titles, e.g. `("PC1 (24 % of variance)", "PC2 (15 %)")`.
pub fn scatter_xy(title: &str, axes: (&str, &str), pts: &[(f64, f64)], labels: &[usize], class_names: &[String], highlight: Option<&[bool]>) -> Result<Figure> {
    if pts.len() != labels.len() || pts.is_empty() {
        return Err(Error::invalid(format!("scatter: {} points for {} labels", pts.len(), labels.len())));
    }
    if let Some(h) = highlight {
        if h.len() != pts.len() {
            return Err(Error::invalid("scatter: highlight needs one flag per point"));
        }
    }
    render!(title; 820, 640, draw_scatter, title, axes, pts, labels, class_names, highlight, true)
}

fn draw_views<DB: DrawingBackend>(root: &Area<DB>, title: &str, views: &[(String, Vec<(f64, f64)>)], labels: &[usize], names: &[String], highlight: Option<&[bool]>) -> Result<()> {
    let root = root.titled(title, ("sans-serif", 20)).map_err(perr)?;
    // Two columns; the class legend takes the cell after the last view.
    let rows = (views.len() + 1).div_ceil(2);
    let cells = root.split_evenly((rows, 2));
    for (area, (name, pts)) in cells.iter().zip(views) {
        draw_scatter(area, name, ("", ""), pts, labels, names, highlight, false)?;
    }
    if let Some(area) = cells.get(views.len()) {
        draw_class_legend(&area.margin(0, 0, 60, 0), labels, names, highlight.map(|_| "faded: the other\nimages"))?;
    }
    Ok(())
}

/// 3-D points shown as fixed 2-D projections, one per `(azimuth°, elevation°)` view.
pub fn scatter3d(title: &str, pts: &[[f64; 3]], labels: &[usize], class_names: &[String], views: &[(f64, f64)], highlight: Option<&[bool]>) -> Result<Figure> {
    if pts.len() != labels.len() || pts.is_empty() || views.is_empty() {
        return Err(Error::invalid(format!("scatter3d: {} points for {} labels, {} views", pts.len(), labels.len(), views.len())));
    }
    let projected: Vec<(String, Vec<(f64, f64)>)> = views
        .iter()
        .map(|&(az, el)| {
            let (sa, ca) = az.to_radians().sin_cos();
            let (se, ce) = el.to_radians().sin_cos();
            let p = pts.iter().map(|&[x, y, z]| (x * ca - y * sa, (x * sa + y * ca) * se + z * ce)).collect();
            (format!("azimuth {az:.0}°, elevation {el:.0}°"), p)
        })
        .collect();
    let rows = (views.len() + 1).div_ceil(2) as u32;
    render!(title; 840, 30 + 400 * rows, draw_views, title, &projected, labels, class_names, highlight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_render_to_png_and_svg() {
        let f = bar_chart("t", &["a", "b"], &[1.0, 2.0]).unwrap();
        assert_eq!(&f.png[1..4], b"PNG");
        assert!(f.svg.starts_with("<svg"));
        let p = Panel::from_bytes(&[0, 255, 128, 64], 2, 2, "x");
        let g = image_grid("g", &[p.clone(), p], 2, ColorMap::Grey, 60).unwrap();
        assert!(g.width == 120);
        assert!(bar_chart("t", &["a"], &[1.0, 2.0]).is_err());
        let gh = g.height;
        let st = vstack(&[f.clone(), g]).unwrap();
        assert_eq!((st.width, st.height), (640, 400 + gh));
        assert_eq!(image::load_from_memory(&st.png).unwrap().height(), st.height);
        assert_eq!(st.svg.matches("<svg").count(), 3);
        // Titles travel with the figures (the blog uses them as alt text).
        assert_eq!(st.title, "t; g");
        let untitled = image_grid("", &[Panel::from_bytes(&[0; 4], 2, 2, "bag"), Panel::from_bytes(&[0; 4], 2, 2, "")], 2, ColorMap::Grey, 60).unwrap();
        assert_eq!(untitled.title, "2 images: bag, …");
        assert_eq!(f.with_title("counts").title, "counts");
    }

    #[test]
    fn a_name_keeps_its_colour_and_epoch_ticks_are_integers() {
        // The notebooks' models keep distinct colours; one figure never repeats a colour.
        let names = ["model1", "model2", "model3", "model1 + L2", "BN + GAP"];
        let own: Vec<RGBColor> = names.iter().map(|n| series_colour(n)).collect();
        assert_eq!(own, figure_colours(&names));
        assert_eq!(own[0], TAB10[0]);
        let same = figure_colours(&["a", "a", "a"]);
        assert!(same[0] != same[1] && same[1] != same[2] && same[0] != same[2]);
        assert_eq!(integer_label(&3.0), "3");
        assert_eq!(integer_label(&2.5), "");
        assert_eq!((tick_text(-0.41, 22.0), tick_text(21.63, 22.0)), ("-0.4".to_string(), "21.6".to_string()));
        assert_eq!((tick_text(-0.001, 5.0), tick_text(255.0, 255.0), tick_text(-0.3, 0.6)), ("0.00".to_string(), "255".to_string(), "-0.30".to_string()));
        assert!(vstack(&[]).is_err());
    }


    #[test]
    fn save_refuses_unknown_extension() {
        let f = bar_chart("t", &["a"], &[1.0]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let e = f.save(dir.path().join("x.bmp")).unwrap_err().to_string();
        assert!(e.contains("x.bmp") && e.contains("use .png or .svg"), "{e}");
        f.save(dir.path().join("x.svg")).unwrap();
    }
}

// ------------------------------------------------------------------ dataset and model helpers
// Small compositions the notebooks use, so that their cells stay short.

/// Images per class as bars.
pub fn class_counts(ds: &crate::data::Dataset, title: &str) -> Result<Figure> {
    let names: Vec<&str> = ds.class_names.iter().map(|s| s.as_str()).collect();
    let counts: Vec<f64> = ds.class_counts().iter().map(|&c| c as f64).collect();
    bar_chart(title, &names, &counts)
}

/// The first `per_class` images of every class, one class per row.
pub fn examples_per_class(ds: &crate::data::Dataset, per_class: usize) -> Result<Figure> {
    let idx: Vec<usize> = (0..ds.num_classes()).flat_map(|c| ds.indices_of(c).into_iter().take(per_class)).collect();
    dataset_grid(ds, &idx, per_class.max(1))
}

/// The mean image of each class.
pub fn mean_images(ds: &crate::data::Dataset) -> Result<Figure> {
    let panels: Vec<Panel> = (0..ds.num_classes())
        .map(|c| Panel::from_values(ds.mean_image(c), ds.rows, ds.cols, ds.class_names[c].clone()).with_range(0.0, 255.0))
        .collect();
    image_grid_scaled("Mean image per class", &panels, 5, ColorMap::Viridis, 120, "mean pixel value")
}

/// Pixel-intensity histograms (density on a log axis, 0–255) of one or more datasets, over at
/// most 5,000 images each.
pub fn pixel_histogram(sets: &[(&str, &crate::data::Dataset)]) -> Result<Figure> {
    let vals: Vec<(String, Vec<f64>)> = sets
        .iter()
        .map(|(n, ds)| (n.to_string(), ds.images[..ds.pixels() * ds.len().min(5_000)].iter().map(|&v| v as f64).collect()))
        .collect();
    let series: Vec<(&str, &[f64])> = vals.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
    histogram_log("Pixel intensities (log scale: the black background is one huge bin)", &series, 32, Some((0.0, 255.0)))
}

/// Image `index` of `ds` followed by `n` random variants for each named augmentation (one row
/// per augmentation, named in the title), drawn with a seeded generator.
pub fn augmentation_grid(ds: &crate::data::Dataset, index: usize, augs: &[(&str, crate::augment::Augment)], n: usize, seed: u64) -> Result<Figure> {
    use rand::SeedableRng;
    if index >= ds.len() {
        return Err(Error::invalid(format!("augmentation_grid: image {index} of {}", ds.len())));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let img = ds.image(index);
    let mut panels = Vec::new();
    for (_, a) in augs {
        // "original (±36°, ±10 %)" is wider than a cell: the rows are named in the grid's title.
        panels.push(Panel::from_bytes(img, ds.rows, ds.cols, "original"));
        for k in 0..n {
            panels.push(Panel::from_bytes(&a.apply(img, ds.rows, ds.cols, &mut rng), ds.rows, ds.cols, format!("variant {}", k + 1)));
        }
    }
    let rows: Vec<String> = augs.iter().enumerate().map(|(i, (name, _))| format!("row {}: {name}", i + 1)).collect();
    image_grid(&rows.join(" · "), &panels, n + 1, ColorMap::Grey, 110)
}

/// The row-normalised confusion matrix of `model` on `ds`, titled with the model's `name`.
///
/// `model_confusion("BN + GAP", &gap, &data.test)?`
pub fn model_confusion(name: &str, model: &crate::train::Model, ds: &crate::data::Dataset) -> Result<Figure> {
    let pred = crate::eval::predicted(&model.predict(ds)?);
    let cm = crate::eval::confusion_matrix(&ds.labels, &pred, ds.num_classes());
    let labels: Vec<&str> = ds.class_names.iter().map(|s| s.as_str()).collect();
    heatmap(&format!("{name}: confusion matrix (row-normalised)"), &crate::eval::normalize_rows(&cm), &labels, true)
}

/// Histograms of one layer's kernel weights in several models (e.g. before/after regularising).
pub fn weight_histograms(models: &[(&str, &crate::train::Model)], layer: &str) -> Result<Figure> {
    let w: Vec<(String, Vec<f64>)> = models
        .iter()
        .map(|(n, m)| m.net.weights(layer).map(|(w, _)| (n.to_string(), w.into_iter().map(|v| v as f64).collect())))
        .collect::<Result<_>>()?;
    let series: Vec<(&str, &[f64])> = w.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
    histogram(&format!("Weights of {layer}"), &series, 40, Some((-0.5, 0.5)))
}

/// One layer output (a vector) as bars, e.g. the GAP vector or the class scores.
pub fn vector_bars(title: &str, values: &[f32], labels: Option<&[String]>) -> Result<Figure> {
    let names: Vec<String> = match labels {
        Some(l) if l.len() == values.len() => l.to_vec(),
        _ => (0..values.len()).map(|i| i.to_string()).collect(),
    };
    let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    let v: Vec<f64> = values.iter().map(|&x| x.max(0.0) as f64).collect();
    if values.iter().any(|&x| x < 0.0) {
        // Signed values: shift nothing, colour negatives red and show their magnitude.
        let colors: Vec<RGBColor> = values.iter().map(|&x| if x < 0.0 { RED } else { BLUE }).collect();
        let mag: Vec<f64> = values.iter().map(|&x| x.abs() as f64).collect();
        return bar_chart_colored(&format!("{title} (red: negative)"), &names, &mag, &colors);
    }
    bar_chart(title, &names, &v)
}

/// One bar per class, labelled with the class names (e.g. per-class accuracy).
pub fn class_bars(title: &str, class_names: &[String], values: &[f64]) -> Result<Figure> {
    let names: Vec<&str> = class_names.iter().map(|s| s.as_str()).collect();
    bar_chart(title, &names, values)
}

fn draw_layer_rows<DB: DrawingBackend>(root: &Area<DB>, title: &str, rows: &[(String, Vec<Panel>)], cmap: ColorMap, caption: &str) -> Result<()> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let root = root.titled(title, ("sans-serif", 17)).map_err(perr)?;
    let (_, h) = root.dim_in_pixel();
    let (body, bar) = root.split_vertically(h - BAR_STRIP);
    let label_w = 190;
    let style = TextStyle::from(("sans-serif", 13).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
    for (area, (label, panels)) in body.split_evenly((rows.len(), 1)).iter().zip(rows) {
        let (_, rh) = area.dim_in_pixel();
        for (i, line) in label.lines().enumerate() {
            area.draw(&Text::new(line.to_string(), (label_w - 8, rh as i32 / 2 - 8 + 16 * i as i32), style.clone())).map_err(perr)?;
        }
        let (_, maps) = area.split_horizontally(label_w);
        draw_grid(&maps, "", panels, panels.len().max(1), cmap)?;
    }
    let ticks = [(0.0, "row minimum".to_string()), (1.0, "row maximum".to_string())];
    match cmap {
        ColorMap::Viridis => draw_colour_bar(&bar, &viridis, &ticks, caption),
        _ => draw_colour_bar(&bar, &|t| diverging(2.0 * t - 1.0), &ticks, caption),
    }
}

/// Rows of small panels, each row labelled on its left (e.g. one row per layer, its range in
/// the label), each row on its own colour scale, explained by one colour bar.
pub fn labelled_rows(title: &str, rows: &[(String, Vec<Panel>)], cmap: ColorMap, caption: &str) -> Result<Figure> {
    let per = rows.iter().map(|(_, p)| p.len()).max().unwrap_or(0);
    if rows.is_empty() || per == 0 {
        return Err(Error::invalid("labelled_rows: nothing to show"));
    }
    let cell = ((760 - 190) / per as u32).min(90);
    render!(title; 760, 34 + rows.len() as u32 * (cell + 4) + BAR_STRIP, draw_layer_rows, title, rows, cmap, caption)
}

/// One labelled block of a [`barcode_figure`]: a name and its rows (one vector each).
pub type Strip = (String, Vec<Vec<f32>>);

fn draw_barcodes<DB: DrawingBackend>(root: &Area<DB>, title: &str, strips: &[Strip], ncols: usize, row_h: u32, caption: &str) -> Result<()> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let root = root.titled(title, ("sans-serif", 17)).map_err(perr)?;
    let (_, h) = root.dim_in_pixel();
    let (grid, bar) = root.split_vertically(h - BAR_STRIP);
    let (_, gh) = grid.dim_in_pixel();
    let (grid, tick_strip) = grid.split_vertically(gh - 20);
    let amax = strips.iter().flat_map(|(_, r)| r.iter().flatten()).fold(1e-12f32, |m, v| m.max(v.abs()));
    let d = strips.iter().flat_map(|(_, r)| r.first()).map(|r| r.len()).max().unwrap_or(1);
    let nrows = strips.len().div_ceil(ncols);
    let label = TextStyle::from(("sans-serif", 14).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
    let tick = TextStyle::from(("sans-serif", 12).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    // As wide as the longest block name needs ("0" for digits, "Ankle boot" for clothes).
    let label_w = strips.iter().map(|(n, _)| root.estimate_text_size(n, &label).map(|s| s.0 as i32).unwrap_or(8 * n.len() as i32)).max().unwrap_or(10) + 14;
    for (k, cell) in grid.split_evenly((nrows, ncols)).iter().enumerate().take(strips.len()) {
        // Fill down the columns, so that classes read in order from top to bottom.
        let (name, rows) = &strips[(k % ncols) * nrows + k / ncols];
        let (w, _) = cell.dim_in_pixel();
        let unit = (w as i32 - label_w - 8) as f64 / d as f64;
        for (r, row) in rows.iter().enumerate() {
            let y = 4 + r as i32 * row_h as i32;
            for (c, &v) in row.iter().enumerate() {
                let x = label_w + (c as f64 * unit) as i32;
                let x2 = label_w + ((c + 1) as f64 * unit) as i32;
                cell.draw(&Rectangle::new([(x, y), (x2, y + row_h as i32 - 1)], diverging((v / amax) as f64).filled())).map_err(perr)?;
            }
        }
        let mid = 4 + (rows.len() as i32 * row_h as i32) / 2;
        cell.draw(&Text::new(name.clone(), (label_w - 6, mid), label.clone())).map_err(perr)?;
    }
    // Unit numbers under each column of blocks.
    let (w, _) = tick_strip.dim_in_pixel();
    let col_w = w as i32 / ncols as i32;
    let unit = (col_w - label_w - 8) as f64 / d as f64;
    let step = if d > 64 { 32 } else if d > 20 { 10 } else { 5 };
    for k in 0..ncols as i32 {
        for c in (0..d).step_by(step).chain(std::iter::once(d - 1)) {
            let x = k * col_w + label_w + ((c as f64 + 0.5) * unit) as i32;
            tick_strip.draw(&Text::new(c.to_string(), (x, 2), tick.clone())).map_err(perr)?;
        }
    }
    let ticks = [(0.0, format!("−{amax:.2}")), (0.5, "0".to_string()), (1.0, format!("+{amax:.2}"))];
    draw_colour_bar(&bar, &|t| diverging(2.0 * t - 1.0), &ticks, caption)
}

/// Barcodes (vectors drawn as rows of coloured cells) in labelled blocks, e.g. five examples per
/// class, on one signed colour scale (blue below zero, red above) with a colour bar captioned
/// `caption`; unit numbers run along the bottom of each column.
pub fn barcode_figure(title: &str, strips: &[Strip], ncols: usize, caption: &str) -> Result<Figure> {
    let ncols = ncols.clamp(1, strips.len().max(1));
    if strips.is_empty() || strips.iter().any(|(_, r)| r.is_empty() || r.iter().any(|v| v.len() != r[0].len())) {
        return Err(Error::invalid("barcode_figure: every block needs rows of one length"));
    }
    let per = strips.iter().map(|(_, r)| r.len()).max().unwrap_or(1) as u32;
    // Single rows (class means) are taller so that each reads as a band.
    let row_h = if per == 1 { 26 } else { 14 };
    let nrows = strips.len().div_ceil(ncols) as u32;
    let block = per * row_h + if per == 1 { 6 } else { 16 };
    render!(title; 760, 34 + nrows * block + 20 + BAR_STRIP, draw_barcodes, title, strips, ncols, row_h, caption)
}

/// Several figures stacked top to bottom as one (a notebook cell displays a single figure).
pub fn vstack(figures: &[Figure]) -> Result<Figure> {
    if figures.is_empty() {
        return Err(Error::invalid("vstack: no figures"));
    }
    let width = figures.iter().map(|f| f.width).max().unwrap_or(1);
    let height: u32 = figures.iter().map(|f| f.height).sum();
    let mut canvas = image::RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
    let mut svg = format!("<svg width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">\n");
    let mut y = 0u32;
    for f in figures {
        let img = image::load_from_memory(&f.png).map_err(perr)?.to_rgb8();
        image::imageops::overlay(&mut canvas, &img, 0, y as i64);
        // Each figure becomes a nested <svg> placed at its offset.
        let body = f.svg.trim_start_matches(|c| c != '<');
        let body = if body.starts_with("<?xml") { &body[body.find("?>").map(|i| i + 2).unwrap_or(0)..] } else { body };
        svg.push_str(&body.trim_start().replacen("<svg", &format!("<svg x=\"0\" y=\"{y}\""), 1));
        svg.push('\n');
        y += f.height;
    }
    svg.push_str("</svg>\n");
    let mut png = Vec::new();
    canvas.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).map_err(perr)?;
    let title = figures.iter().map(|f| f.title.as_str()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("; ");
    Ok(Figure { width, height, png, svg, title })
}
