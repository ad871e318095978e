//! Generic plots that show inline in Jupyter (evcxr) as PNG and save as PNG or SVG: bars,
//! histograms, heatmaps, learning curves, image grids, probability bars, scatter plots, and
//! Markdown tables. Nothing here knows of datasets, models or training: the figures of those are
//! in `figures`, drawn with these.
//!
//! Every function returns a [`Figure`]; as the last expression of a notebook cell it displays
//! itself, and `fig.save("x.svg")` / `fig.save("x.png")` writes a file (atomically).
//!
//! ```no_run
//! use cnn_lab::plot::bar_chart;
//! let fig = bar_chart("Images per class", &["a", "b"], &[3.0, 5.0]).unwrap();
//! fig.save("counts.png").unwrap();
//! ```

use crate::util::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

type Area<'a, DB> = DrawingArea<DB, Shift>;

pub(crate) fn perr<E: std::fmt::Debug>(e: E) -> Error {
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

pub mod charts;
pub mod colour;
pub mod curves;
pub mod diagram;
pub mod figure;
pub mod grid;
pub mod markdown;
pub mod probabilities;
pub mod scatter;

pub use charts::{bar_chart, class_bars, coloured_bars, heatmap, histogram, vector_bars, Bins};
pub use colour::{diverging, heat_over, CAM_ALPHA, jet, series_colour, unit_range, viridis, BLUE, GREEN, GREY, RED, TAB10};
pub use plotters::style::RGBColor;
pub use curves::{learning_curves, Curves};
pub use figure::{vstack, Figure};
pub use grid::{barcode_figure, image_grid, labelled_rows, ColorMap, Grid, Panel, Strip};
pub use markdown::Markdown;
pub use probabilities::{classification_figure, probability_grid};
pub use scatter::{scatter, scatter3d, ScatterOptions};

/// `x` as an integer when it is one, else nothing (axes counting epochs or images).
pub(crate) fn integer_label(x: &f64) -> String {
    if (x - x.round()).abs() < 1e-6 { format!("{}", x.round() as i64) } else { String::new() }
}

/// Text size for tick labels and legends: figures are drawn 760–1000 px wide and shown in a
/// ~760 px column, so 14–15 px here stays at least 11 px on screen.
pub(crate) const TICK: u32 = 14;

pub(crate) fn finite_range(v: &[f64]) -> (f64, f64) {
    let lo = v.iter().cloned().filter(|x| x.is_finite()).fold(f64::INFINITY, f64::min);
    let hi = v.iter().cloned().filter(|x| x.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() { (0.0, 1.0) } else if hi - lo < 1e-12 { (lo - 0.5, hi + 0.5) } else { (lo, hi) }
}

/// Send `(mime type, content)` pairs to evcxr as a cell's displayed value (its display protocol).
pub(crate) fn evcxr_show(items: &[(&str, &str)]) {
    for (mime, content) in items {
        println!("EVCXR_BEGIN_CONTENT {mime}\n{content}\nEVCXR_END_CONTENT");
    }
}

#[cfg(test)]
mod tests {
    use super::colour::figure_colours;
    use super::grid::tick_text;
    use super::*;

    #[test]
    fn figures_render_to_png_and_svg() {
        let f = bar_chart("t", &["a", "b"], &[1.0, 2.0]).unwrap();
        assert_eq!(&f.png[1..4], b"PNG");
        assert!(f.svg.starts_with("<svg"));
        let p = Panel::from_bytes(&[0, 255, 128, 64], 2, 2, "x");
        let g = image_grid("g", &[p.clone(), p], &Grid::new(2).cell(60)).unwrap();
        assert!(g.width == 120);
        assert!(bar_chart("t", &["a"], &[1.0, 2.0]).is_err());
        let gh = g.height;
        let st = vstack(&[f.clone(), g]).unwrap();
        assert_eq!((st.width, st.height), (640, 400 + gh));
        assert_eq!(image::load_from_memory(&st.png).unwrap().height(), st.height);
        assert_eq!(st.svg.matches("<svg").count(), 3);
        // Titles travel with the figures (the blog uses them as alt text).
        assert_eq!(st.title, "t; g");
        let untitled = image_grid("", &[Panel::from_bytes(&[0; 4], 2, 2, "bag"), Panel::from_bytes(&[0; 4], 2, 2, "")], &Grid::new(2).cell(60)).unwrap();
        assert_eq!(untitled.title, "2 images: bag, …");
        assert_eq!(f.with_title("counts").title, "counts");
    }

    #[test]
    fn a_name_keeps_its_colour_and_epoch_ticks_are_integers() {
        // The notebooks' models keep distinct colours; one figure never repeats a colour.
        let names = ["model1", "model2", "model3", "model1 + L2", "BN + GAP"];
        let own: Vec<RGBColor> = names.iter().map(|n| series_colour(n)).collect();
        assert_eq!(own, figure_colours(&names, &[]));
        // A fixed colour wins, and the others avoid it.
        let fixed = figure_colours(&["model1", "x"], &[Some(TAB10[3]), None]);
        assert_eq!(fixed[0], TAB10[3]);
        assert_ne!(fixed[1], TAB10[3]);
        assert_eq!(own[0], TAB10[0]);
        let same = figure_colours(&["a", "a", "a"], &[]);
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
