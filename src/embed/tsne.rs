//! Seeded t-SNE (bhtsne: FIt-SNE in 2-D, Barnes-Hut in 3-D) and scikit-learn's trustworthiness.

use super::{check_matrix, Pca};
use crate::util::catch_panic;
use crate::util::error::{Error, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

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
    if cfg.perplexity.is_nan() || cfg.perplexity <= 0.0 || x.len() as f32 - 1.0 < 3.0 * cfg.perplexity {
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
        .start_handler(|_| crate::util::panic::quiet_panics_on_this_thread())
        .build()
        .map_err(|e| Error::invalid(format!("t-SNE thread pool: {e}")))?;
    let flat = catch_panic(|| pool.install(run)).map_err(|m| Error::invalid(format!("t-SNE failed: {m}")))?;
    if flat.len() != n * dims || flat.iter().any(|v| !v.is_finite()) {
        return Err(Error::invalid("t-SNE produced a non-finite embedding"));
    }
    Ok(flat.chunks(dims).map(|c| c.iter().map(|&v| v as f64).collect()).collect())
}

pub(crate) fn sq_dist<A: Copy + Into<f64>, B: Copy + Into<f64>>(a: &[A], b: &[B]) -> f64 {
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
