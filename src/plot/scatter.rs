//! Scatter plots of 2-D and 3-D points coloured by class.

use super::*;


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

/// Axis titles and highlighted points of a [`scatter()`] plot.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScatterOptions<'a> {
    /// Titles of the x and y axes, e.g. `("PC1 (24 % of variance)", "PC2 (15 %)")`.
    pub axes: (&'a str, &'a str),
    /// One flag per point: the flagged points are drawn in full colour, the rest faded.
    pub highlight: Option<&'a [bool]>,
}

impl<'a> ScatterOptions<'a> {
    pub fn axes(mut self, x: &'a str, y: &'a str) -> Self {
        self.axes = (x, y);
        self
    }
    pub fn highlight(mut self, flags: &'a [bool]) -> Self {
        self.highlight = Some(flags);
        self
    }
}

/// Points coloured by class, with a legend of the classes present.
///
/// `scatter("PCA", &pts, &labels, &names, ScatterOptions::default().axes("PC1", "PC2"))`
pub fn scatter(title: &str, pts: &[(f64, f64)], labels: &[usize], class_names: &[String], opts: ScatterOptions) -> Result<Figure> {
    let ScatterOptions { axes, highlight } = opts;
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
