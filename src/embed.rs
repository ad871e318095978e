//! Embeddings: the vectors a trained network computes for each image, and ways to look at them —
//! PCA, t-SNE, custom projections, nearest neighbours, and an export for TensorBoard's Projector.
//!
//! ```no_run
//! use cnn_lab::embed::{Pca, tsne, TsneConfig};
//! let x = vec![vec![0.0f32, 1.0, 2.0], vec![1.0, 0.0, 2.5], vec![2.0, 2.0, 0.0]];
//! let pca = Pca::fit(&x, 2).unwrap();
//! println!("{:?}", pca.explained_variance_ratio);
//! ```

use crate::data::Dataset;
use crate::error::{write_atomic, Error, Result};
use crate::model::LayerSpec;
use crate::train::Model;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::path::Path;

/// The embedding of every image of `ds`: the GAP vector when the network has one, otherwise the
/// input of its output layer (the penultimate dense layer).
pub fn embeddings(model: &Model, ds: &Dataset) -> Result<Vec<Vec<f32>>> {
    let layers = &model.config.spec.layers;
    if let Some(g) = layers.iter().position(|l| matches!(l, LayerSpec::GlobalAvgPool)) {
        return crate::inspect::layer_vectors(model, ds, g);
    }
    // The last layer is the output; skip dropout to find what feeds it.
    let mut i = layers.len().saturating_sub(2);
    while i > 0 && matches!(layers[i], LayerSpec::Dropout { .. }) {
        i -= 1;
    }
    crate::inspect::layer_vectors(model, ds, i)
}

fn check_matrix(x: &[Vec<f32>], what: &str) -> Result<usize> {
    let d = x.first().map(|r| r.len()).unwrap_or(0);
    if x.len() < 2 || d == 0 {
        return Err(Error::invalid(format!("{what}: need at least 2 non-empty rows, got {} rows of {d}", x.len())));
    }
    if let Some(i) = x.iter().position(|r| r.len() != d) {
        return Err(Error::invalid(format!("{what}: row {i} has {} values, row 0 has {d}", x[i].len())));
    }
    if let Some(i) = x.iter().position(|r| r.iter().any(|v| !v.is_finite())) {
        return Err(Error::invalid(format!("{what}: row {i} holds NaN or infinity")));
    }
    Ok(d)
}

// ------------------------------------------------------------------ PCA

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

// ------------------------------------------------------------------ t-SNE

/// How t-SNE places the points before optimising.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TsneInit {
    /// The first principal components, scaled to a standard deviation of 1e-4 (openTSNE's
    /// default): keeps the global layout and is deterministic.
    Pca,
    /// Gaussian noise (σ = 1e-4) from a seeded generator.
    Random { seed: u64 },
}

/// t-SNE settings. 2-D uses FIt-SNE (interpolation on a grid with FFTs); 3-D uses Barnes-Hut.
#[derive(Clone, Debug, PartialEq)]
pub struct TsneConfig {
    pub dims: usize,
    pub perplexity: f32,
    pub epochs: usize,
    pub init: TsneInit,
    /// Barnes-Hut accuracy (3-D only).
    pub theta: f32,
    /// Worker threads. 1 (the default) gives the same embedding on every run; with more, bhtsne's
    /// parallel sums are reordered from run to run and the layout changes (it is no less good).
    pub threads: usize,
}

impl Default for TsneConfig {
    /// 2-D, perplexity 30, 750 iterations (openTSNE's 250 + 500), PCA initialisation.
    fn default() -> Self {
        Self { dims: 2, perplexity: 30.0, epochs: 750, init: TsneInit::Pca, theta: 0.5, threads: 1 }
    }
}

impl TsneConfig {
    pub fn with_dims(mut self, d: usize) -> Self {
        self.dims = d;
        self
    }
    pub fn with_perplexity(mut self, p: f32) -> Self {
        self.perplexity = p;
        self
    }
    pub fn with_epochs(mut self, e: usize) -> Self {
        self.epochs = e;
        self
    }
    pub fn with_init(mut self, i: TsneInit) -> Self {
        self.init = i;
        self
    }
    pub fn with_threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }
}

