//! The bottom layer: errors, the checksummed file container, progress output, quick mode, the
//! device, and small helpers every layer above uses. Nothing here knows of data, models or
//! training.

pub mod device;
pub mod error;
pub mod panic;
pub mod progress;
pub mod quick;
pub mod store;

pub use panic::catch_panic;

/// Lower-case hex of `bytes` (hashes in file names and messages).
///
/// ```
/// assert_eq!(cnn_lab::util::hex(&[0x0f, 0xa0]), "0fa0");
/// ```
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Index of the largest value (the first on ties; 0 for an empty slice).
///
/// ```
/// assert_eq!(cnn_lab::util::argmax(&[0.1, 0.7, 0.7]), 1);
/// ```
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// The `k` largest values of a row (the best classes of a probability row) as `(index, value)`,
/// largest first.
///
/// ```
/// assert_eq!(cnn_lab::util::top_k(&[0.1, 0.7, 0.2], 2), vec![(1, 0.7), (2, 0.2)]);
/// ```
pub fn top_k(p: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut v: Vec<(usize, f32)> = p.iter().cloned().enumerate().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v.truncate(k);
    v
}

/// `path` relative to the crate root when it lies under it (messages stay short and carry no
/// machine-specific prefix), else unchanged.
pub fn relative(path: &std::path::Path) -> &std::path::Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path)
}
