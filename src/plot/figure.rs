//! A rendered figure, and figures stacked into one.

use super::{evcxr_show, perr};
use crate::util::error::{write_atomic, Error, Result};
use std::path::Path;

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

    /// A figure from a PNG file made elsewhere (a screenshot), described by `title`.
    pub fn from_png_file(path: impl AsRef<Path>, title: impl Into<String>) -> Result<Figure> {
        use base64::Engine;
        let path = path.as_ref();
        let png = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png).map_err(|e| Error::format(path, format!("not a PNG image: {e}")))?;
        let (width, height) = (img.width(), img.height());
        let data = base64::engine::general_purpose::STANDARD.encode(&png);
        let svg = format!(
            "<svg width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\"><image width=\"{width}\" height=\"{height}\" href=\"data:image/png;base64,{data}\"/></svg>\n"
        );
        Ok(Figure { width, height, png, svg, title: title.into() })
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
        let title = self.title.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = format!("Figure: {}", if title.is_empty() { "untitled" } else { &title });
        evcxr_show(&[("image/png", &base64::engine::general_purpose::STANDARD.encode(&self.png)), ("text/plain", &text)]);
    }
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
