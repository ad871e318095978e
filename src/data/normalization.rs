//! How pixel bytes become network inputs.

use super::Dataset;
use serde::{Deserialize, Serialize};

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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisations() {
        assert_eq!(Normalization::Centered.apply(0.0), -0.5);
        assert_eq!(Normalization::Unit.apply(255.0), 1.0);
        let s = Normalization::Standardize { mean: 10.0, std: 2.0 };
        assert_eq!(s.apply(14.0), 2.0);
        assert_eq!(s.background(), -5.0);
    }
}