fn euclid(a: &&[f32], b: &&[f32]) -> f32 {
    a.iter().zip(b.iter()).map(|(x, y)| (x - y) * (x - y)).sum::<f32>().sqrt()
}

/// t-SNE of the rows of `x` to `cfg.dims` (2 or 3) dimensions. Same input and config, same
/// output.
pub fn tsne(x: &[Vec<f32>], cfg: &TsneConfig) -> Result<Vec<Vec<f64>>> {
    let d = check_matrix(x, "t-SNE")?;
    if cfg.dims != 2 && cfg.dims != 3 {
        return Err(Error::invalid(format!("t-SNE: {} output dimensions; use 2 or 3", cfg.dims)));
    }
    if !(cfg.perplexity > 0.0) || x.len() as f32 - 1.0 < 3.0 * cfg.perplexity {
        return Err(Error::invalid(format!(
            "t-SNE: perplexity {} needs more than {} points, got {}",
            cfg.perplexity,
            (3.0 * cfg.perplexity).ceil() as usize + 1,
            x.len()
        )));
    }
    if cfg.epochs < 1 {
        return Err(Error::invalid("t-SNE: at least one epoch"));
    }
    let n = x.len();
    let init: Vec<f32> = match cfg.init {
        TsneInit::Pca => {
            let k = cfg.dims.min(d);
            let y = Pca::fit(x, k)?.transform(x)?;
            let sd = (y.iter().map(|r| r[0] * r[0]).sum::<f64>() / n as f64).sqrt().max(1e-12);
            let mut out = Vec::with_capacity(n * cfg.dims);
            for r in &y {
                for j in 0..cfg.dims {
                    out.push((r.get(j).copied().unwrap_or(0.0) / sd * 1e-4) as f32);
                }
            }
            out
        }
        TsneInit::Random { seed } => {
            use rand_distr::{Distribution, Normal};
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let g = Normal::new(0.0f32, 1e-4).map_err(|e| Error::invalid(format!("t-SNE init: {e}")))?;
            (0..n * cfg.dims).map(|_| g.sample(&mut rng)).collect()
        }
    };
    let rows: Vec<&[f32]> = x.iter().map(|r| r.as_slice()).collect();
    let (perp, epochs, theta, dims) = (cfg.perplexity, cfg.epochs, cfg.theta, cfg.dims);
    let run = move || -> Vec<f32> {
        if dims == 2 {
            let mut t = bhtsne::tSNE::<f32, &[f32], 2>::new(&rows);
            t.perplexity(perp).epochs(epochs).initial_embedding(init).fit_sne(euclid);
            t.embedding()
        } else {
            let mut t = bhtsne::tSNE::<f32, &[f32], 3>::new(&rows);
            t.perplexity(perp).epochs(epochs).initial_embedding(init).barnes_hut(theta, euclid);
            t.embedding()
        }
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads.max(1))
        .build()
        .map_err(|e| Error::invalid(format!("t-SNE thread pool: {e}")))?;
    let flat = crate::train::catch_panic(|| pool.install(run)).map_err(|m| Error::invalid(format!("t-SNE failed: {m}")))?;
    if flat.len() != n * dims || flat.iter().any(|v| !v.is_finite()) {
        return Err(Error::invalid("t-SNE produced a non-finite embedding"));
    }
    Ok(flat.chunks(dims).map(|c| c.iter().map(|&v| v as f64).collect()).collect())
}

fn sq_dist<A: Copy + Into<f64>, B: Copy + Into<f64>>(a: &[A], b: &[B]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| (x.into() - y.into()).powi(2)).sum()
}

