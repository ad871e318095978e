//! Batch normalisation in training mode (batch statistics), forward and backward, on `f32`
//! slices in NCHW order: one pass per channel for the statistics and one for the output, all
//! channels in parallel, no transposed copies. Sums are accumulated in `f64`.

use rayon::prelude::*;

/// Per-channel batch mean and biased variance of `x` (`[n, c, plane]`).
pub fn channel_stats(x: &[f32], n: usize, c: usize, plane: usize) -> (Vec<f32>, Vec<f32>) {
    let count = (n * plane).max(1) as f64;
    (0..c)
        .into_par_iter()
        .map(|ch| {
            let rows = (0..n).map(|i| &x[(i * c + ch) * plane..][..plane]);
            let mean = rows.clone().map(|r| r.iter().map(|&v| v as f64).sum::<f64>()).sum::<f64>() / count;
            let var = rows.map(|r| r.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>()).sum::<f64>() / count;
            (mean as f32, var as f32)
        })
        .unzip()
}

/// `y = gamma * (x - mean) / sqrt(var + eps) + beta` per channel, then `max(y, 0)` when `relu`.
#[allow(clippy::too_many_arguments)]
pub fn normalize(x: &[f32], c: usize, plane: usize, mean: &[f32], var: &[f32], gamma: &[f32], beta: &[f32], eps: f32, relu: bool) -> Vec<f32> {
    // SAFETY: the rows of `x` and of the output pair up one to one, and each row is written whole.
    unsafe {
        super::written_vec(x.len(), |y| {
            y.par_chunks_mut(plane.max(1)).zip(x.par_chunks(plane.max(1))).enumerate().for_each(|(row, (yr, xr))| {
                let ch = row % c;
                let scale = gamma[ch] / (var[ch] + eps).sqrt();
                let shift = beta[ch] - mean[ch] * scale;
                if relu {
                    yr.iter_mut().zip(xr).for_each(|(d, &v)| _ = d.write((v * scale + shift).max(0.0)));
                } else {
                    yr.iter_mut().zip(xr).for_each(|(d, &v)| _ = d.write(v * scale + shift));
                }
            })
        })
    }
}

/// Gradients of training-mode batch norm: `(dx, dgamma, dbeta)` from the input, `gamma`, the
/// batch statistics and the output gradient.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    x: &[f32],
    dy: &[f32],
    n: usize,
    c: usize,
    plane: usize,
    mean: &[f32],
    var: &[f32],
    gamma: &[f32],
    eps: f32,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let count = (n * plane).max(1) as f64;
    // Per channel: Σ dy and Σ dy·x̂.
    let (dbeta, dgamma): (Vec<f32>, Vec<f32>) = (0..c)
        .into_par_iter()
        .map(|ch| {
            let inv_std = 1.0 / (var[ch] as f64 + eps as f64).sqrt();
            let (mut s, mut sx) = (0f64, 0f64);
            for i in 0..n {
                let o = (i * c + ch) * plane;
                let (xr, gr) = (&x[o..o + plane], &dy[o..o + plane]);
                // Row sums in f32 (vectorised), accumulated across rows in f64.
                let mut rs = 0f32;
                let mut rsx = 0f32;
                let m = mean[ch];
                for (&v, &g) in xr.iter().zip(gr) {
                    rs += g;
                    rsx += g * (v - m);
                }
                s += rs as f64;
                sx += rsx as f64;
            }
            (s as f32, (sx * inv_std) as f32)
        })
        .unzip();
    // SAFETY: each output row is written whole (`x`, `dy` and the output have the same length).
    let dx = unsafe {
        super::written_vec(x.len(), |dx| {
    dx.par_chunks_mut(plane.max(1)).enumerate().for_each(|(row, dr)| {
        let ch = row % c;
        let o = row * plane;
        let inv_std = 1.0 / (var[ch] + eps).sqrt();
        let k = gamma[ch] * inv_std;
        let mean_g = (dbeta[ch] as f64 / count) as f32;
        // x̂ · mean(dy·x̂), with x̂ = (x - mean) · inv_std
        let proj = (dgamma[ch] as f64 / count) as f32 * inv_std;
        let m = mean[ch];
        for ((d, &v), &g) in dr.iter_mut().zip(&x[o..o + plane]).zip(&dy[o..o + plane]) {
            d.write(k * (g - mean_g - (v - m) * proj));
        }
    })
        })
    };
    (dx, dgamma, dbeta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_channels_have_zero_mean_and_unit_variance() {
        let (n, c, plane) = (3, 2, 5);
        let x: Vec<f32> = (0..n * c * plane).map(|i| (i * 7 % 11) as f32 + if (i / plane) % c == 1 { 100.0 } else { 0.0 }).collect();
        let (mean, var) = channel_stats(&x, n, c, plane);
        let y = normalize(&x, c, plane, &mean, &var, &[1.0, 1.0], &[0.0, 0.0], 0.0, false);
        let (m2, v2) = channel_stats(&y, n, c, plane);
        for ch in 0..c {
            assert!(m2[ch].abs() < 1e-5 && (v2[ch] - 1.0).abs() < 1e-4, "{m2:?} {v2:?}");
        }
    }
}
