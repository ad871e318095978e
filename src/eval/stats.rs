//! How sure a test score is: a 95 % interval for an accuracy, the paired McNemar test for two
//! models on the same test images, and mean ± standard deviation over seeds. At 92 % on 10,000
//! images one standard error is 0.27 points, so a difference of a few tenths needs a test before
//! it is a finding.
//!
//! ```
//! use cnn_lab::eval::stats::{accuracy_interval, mcnemar};
//! let (lo, hi) = accuracy_interval(9239, 10_000);
//! assert!(lo < 0.9239 && 0.9239 < hi && hi - lo < 0.011);
//! // 30 images only the first model gets right, 18 only the second: not significant.
//! assert!(mcnemar(30, 18).p_value > 0.05);
//! ```

use crate::train::Evaluation;
use crate::util::error::{Error, Result};

/// The normal quantile of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Wilson's 95 % score interval for `correct` right answers out of `n` (statsmodels'
/// `proportion_confint(method="wilson")`): unlike `p ± 1.96·se` it stays inside [0, 1] and is
/// accurate near 0 % and 100 %. `(0, 1)` when `n` is 0.
pub fn accuracy_interval(correct: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (n, p, z2) = (n as f64, correct as f64 / n as f64, Z95 * Z95);
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The result of [`mcnemar`]: how many images only one of the two models got right, and the
/// exact two-sided p-value of "both models are equally accurate".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct McNemar {
    /// Test images model A got right and model B wrong.
    pub only_a: usize,
    /// Test images model B got right and model A wrong.
    pub only_b: usize,
    pub p_value: f64,
}

impl McNemar {
    /// Whether the difference is significant at the 5 % level.
    pub fn significant(&self) -> bool {
        self.p_value < 0.05
    }
}

impl std::fmt::Display for McNemar {
    /// `right only for A: 30, only for B: 18, p = 0.11 (not significant)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = if self.significant() { "significant" } else { "not significant" };
        let p = format_p(self.p_value);
        let p = if p.starts_with('<') { format!("p {p}") } else { format!("p = {p}") };
        write!(f, "right only for A: {}, only for B: {}, {p} ({verdict})", self.only_a, self.only_b)
    }
}

/// A p-value with two significant digits (`0.11`, `0.0042`, `< 1e-6`).
pub fn format_p(p: f64) -> String {
    if p < 1e-6 {
        "< 1e-6".to_string()
    } else if p >= 0.1 {
        format!("{p:.2}")
    } else {
        let digits = (-p.log10()).floor() as usize + 2;
        format!("{p:.digits$}")
    }
}

/// McNemar's paired test from the two discordant counts: of the images on which two models
/// disagree about being right, does one model win more often than chance? Only those images
/// count: the ones both get right or both get wrong say nothing about which is better. The
/// p-value is exact (two-sided binomial test of `only_a` out of `only_a + only_b` at ½, as
/// statsmodels' `mcnemar(exact=True)`), valid for small counts as for large ones.
pub fn mcnemar(only_a: usize, only_b: usize) -> McNemar {
    let n = only_a + only_b;
    let k = only_a.min(only_b);
    // 2·P(X ≤ k) for X ~ Binomial(n, ½), summed in log space (½ⁿ underflows past n ≈ 1,074).
    let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
    let mut ln_c = 0.0; // ln C(n, 0)
    let mut terms = Vec::with_capacity(k + 1);
    for i in 0..=k {
        if i > 0 {
            ln_c += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        terms.push(ln_c + ln_half_n);
    }
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let tail = max.exp() * terms.iter().map(|t| (t - max).exp()).sum::<f64>();
    McNemar { only_a, only_b, p_value: (2.0 * tail).min(1.0) }
}

/// [`mcnemar`] from each model's right/wrong on the same images (`a[i]`: model A got image `i`
/// right); an error if the lists differ in length, as they then cannot be the same images.
pub fn mcnemar_paired(a: &[bool], b: &[bool]) -> Result<McNemar> {
    if a.len() != b.len() {
        return Err(Error::invalid(format!("McNemar's test needs the same images: {} against {} results", a.len(), b.len())));
    }
    let only_a = a.iter().zip(b).filter(|(x, y)| **x && !**y).count();
    let only_b = a.iter().zip(b).filter(|(x, y)| !**x && **y).count();
    Ok(mcnemar(only_a, only_b))
}

/// The 95 % interval of an evaluation's accuracy ([`accuracy_interval`] over its images).
pub fn interval(ev: &Evaluation) -> (f64, f64) {
    accuracy_interval((ev.accuracy * ev.images as f64).round() as usize, ev.images)
}

/// Mean and sample standard deviation (n − 1) of `values`; the deviation is 0 for one value.
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values computed once with statsmodels 0.14 and scipy (scripts/stats_fixture.py).
    #[derive(serde::Deserialize)]
    struct Fixture {
        wilson: Vec<(usize, usize, f64, f64)>,
        mcnemar: Vec<(usize, usize, f64)>,
        mean_sd: Vec<(Vec<f64>, f64, f64)>,
    }

    fn fixture() -> Fixture {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stats_statsmodels.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs() + 1e-15
    }

    #[test]
    fn wilson_interval_matches_statsmodels() {
        for (k, n, lo, hi) in fixture().wilson {
            let (l, h) = accuracy_interval(k, n);
            assert!(close(l, lo, 1e-9) && close(h, hi, 1e-9), "{k}/{n}: ({l}, {h}) vs ({lo}, {hi})");
        }
    }

    #[test]
    fn mcnemar_matches_statsmodels_exact_test() {
        for (b, c, p) in fixture().mcnemar {
            let got = mcnemar(b, c).p_value;
            assert!(close(got, p, 1e-8), "({b}, {c}): {got} vs {p}");
            assert_eq!(got, mcnemar(c, b).p_value, "symmetric");
        }
    }

    #[test]
    fn mean_sd_matches_numpy() {
        for (v, m, s) in fixture().mean_sd {
            let (gm, gs) = mean_sd(&v);
            assert!(close(gm, m, 1e-12) && close(gs, s, 1e-12), "{v:?}");
        }
    }

    #[test]
    fn paired_counts_only_the_discordant_images() {
        let a = [true, true, false, false, true];
        let b = [true, false, true, false, false];
        let t = mcnemar_paired(&a, &b).unwrap();
        assert!(mcnemar_paired(&a, &b[..4]).is_err());
        assert_eq!((t.only_a, t.only_b), (2, 1));
        assert_eq!(mcnemar(0, 0).p_value, 1.0);
    }

    #[test]
    fn a_test_reads_as_a_sentence() {
        assert_eq!(mcnemar(30, 18).to_string(), format!("right only for A: 30, only for B: 18, p = {} (not significant)", format_p(mcnemar(30, 18).p_value)));
        assert!(mcnemar(700, 100).to_string().ends_with("p < 1e-6 (significant)"));
    }

    #[test]
    fn p_values_print_with_two_significant_digits() {
        assert_eq!(format_p(0.1134), "0.11");
        assert_eq!(format_p(0.04213), "0.042");
        assert_eq!(format_p(0.0042), "0.0042");
        assert_eq!(format_p(1e-9), "< 1e-6");
    }
}
