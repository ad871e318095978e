//! Turning any image file into network input: greyscale, padded to a square with its
//! background, resized, inverted when the background is light (the datasets are light on dark).

use crate::util::error::{Error, Result};
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
    prepare_luma(load_grey(path)?, size).map_err(|m| Error::format(path, m))
}

/// The image file at `path` in greyscale. Transparent pixels are laid over white first: a
/// drawing on a transparent canvas reads as ink on paper (dropping the alpha channel would
/// turn its background black, like the strokes).
pub fn load_grey(path: &Path) -> Result<image::GrayImage> {
    decode_grey(path, &std::fs::read(path).map_err(|e| Error::io(path, e))?)
}

/// Longest side [`decode_grey`] accepts: padding to a square allocates side² bytes, so a
/// 2×100000 strip (a few hundred bytes as PNG) must not get that far.
pub const MAX_SIDE: u32 = 8192;

/// [`load_grey`] on the file's bytes (`path` names them in errors). Images larger than
/// [`MAX_SIDE`] on a side, or needing more than 512 MiB to decode, are refused; so are files a
/// decoder panics on.
pub fn decode_grey(path: &Path, bytes: &[u8]) -> Result<image::GrayImage> {
    let unreadable = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => Error::format(path, format!("image too large: more than {MAX_SIDE} px on a side or 512 MiB to decode")),
        e => Error::format(path, format!("not a readable image: {e}")),
    };
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::format(path, format!("not a readable image: {e}")))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 << 20);
    reader.limits(limits);
    let img = match crate::util::catch_panic(|| reader.decode()) {
        Ok(decoded) => decoded.map_err(unreadable)?,
        Err(panic) => return Err(Error::format(path, format!("the image decoder panicked on this file ({panic}): it is damaged or uses something the decoder cannot read"))),
    };
    if !img.color().has_alpha() {
        return Ok(img.to_luma8());
    }
    let la = img.to_luma_alpha8();
    Ok(image::GrayImage::from_fn(la.width(), la.height(), |x, y| {
        let [v, a] = la.get_pixel(x, y).0;
        let a = a as f32 / 255.0;
        image::Luma([(v as f32 * a + 255.0 * (1.0 - a)).round() as u8])
    }))
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
    if w.max(h) > MAX_SIDE {
        return Err(format!("image is {w}x{h}: larger than {MAX_SIDE} px on a side"));
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

/// `img` shrunk to at most `max` pixels on a side, keeping its shape (unchanged when it fits, or
/// when `max` is 0): a large photo's stages, shown small.
pub fn shrink_to(img: &image::GrayImage, max: u32) -> image::GrayImage {
    let (w, h) = img.dimensions();
    if w.max(h) <= max || max == 0 {
        return img.clone();
    }
    let f = max as f64 / w.max(h) as f64;
    let (sw, sh) = (((w as f64 * f).round() as u32).max(1), ((h as f64 * f).round() as u32).max(1));
    image::imageops::resize(img, sw, sh, image::imageops::FilterType::Triangle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decoder_panic_is_an_error_naming_the_file() {
        // Found by `make fuzz`: zune-jpeg 0.5.15's AVX2 IDCT unwraps a slice that is too short.
        let bytes = include_bytes!("../../fuzz/regressions/image/panic-zune-jpeg-0.5.15-idct-avx2.jpg");
        let e = decode_grey(Path::new("broken.jpg"), bytes).unwrap_err().to_string();
        assert!(e.contains("broken.jpg"), "{e}");
        // The panic is in the AVX2 code path; without AVX2 the decoder may refuse it another way.
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            assert!(e.contains("decoder panicked"), "{e}");
        }
    }

    #[test]
    fn large_images_are_shrunk_keeping_their_shape() {
        let size = |w, h, max| shrink_to(&image::GrayImage::new(w, h), max).dimensions();
        assert_eq!(size(28, 28, 280), (28, 28));
        assert_eq!(size(400, 200, 100), (100, 50));
        assert_eq!(size(3, 900, 300), (1, 300));
        assert_eq!(size(50, 60, 0), (50, 60));
    }
}
