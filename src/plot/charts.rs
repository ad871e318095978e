//! Bars, histograms and annotated heatmaps.

use super::colour::figure_colours;
use super::*;


fn draw_bars<DB: DrawingBackend>(root: &Area<DB>, title: &str, labels: &[String], values: &[f64], colors: &[RGBColor]) -> Result<()> {
    // Signed values draw below the axis; a chart of non-negative values starts at zero.
    let (lo, hi) = finite_range(values);
    let top = if hi <= 0.0 { if lo < 0.0 { 0.0 } else { 1.0 } } else { hi * 1.1 };
    let bottom = if lo < 0.0 { lo * 1.1 } else { 0.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(if labels.iter().any(|l| l.len() > 3) { 60 } else { 30 })
        .y_label_area_size(55)
        // n − 1 as the upper bound: a segmented 0..n range would add an empty slot at the end.
        .build_cartesian_2d((0..labels.len().max(2) - 1).into_segmented(), bottom..top)
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
            let v = if v.is_finite() { v } else { 0.0 };
            let mut r = Rectangle::new([(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), v)], c.filled());
            r.set_margin(0, 0, 3, 3);
            r
        }))
        .map_err(perr)?;
    Ok(())
}

/// Vertical bars, one per label.
pub fn bar_chart(title: &str, labels: &[&str], values: &[f64]) -> Result<Figure> {
    coloured_bars(title, labels, values, &[TAB10[0]; 1].repeat(values.len()))
}

/// Vertical bars with one colour per bar (e.g. a true class in green).
pub fn coloured_bars(title: &str, labels: &[&str], values: &[f64], colors: &[RGBColor]) -> Result<Figure> {
    if labels.len() != values.len() || values.is_empty() {
        return Err(Error::invalid(format!("bar_chart: {} labels for {} values", labels.len(), values.len())));
    }
    let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    render!(title; 640, 400, draw_bars, title, &labels, values, colors)
}


/// `range` is `b.range` or, without one, the data's.
fn draw_hist<DB: DrawingBackend>(root: &Area<DB>, title: &str, series: &[(String, Vec<f64>)], b: &Bins, range: (f64, f64)) -> Result<()> {
    let (bins, log_y, fixed, x_desc, (lo, hi)) = (b.count, b.log_y, &b.colours, b.x_desc.as_str(), range);
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
        .x_label_area_size(48)
        .y_label_area_size(if log_y { 72 } else { 55 })
        .build_cartesian_2d(lo..hi, y_lo..y_hi)
        .map_err(perr)?;
    let log_label = |y: &f64| if (y - y.round()).abs() < 1e-6 { format!("{}", 10f64.powi(y.round() as i32)) } else { String::new() };
    let mut mesh = chart.configure_mesh();
    let whole = (hi - lo) >= 20.0;
    let x_label = move |x: &f64| if whole { format!("{x:.0}") } else { format!("{x:.2}") };
    mesh.y_desc(if log_y { "density (log scale)" } else { "density" })
        .x_desc(x_desc)
        .axis_desc_style(("sans-serif", 14).into_font())
        .x_label_formatter(&x_label)
        .label_style(("sans-serif", 13).into_font())
        .light_line_style(WHITE.mix(0.0));
    if log_y {
        mesh.y_labels(((y_hi - y_lo).ceil() as usize + 1) * 4).y_label_formatter(&log_label);
    }
    mesh.draw().map_err(perr)?;
    let colours = figure_colours(&series.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), fixed);
    // Several series stand side by side within each bin, so none hides another.
    let share = width / series.len() as f64;
    for (k, ((name, _), c)) in series.iter().zip(&counts).enumerate() {
        let col = if series.len() > 1 || fixed.first().copied().flatten().is_some() { colours[k] } else { TAB10[0] };
        chart
            .draw_series(c.iter().enumerate().filter(|(_, &h)| h > 0.0).map(|(i, &h)| {
                let x0 = lo + i as f64 * width + k as f64 * share;
                Rectangle::new([(x0, y_lo), (x0 + share, ty(h))], col.mix(0.9).filled())
            }))
            .map_err(perr)?
            .label(name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], col.filled()));
    }
    if series.len() > 1 || !series[0].0.is_empty() {
        // The legend goes to the side away from the tallest bin, so it hides no bar.
        let tallest = counts.iter().flat_map(|c| c.iter().enumerate()).fold((0, 0.0), |b, (i, &h)| if h > b.1 { (i, h) } else { b }).0;
        let corner = if tallest >= bins / 2 { SeriesLabelPosition::UpperLeft } else { SeriesLabelPosition::UpperRight };
        chart.configure_series_labels().position(corner).label_font(("sans-serif", 13)).border_style(BLACK).background_style(WHITE.mix(0.8)).draw().map_err(perr)?;
    }
    Ok(())
}

/// How [`histogram`] bins its data: `count` bins over the data's range or a given one, on a
/// linear or logarithmic density axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Bins {
    pub count: usize,
    pub range: Option<(f64, f64)>,
    pub log_y: bool,
    /// One colour per series where the caller fixes it (`None`: picked from the name).
    pub colours: Vec<Option<RGBColor>>,
    /// The x axis' title (what the values are).
    pub x_desc: String,
}

impl Bins {
    /// `count` equal bins over the data's range.
    pub fn new(count: usize) -> Self {
        Self { count, range: None, log_y: false, colours: Vec::new(), x_desc: "value".into() }
    }
    /// Bins over `[lo, hi]` instead.
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }
    /// A logarithmic density axis, for data with one huge bin (the black background of
    /// Fashion-MNIST) that would flatten all the others.
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }
    /// The x axis' title.
    pub fn x_desc(mut self, desc: &str) -> Self {
        self.x_desc = desc.into();
        self
    }
    /// Fixed colours for the series, in order (e.g. each model's colour in the series).
    pub fn colours(mut self, colours: Vec<Option<RGBColor>>) -> Self {
        self.colours = colours;
        self
    }
}

/// Histogram (density) of one or more named series over `range` with `bins` bins.
pub fn histogram(title: &str, series: &[(&str, &[f64])], bins: Bins) -> Result<Figure> {
    if series.is_empty() || series.iter().all(|(_, v)| v.is_empty()) || bins.count == 0 {
        return Err(Error::invalid("histogram: no data"));
    }
    let all: Vec<f64> = series.iter().flat_map(|(_, v)| v.iter().cloned()).collect();
    let range = bins.range.unwrap_or_else(|| finite_range(&all));
    let owned: Vec<(String, Vec<f64>)> = series.iter().map(|(n, v)| (n.to_string(), v.to_vec())).collect();
    render!(title; 640, 400, draw_hist, title, &owned, &bins, range)
}


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

/// One layer output (a vector) as bars, e.g. the GAP vector or the class scores.
pub fn vector_bars(title: &str, values: &[f32], labels: Option<&[String]>) -> Result<Figure> {
    let names: Vec<String> = match labels {
        Some(l) if l.len() == values.len() => l.to_vec(),
        _ => (0..values.len()).map(|i| i.to_string()).collect(),
    };
    let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    // Plain values are blue (red and green mean wrong and right in the series); negative ones
    // go below the axis.
    bar_chart(title, &names, &values.iter().map(|&x| x as f64).collect::<Vec<_>>())
}

/// One bar per class, labelled with the class names (e.g. per-class accuracy).
pub fn class_bars(title: &str, class_names: &[String], values: &[f64]) -> Result<Figure> {
    let names: Vec<&str> = class_names.iter().map(|s| s.as_str()).collect();
    bar_chart(title, &names, values)
}