/// Trustworthiness (Venna & Kaski; scikit-learn's definition): 1 when every point's `k`
/// nearest neighbours in the embedding `low` are also among its nearest in `high`, lower when
/// the embedding brings in points that were far apart.
pub fn trustworthiness(high: &[Vec<f32>], low: &[Vec<f64>], k: usize) -> Result<f64> {
    check_matrix(high, "trustworthiness")?;
    let n = high.len();
    if low.len() != n {
        return Err(Error::invalid(format!("trustworthiness: {n} rows but {} embedded points", low.len())));
    }
    if k == 0 || 2 * n < 3 * k + 2 {
        return Err(Error::invalid(format!("trustworthiness: k = {k} too large for {n} points (k < n/2)")));
    }
    let penalty: f64 = (0..n)
        .into_par_iter()
        .map(|i| {
            let dh: Vec<f64> = high.iter().map(|r| sq_dist(&high[i], r)).collect();
            let dl: Vec<f64> = low.iter().map(|r| sq_dist(&low[i], r)).collect();
            let knn = |d: &[f64]| -> Vec<usize> {
                let mut idx: Vec<usize> = (0..n).filter(|&j| j != i).collect();
                idx.select_nth_unstable_by(k - 1, |&a, &b| d[a].total_cmp(&d[b]).then(a.cmp(&b)));
                idx.truncate(k);
                idx
            };
            let in_high = knn(&dh);
            let mut s = 0f64;
            for j in knn(&dl) {
                if in_high.contains(&j) {
                    continue;
                }
                // Rank of j among i's neighbours in the original space (1 = nearest).
                let rank = (0..n).filter(|&m| m != i && (dh[m] < dh[j] || (dh[m] == dh[j] && m < j))).count() + 1;
                s += (rank - k) as f64;
            }
            s
        })
        .sum();
    let (n, k) = (n as f64, k as f64);
    Ok(1.0 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)) * penalty)
}

// ------------------------------------------------------------------ projections, neighbours

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

// ------------------------------------------------------------------ TensorBoard Projector

