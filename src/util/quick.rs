//! Quick mode (`CNN_LAB_QUICK=1`): small subsets and few epochs, so every notebook runs in CI
//! in minutes. Read here, once, so that notebook cells never test the variable themselves.

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
