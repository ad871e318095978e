//! Grids of images or feature maps (with colour bars), labelled rows of panels, and barcodes.

use super::colour::{heat_over, unit_range};
use super::*;


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

pub(crate) fn draw_grid<DB: DrawingBackend>(root: &Area<DB>, title: &str, panels: &[Panel], ncols: usize, cmap: ColorMap) -> Result<()> {
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
pub(crate) fn tick_text(v: f32, span: f32) -> String {
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
        let heat = p.overlay.as_ref().map(|(h, a)| (unit_range(h), *a));
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
                let color = match &heat {
                    Some((h, a)) if h.len() == p.values.len() => heat_over(color, h[r * p.cols + c], *a),
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

/// How [`image_grid`] lays out its panels: `ncols` per row, each about `cell` pixels wide, on
/// a colour map, optionally with a colour bar saying what the colours mean.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub ncols: usize,
    pub cmap: ColorMap,
    pub cell: u32,
    /// Caption of a colour bar under the grid (e.g. "activation"): the panels' shared range on
    /// `cmap`, or "low" to "high" for CAM overlays. No colour bar when `None`.
    pub colour_bar: Option<String>,
}

impl Grid {
    /// `ncols` greyscale panels per row, 110 px each, no colour bar.
    pub fn new(ncols: usize) -> Self {
        Self { ncols, cmap: ColorMap::Grey, cell: 110, colour_bar: None }
    }
    pub fn cmap(mut self, cmap: ColorMap) -> Self {
        self.cmap = cmap;
        self
    }
    pub fn cell(mut self, px: u32) -> Self {
        self.cell = px;
        self
    }
    pub fn colour_bar(mut self, caption: impl Into<String>) -> Self {
        self.colour_bar = Some(caption.into());
        self
    }
}

/// A grid of panels laid out as `grid` says.
///
/// `image_grid("Kernels", &panels, &Grid::new(8).cmap(ColorMap::Diverging).cell(70).colour_bar("weight"))`
pub fn image_grid(title: &str, panels: &[Panel], grid: &Grid) -> Result<Figure> {
    grid_figure(title, panels, grid.ncols, grid.cmap, grid.cell, grid.colour_bar.as_deref())
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