/// Write a TensorBoard Projector bundle into `dir`: `tensors.tsv`, `pixels.tsv` (the raw
/// images, a second view), `metadata.tsv` (label, class, predicted, correct), `sprite.png` (a
/// square grid of the images, at most 100×100) and `projector_config.json`. Each file is written atomically. View it with `cnn-lab serve DIR`.
pub fn export_projector(dir: impl AsRef<Path>, vectors: &[Vec<f32>], ds: &Dataset, predicted: &[usize]) -> Result<()> {
    let dir = dir.as_ref();
    let d = check_matrix(vectors, "projector export")?;
    let n = vectors.len();
    if ds.len() != n || predicted.len() != n {
        return Err(Error::invalid(format!("projector export: {n} vectors, {} images, {} predictions", ds.len(), predicted.len())));
    }
    if n > 10_000 {
        return Err(Error::invalid(format!("projector export: {n} points; the sprite holds at most 10,000 (100x100)")));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut t = String::with_capacity(n * d * 10);
    for r in vectors {
        let cells: Vec<String> = r.iter().map(|v| format!("{v:.6}")).collect();
        t.push_str(&cells.join("\t"));
        t.push('\n');
    }
    write_atomic(&dir.join("tensors.tsv"), t.as_bytes())?;
    // The images themselves as a second view (the TF demo projects both).
    let mut px = String::with_capacity(n * ds.pixels() * 4);
    for i in 0..n {
        let cells: Vec<String> = ds.image(i).iter().map(|p| p.to_string()).collect();
        px.push_str(&cells.join("\t"));
        px.push('\n');
    }
    write_atomic(&dir.join("pixels.tsv"), px.as_bytes())?;
    let mut m = String::from("label\tclass\tpredicted\tcorrect\n");
    for i in 0..n {
        let l = ds.labels[i] as usize;
        let p = predicted[i];
        let pn = ds.class_names.get(p).cloned().unwrap_or_else(|| p.to_string());
        m.push_str(&format!("{l}\t{}\t{pn}\t{}\n", ds.class_names[l], l == p));
    }
    write_atomic(&dir.join("metadata.tsv"), m.as_bytes())?;
    let side = (n as f64).sqrt().ceil() as u32;
    let (h, w) = (ds.rows as u32, ds.cols as u32);
    let mut sprite = image::GrayImage::new(side * w, side * h);
    for i in 0..n {
        let (gx, gy) = ((i as u32 % side) * w, (i as u32 / side) * h);
        for (k, &p) in ds.image(i).iter().enumerate() {
            // Dark objects on white read better in the Projector's light theme.
            sprite.put_pixel(gx + k as u32 % w, gy + k as u32 / w, image::Luma([255 - p]));
        }
    }
    let mut png = Vec::new();
    sprite
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| Error::invalid(format!("sprite: {e}")))?;
    write_atomic(&dir.join("sprite.png"), &png)?;
    let sprite = serde_json::json!({ "imagePath": "sprite.png", "singleImageDim": [w, h] });
    let cfg = serde_json::json!({
        "embeddings": [{
            "tensorName": "cnn_lab embeddings",
            "tensorShape": [n, d],
            "tensorPath": "tensors.tsv",
            "metadataPath": "metadata.tsv",
            "sprite": sprite
        }, {
            "tensorName": "raw pixels",
            "tensorShape": [n, ds.pixels()],
            "tensorPath": "pixels.tsv",
            "metadataPath": "metadata.tsv",
            "sprite": sprite
        }]
    });
    write_atomic(&dir.join("projector_config.json"), serde_json::to_string_pretty(&cfg).unwrap_or_default().as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs(n: usize, d: usize, seed: u64) -> (Vec<Vec<f32>>, Vec<u8>) {
        use rand::Rng;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let c = (i % 3) as u8;
            x.push((0..d).map(|j| if j % 3 == c as usize { 5.0 } else { 0.0 } + rng.random_range(-1.0f32..1.0)).collect());
            y.push(c);
        }
        (x, y)
    }

    #[test]
    fn jacobi_diagonalises() {
        let a = vec![4.0, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0, 0.5, 1.0];
        let (vals, vecs) = symmetric_eigen(a.clone(), 3);
        for j in 0..3 {
            for i in 0..3 {
                let av: f64 = (0..3).map(|k| a[i * 3 + k] * vecs[k * 3 + j]).sum();
                assert!((av - vals[j] * vecs[i * 3 + j]).abs() < 1e-12);
            }
        }
        assert!((vals.iter().sum::<f64>() - 8.0).abs() < 1e-12);
    }

    #[test]
    fn pca_bad_input_is_an_error() {
        assert!(Pca::fit(&[vec![1.0, 2.0]], 1).unwrap_err().to_string().contains("at least 2"));
        assert!(Pca::fit(&[vec![1.0, 2.0], vec![1.0]], 1).unwrap_err().to_string().contains("row 1 has 1"));
        assert!(Pca::fit(&[vec![1.0, f32::NAN], vec![1.0, 2.0]], 1).unwrap_err().to_string().contains("NaN"));
        assert!(Pca::fit(&[vec![1.0, 2.0], vec![1.0, 3.0]], 3).unwrap_err().to_string().contains("3 components"));
        // Constant data: no variance, but no panic and no NaN.
        let p = Pca::fit(&vec![vec![1.0f32; 64]; 100], 2).unwrap();
        assert!(p.explained_variance_ratio.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn tsne_is_deterministic_and_trustworthy_on_blobs() {
        let (x, _) = blobs(300, 12, 1);
        let cfg = TsneConfig::default().with_perplexity(10.0).with_epochs(300);
        let a = tsne(&x, &cfg).unwrap();
        let b = tsne(&x, &cfg).unwrap();
        assert_eq!(a, b, "same input and config must give the same embedding");
        let t = trustworthiness(&x, &a, 10).unwrap();
        assert!(t > 0.85, "trustworthiness {t}");
        let r = tsne(&x, &cfg.clone().with_init(TsneInit::Random { seed: 3 })).unwrap();
        assert_eq!(r, tsne(&x, &cfg.clone().with_init(TsneInit::Random { seed: 3 })).unwrap());
        let three = tsne(&x, &cfg.clone().with_dims(3)).unwrap();
        assert_eq!(three[0].len(), 3);
        assert!(tsne(&x[..20], &cfg).unwrap_err().to_string().contains("perplexity"));
        assert!(tsne(&x, &cfg.clone().with_dims(4)).is_err());
    }

    #[test]
    fn trustworthiness_of_identity_is_one_and_of_noise_is_lower() {
        let (x, _) = blobs(200, 4, 2);
        let same: Vec<Vec<f64>> = x.iter().map(|r| r.iter().map(|&v| v as f64).collect()).collect();
        assert!((trustworthiness(&x, &same, 5).unwrap() - 1.0).abs() < 1e-12);
        let (noise, _) = blobs(200, 2, 9);
        let noise: Vec<Vec<f64>> = noise.iter().rev().map(|r| r.iter().map(|&v| v as f64 * 0.01).collect()).collect();
        assert!(trustworthiness(&x, &noise, 5).unwrap() < 0.9);
        assert!(trustworthiness(&x, &same[..10], 5).is_err());
    }

    #[test]
    fn class_axis_puts_class_means_at_0_and_1() {
        let (x, y) = blobs(90, 6, 4);
        let p = class_axis_projection(&x, &y, 0, 1).unwrap();
        let mean = |c: u8| p.iter().zip(&y).filter(|(_, &l)| l == c).map(|(q, _)| q.0).sum::<f64>() / 30.0;
        assert!(mean(0).abs() < 1e-9 && (mean(1) - 1.0).abs() < 1e-9);
        assert!(class_axis_projection(&x, &y, 0, 7).unwrap_err().to_string().contains("no point of class 7"));
        // Two axes: each class mean lands on 0 or 1 of its own axis.
        let t = two_class_axes(&x, &y, (0, 1), (1, 0)).unwrap();
        let mean = |c: u8, f: fn(&(f64, f64)) -> f64| {
            let v: Vec<f64> = t.iter().zip(&y).filter(|(_, &l)| l == c).map(|(p, _)| f(p)).collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!((mean(0, |p| p.0)).abs() < 1e-9 && (mean(1, |p| p.0) - 1.0).abs() < 1e-9);
        assert!((mean(1, |p| p.1)).abs() < 1e-9 && (mean(0, |p| p.1) - 1.0).abs() < 1e-9);
        let nn = nearest_neighbours(&x, 0, 5).unwrap();
        assert_eq!(nn.len(), 5);
        assert!(!nn.contains(&0));
    }

    #[test]
    fn projector_bundle_has_all_files() {
        let (x, y) = blobs(30, 4, 5);
        let ds = Dataset::new(vec![7; 30 * 4], y.clone(), 2, 2, crate::data::digit_classes()).unwrap();
        let pred: Vec<usize> = y.iter().map(|&l| (l as usize + 1) % 10).collect();
        let dir = tempfile::tempdir().unwrap();
        export_projector(dir.path(), &x, &ds, &pred).unwrap();
        let meta = std::fs::read_to_string(dir.path().join("metadata.tsv")).unwrap();
        assert_eq!(meta.lines().count(), 31);
        assert!(meta.starts_with("label\tclass\tpredicted\tcorrect\n0\t0\t1\tfalse"));
        let t = std::fs::read_to_string(dir.path().join("tensors.tsv")).unwrap();
        assert_eq!(t.lines().next().unwrap().split('\t').count(), 4);
        let sprite = image::open(dir.path().join("sprite.png")).unwrap();
        assert_eq!((sprite.width(), sprite.height()), (12, 12));
        let cfg: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("projector_config.json")).unwrap()).unwrap();
        assert_eq!(cfg["embeddings"][0]["tensorShape"], serde_json::json!([30, 4]));
        assert_eq!(cfg["embeddings"][1]["tensorShape"], serde_json::json!([30, 4]));
        let px = std::fs::read_to_string(dir.path().join("pixels.tsv")).unwrap();
        assert_eq!(px.lines().count(), 30);
        assert_eq!(px.lines().next().unwrap(), "7\t7\t7\t7");
        assert!(export_projector(dir.path(), &x, &ds, &pred[..3]).is_err());
    }
}
