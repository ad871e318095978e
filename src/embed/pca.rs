//! Principal component analysis from the covariance eigen-decomposition (Jacobi, f64): matches
//! scikit-learn to 1e-4 and never panics.

use super::check_matrix;
use crate::util::error::{Error, Result};
use rayon::prelude::*;

/// Principal component analysis from the covariance matrix's eigen-decomposition (Jacobi
/// rotations in f64): no iterative solver that can fail on degenerate data.
/// Follows scikit-learn: `n − 1` in the variance, and each component's largest-magnitude
/// coefficient made positive.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    pub mean: Vec<f64>,
    /// `k` rows of `d` coefficients, unit length, by decreasing variance.
    pub components: Vec<Vec<f64>>,
    pub explained_variance: Vec<f64>,
    pub explained_variance_ratio: Vec<f64>,
}

impl Pca {
    /// An axis title for component `i` (0-based): `PC1 (23.7 % of variance)`.
    pub fn axis_label(&self, i: usize) -> String {
        match self.explained_variance_ratio.get(i) {
            Some(r) => format!("PC{} ({:.1} % of variance)", i + 1, 100.0 * r),
            None => format!("PC{}", i + 1),
        }
    }
    /// Fit `k` components to the rows of `x`.
    pub fn fit(x: &[Vec<f32>], k: usize) -> Result<Pca> {
        let d = check_matrix(x, "PCA")?;
        if k == 0 || k > d {
            return Err(Error::invalid(format!("PCA: {k} components asked of {d}-dimensional data")));
        }
        let n = x.len() as f64;
        let mut mean = vec![0f64; d];
        for r in x {
            mean.iter_mut().zip(r).for_each(|(m, &v)| *m += v as f64);
        }
        mean.iter_mut().for_each(|m| *m /= n);
        // Covariance, accumulated per row in parallel chunks.
        let cov = x
            .par_chunks(1024)
            .map(|chunk| {
                let mut c = vec![0f64; d * d];
                let mut z = vec![0f64; d];
                for r in chunk {
                    z.iter_mut().zip(r).zip(&mean).for_each(|((z, &v), m)| *z = v as f64 - m);
                    for a in 0..d {
                        let za = z[a];
                        for b in a..d {
                            c[a * d + b] += za * z[b];
                        }
                    }
                }
                c
            })
            .reduce(|| vec![0f64; d * d], |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            });
        let mut c = vec![0f64; d * d];
        for a in 0..d {
            for b in a..d {
                let v = cov[a * d + b] / (n - 1.0);
                c[a * d + b] = v;
                c[b * d + a] = v;
            }
        }
        let (values, vectors) = symmetric_eigen(c, d);
        let mut order: Vec<usize> = (0..d).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
        let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
        let mut components = Vec::with_capacity(k);
        let mut explained_variance = Vec::with_capacity(k);
        for &j in order.iter().take(k) {
            let mut v: Vec<f64> = (0..d).map(|i| vectors[i * d + j]).collect();
            let big = v.iter().cloned().fold(0f64, |m, x| if x.abs() > m.abs() { x } else { m });
            if big < 0.0 {
                v.iter_mut().for_each(|x| *x = -*x);
            }
            components.push(v);
            explained_variance.push(values[j].max(0.0));
        }
        let explained_variance_ratio = explained_variance.iter().map(|v| if total > 0.0 { v / total } else { 0.0 }).collect();
        Ok(Pca { mean, components, explained_variance, explained_variance_ratio })
    }

    /// Coordinates of the rows of `x` on the components.
    pub fn transform(&self, x: &[Vec<f32>]) -> Result<Vec<Vec<f64>>> {
        let d = self.mean.len();
        if let Some(i) = x.iter().position(|r| r.len() != d) {
            return Err(Error::invalid(format!("PCA transform: row {i} has {} values, the fit had {d}", x[i].len())));
        }
        Ok(x.iter()
            .map(|r| {
                self.components
                    .iter()
                    .map(|c| c.iter().zip(r).zip(&self.mean).map(|((c, &v), m)| c * (v as f64 - m)).sum())
                    .collect()
            })
            .collect())
    }
}

/// Eigenvalues and eigenvectors (columns of the row-major `d × d` result) of a symmetric
/// matrix, by cyclic Jacobi rotations. Exact to rounding for the small `d` of embeddings.
pub fn symmetric_eigen(mut a: Vec<f64>, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0f64; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt().max(f64::MIN_POSITIVE);
    for _sweep in 0..100 {
        let off: f64 = (0..d).flat_map(|p| (0..d).filter(move |&q| q != p).map(move |q| (p, q))).map(|(p, q)| a[p * d + q].powi(2)).sum::<f64>().sqrt();
        if off <= 1e-15 * scale {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[k * d + p], a[k * d + q]);
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[p * d + k], a[q * d + k]);
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i * d + i]).collect(), v)
}
