//! What the fuzz targets in `fuzz/` feed their bytes to, and the seed inputs they start from.
//! One entry per reader of outside files; the replay test (`tests/fuzz_replay.rs`) runs the
//! same entries over the committed corpus and every input that once crashed, so `cargo test`
//! keeps them fixed without fuzzing.
//!
//! ```no_run
//! assert!(cnn_lab::lab::fuzz::run(cnn_lab::lab::fuzz::Target::Idx, b"\0\0\x08\x03").is_err());
//! ```

use crate::util::error::Result;
use std::io::Write;
use std::path::Path;

/// A reader under fuzzing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// IDX images, then the same bytes as IDX labels (raw or gzip).
    Idx,
    /// The digits CSV reader (raw or gzip).
    Csv,
    /// The model file container and everything behind it (header JSON, spec, weights).
    Model,
    /// Image decoding and preparation for `classify` (PNG, JPEG, GIF).
    Image,
}

impl Target {
    pub const ALL: [Target; 4] = [Target::Idx, Target::Csv, Target::Model, Target::Image];

    /// The target's name: its folder under `fuzz/corpus` and `fuzz/regressions`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Idx => "idx",
            Target::Csv => "csv",
            Target::Model => "model",
            Target::Image => "image",
        }
    }
}

/// Feed `bytes` to `target`'s reader: `Ok` when it accepted them. Errors are the expected
/// answer to bad bytes; a panic, an allocation beyond the fuzzer's limit or a hang is a bug.
pub fn run(target: Target, bytes: &[u8]) -> Result<()> {
    let path = Path::new("fuzz-input");
    match target {
        Target::Idx => {
            let images = crate::data::idx_images_from_bytes(path, bytes).map(drop);
            images.or_else(|_| crate::data::idx_labels_from_bytes(path, bytes).map(drop))
        }
        Target::Csv => crate::data::digits_csv_from_bytes(path, bytes).map(drop),
        Target::Model => crate::train::TrainedModel::from_bytes(path, &model_file(bytes), &crate::util::device::cpu()).map(drop),
        Target::Image => {
            let g = crate::inspect::decode_grey(path, bytes)?;
            crate::inspect::prepare_steps(g, 28).map(drop).map_err(|m| crate::util::error::Error::format(path, m))
        }
    }
}

/// The model target's file, by the input's first byte: 0, the rest is the file as it is (so the
/// container's own checks are fuzzed); 1, the rest is the header JSON, a 0 byte and the weights,
/// assembled into a container with valid lengths and checksum (so a mutated number in the JSON
/// reaches the model spec); anything else, the rest is the container's body (lengths as given),
/// wrapped in the magic bytes and a valid checksum.
fn model_file(bytes: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let magic = crate::train::trained::MAGIC;
    let body = match bytes.split_first() {
        None => return Vec::new(),
        Some((0, rest)) => return rest.to_vec(),
        Some((1, rest)) => {
            let (json, weights) = match rest.iter().position(|&b| b == 0) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, &[][..]),
            };
            let mut b = Vec::with_capacity(16 + rest.len());
            for part in [json, weights] {
                b.extend_from_slice(&(part.len() as u64).to_le_bytes());
                b.extend_from_slice(part);
            }
            b
        }
        Some((_, rest)) => rest.to_vec(),
    };
    let mut f = magic.to_vec();
    f.extend_from_slice(&body);
    let sum = Sha256::digest(&f);
    f.extend_from_slice(&sum);
    f
}

