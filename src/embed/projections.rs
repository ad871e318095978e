//! Projections chosen by hand (onto the line between two class means), nearest neighbours, and
//! points for scatter plots.

use super::tsne::sq_dist;
use super::{check_matrix, Pca};
use crate::util::error::{Error, Result};

/// The mean of class `a` and the vector from it to the mean of class `b`, with its squared length.
fn class_axis(x: &[Vec<f32>], labels: &[u8], a: usize, b: usize) -> Result<(Vec<f64>, Vec<f64>, f64)> {
    let d = check_matrix(x, "projection")?;
    if labels.len() != x.len() {
        return Err(Error::invalid(format!("projection: {} labels for {} rows", labels.len(), x.len())));
    }
    let mean_of = |c: usize| -> Result<Vec<f64>> {
        let rows: Vec<&Vec<f32>> = x.iter().zip(labels).filter(|(_, &l)| l as usize == c).map(|(r, _)| r).collect();
        if rows.is_empty() {
            return Err(Error::invalid(format!("projection: no point of class {c}")));
        }
        let mut m = vec![0f64; d];
        for r in &rows {
            m.iter_mut().zip(r.iter()).for_each(|(m, &v)| *m += v as f64);
        }
        Ok(m.into_iter().map(|v| v / rows.len() as f64).collect())
    };
    let (ma, mb) = (mean_of(a)?, mean_of(b)?);
    let axis: Vec<f64> = mb.iter().zip(&ma).map(|(b, a)| b - a).collect();
    let len2: f64 = axis.iter().map(|v| v * v).sum();
    if len2 < 1e-24 {
        return Err(Error::invalid(format!("projection: classes {a} and {b} have the same mean")));
    }
    Ok((ma, axis, len2))
}

/// Position of every row along a class axis: 0 at the first class's mean, 1 at the second's.
fn along_axis(x: &[Vec<f32>], (m, axis, len2): &(Vec<f64>, Vec<f64>, f64)) -> Vec<f64> {
    x.iter().map(|r| r.iter().zip(m).zip(axis).map(|((&v, m), u)| (v as f64 - m) * u).sum::<f64>() / len2).collect()
}

/// The TF demo's custom projection: x = position along the line from class `a`'s mean to class
/// `b`'s mean (0 at `a`'s mean, 1 at `b`'s), y = the first principal component of what is left.
pub fn class_axis_projection(x: &[Vec<f32>], labels: &[u8], a: usize, b: usize) -> Result<Vec<(f64, f64)>> {
    let ax = class_axis(x, labels, a, b)?;
    let along = along_axis(x, &ax);
    let (ma, axis, _) = &ax;
    let residual: Vec<Vec<f32>> = x
        .iter()
        .zip(&along)
        .map(|(r, &t)| r.iter().zip(ma).zip(axis).map(|((&v, m), u)| (v as f64 - m - t * u) as f32).collect())
        .collect();
    let y = Pca::fit(&residual, 1)?.transform(&residual)?;
    Ok(along.into_iter().zip(y).map(|(t, r)| (t, r[0])).collect())
}

/// The TF demo's two-axis projection: x along the line from class `h.0`'s mean (0) to class
/// `h.1`'s (1), y along the line from `v.0`'s mean (0) to `v.1`'s (1), e.g. sneaker → ankle boot
/// across and bag → coat up.
///
/// `two_class_axes(&emb, &labels, (7, 9), (8, 4))`
pub fn two_class_axes(x: &[Vec<f32>], labels: &[u8], h: (usize, usize), v: (usize, usize)) -> Result<Vec<(f64, f64)>> {
    let xs = along_axis(x, &class_axis(x, labels, h.0, h.1)?);
    let ys = along_axis(x, &class_axis(x, labels, v.0, v.1)?);
    Ok(xs.into_iter().zip(ys).collect())
}

/// The `k` nearest rows to row `i` (Euclidean), nearest first, `i` itself excluded.
pub fn nearest_neighbours(x: &[Vec<f32>], i: usize, k: usize) -> Result<Vec<usize>> {
    check_matrix(x, "neighbours")?;
    if i >= x.len() {
        return Err(Error::invalid(format!("neighbours: row {i} of {}", x.len())));
    }
    let mut idx: Vec<(f64, usize)> = x.iter().enumerate().filter(|(j, _)| *j != i).map(|(j, r)| (sq_dist(&x[i], r), j)).collect();
    idx.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    Ok(idx.into_iter().take(k).map(|(_, j)| j).collect())
}

/// Rows of `x` as `(f64, f64)` points (first two columns).
pub fn points2(x: &[Vec<f64>]) -> Vec<(f64, f64)> {
    x.iter().map(|r| (r.first().copied().unwrap_or(0.0), r.get(1).copied().unwrap_or(0.0))).collect()
}

/// Rows of `x` as 3-D points (first three columns).
pub fn points3(x: &[Vec<f64>]) -> Vec<[f64; 3]> {
    x.iter().map(|r| [0, 1, 2].map(|j| r.get(j).copied().unwrap_or(0.0))).collect()
}
