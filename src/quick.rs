//! Quick mode (`CNN_LAB_QUICK=1`): small subsets and few epochs, so every notebook runs in CI
//! in minutes. Read here, once, so that notebook cells never test the variable themselves.

use crate::data::Dataset;

/// Whether quick mode is on (`CNN_LAB_QUICK` set to anything but `0` or empty).
pub fn is_quick() -> bool {
    matches!(std::env::var("CNN_LAB_QUICK"), Ok(v) if !v.is_empty() && v != "0")
}

/// Training images kept in quick mode.
pub const QUICK_TRAIN: usize = 2_000;
/// Test images kept in quick mode.
pub const QUICK_TEST: usize = 1_000;

/// Epochs to run: `full` normally, at most 2 in quick mode.
pub fn epochs(full: usize) -> usize {
    if is_quick() {
        full.clamp(1, 2)
    } else {
        full
    }
}

/// Any count (images, samples, t-SNE points): `full` normally, `quick` in quick mode.
pub fn pick<T>(full: T, quick: T) -> T {
    if is_quick() {
        quick
    } else {
        full
    }
}

/// Cut a train/test pair down to the quick-mode sizes (a seeded stratified sample).
pub fn shrink(train: Dataset, test: Dataset) -> (Dataset, Dataset) {
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