/// Small valid inputs for each target, named, to start the fuzzer from (`cnn-lab fuzz-seeds`).
pub fn seeds(target: Target) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    match target {
        Target::Idx => {
            let mut img = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3];
            img.extend((0..18u8).map(|i| i * 14));
            let lab = vec![0, 0, 8, 1, 0, 0, 0, 3, 1, 7, 9];
            out.push(("images.idx".into(), img.clone()));
            out.push(("images.idx.gz".into(), gzip(&img)));
            out.push(("labels.idx".into(), lab.clone()));
            out.push(("labels.idx.gz".into(), gzip(&lab)));
        }
        Target::Csv => {
            let row = |label: &str, first: bool| {
                let px = (0..784).map(|i| ((i * 7) % 256).to_string()).collect::<Vec<_>>().join(",");
                if first { format!("{label},{px}") } else { format!("{px},{label}") }
            };
            let header = std::iter::once("label".to_string()).chain((0..784).map(|i| format!("pixel{i}"))).collect::<Vec<_>>().join(",");
            out.push(("kaggle.csv".into(), format!("{header}\n{}\n{}\n", row("3", true), row("8", true)).into_bytes()));
            let mlx = format!("{}\n", row("4", false));
            out.push(("mlxtend.csv".into(), mlx.clone().into_bytes()));
            out.push(("mlxtend.csv.gz".into(), gzip(mlx.as_bytes())));
        }
        Target::Model => {
            let dir = tempfile::tempdir().map_err(|e| crate::util::error::Error::io(std::env::temp_dir(), e))?;
            let path = dir.path().join("tiny.cnnlab");
            tiny_model()?.save(&path)?;
            let file = std::fs::read(&path).map_err(|e| crate::util::error::Error::io(&path, e))?;
            let body = &file[8..file.len() - 32];
            let json_len = u64::from_le_bytes(body[..8].try_into().expect("8 bytes")) as usize;
            let (json, weights) = (&body[8..8 + json_len], &body[8 + json_len + 8..]);
            out.push(("tiny-raw.cnnlab".into(), [&[0u8][..], &file].concat()));
            out.push(("tiny-parts.cnnlab".into(), [&[1u8][..], json, &[0u8], weights].concat()));
            out.push(("tiny-body.cnnlab".into(), [&[2u8][..], body].concat()));
        }
        Target::Image => {
            use image::{DynamicImage, ImageBuffer, ImageFormat, Luma, LumaA, Rgb, Rgba};
            let (w, h) = (6u32, 5u32);
            let grey = DynamicImage::ImageLuma8(ImageBuffer::from_fn(w, h, |x, y| Luma([(x * 40 + y * 9) as u8])));
            let alpha = DynamicImage::ImageLumaA8(ImageBuffer::from_fn(w, h, |x, y| LumaA([200, if x > 2 { 255 } else { (y * 50) as u8 }])));
            let rgb = DynamicImage::ImageRgb8(ImageBuffer::from_fn(w, h, |x, y| Rgb([(x * 40) as u8, (y * 50) as u8, 128])));
            let rgba16 = DynamicImage::ImageRgba16(ImageBuffer::from_fn(w, h, |x, y| Rgba([x as u16 * 9000, y as u16 * 12000, 500, 40000])));
            for (name, img, fmt) in [
                ("grey.png", &grey, ImageFormat::Png),
                ("alpha.png", &alpha, ImageFormat::Png),
                ("rgba16.png", &rgba16, ImageFormat::Png),
                ("rgb.jpg", &rgb, ImageFormat::Jpeg),
                ("grey.jpg", &grey, ImageFormat::Jpeg),
                ("rgb.gif", &DynamicImage::ImageRgba8(rgb.to_rgba8()), ImageFormat::Gif),
            ] {
                let mut bytes = std::io::Cursor::new(Vec::new());
                img.write_to(&mut bytes, fmt).map_err(|e| crate::util::error::Error::invalid(format!("encoding seed {name}: {e}")))?;
                out.push((name.to_string(), bytes.into_inner()));
            }
        }
    }
    Ok(out)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("writing to memory");
    e.finish().expect("writing to memory")
}

/// An untrained 6×6 network small enough that its file is a useful fuzz seed (about 1 KB).
fn tiny_model() -> Result<crate::train::TrainedModel> {
    use crate::model::Sequential;
    let spec = Sequential::new("tiny", [6, 6]).conv(2, 3).relu().max_pool(2).batch_norm().flatten().dense(3).build()?;
    let device = crate::util::device::cpu();
    let config = crate::train::TrainConfig::new(spec.clone());
    Ok(crate::train::TrainedModel {
        net: spec.try_build(&device)?,
        device,
        normalization: Default::default(),
        class_names: vec!["a".into(), "b".into(), "c".into()],
        history: Default::default(),
        config,
    })
}
