//! Dropout masks: each element kept with probability `1 - rate` and scaled by `1 / (1 - rate)`
//! (inverted dropout, as Keras and burn), drawn from a counter-based hash of `(seed, index)`,
//! so the mask is the same at any thread count and every chunk is generated in parallel.

use rayon::prelude::*;

const CHUNK: usize = 16 * 1024;

/// SplitMix64's finaliser: a good 64-bit mix of a counter.
#[inline]
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `len` values, each `1 / (1 - rate)` with probability `1 - rate` and `0` otherwise.
pub fn mask(len: usize, rate: f32, seed: u64) -> Vec<f32> {
    let keep = 1.0 - rate as f64;
    let scale = (1.0 / keep) as f32;
    // Keep when the top 32 bits of the hash fall below keep · 2³².
    let threshold = (keep * 4_294_967_296.0).min(u32::MAX as f64) as u64;
    let base = mix(seed);
    // SAFETY: the chunks cover the output and every element of each is written.
    unsafe {
        crate::kernels::written_vec(len, |out| {
            out.par_chunks_mut(CHUNK).enumerate().for_each(|(c, chunk)| {
                let start = (c * CHUNK) as u64;
                for (j, v) in chunk.iter_mut().enumerate() {
                    let h = mix(base.wrapping_add((start + j as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))) >> 32;
                    v.write(if h < threshold { scale } else { 0.0 });
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_expected_share_scaled() {
        let m = mask(200_000, 0.3, 7);
        let kept = m.iter().filter(|&&v| v > 0.0).count() as f64 / m.len() as f64;
        assert!((kept - 0.7).abs() < 0.01, "{kept}");
        assert!(m.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.7).abs() < 1e-6));
        // The mean is preserved, and another seed gives another mask.
        let mean = m.iter().map(|&v| v as f64).sum::<f64>() / m.len() as f64;
        assert!((mean - 1.0).abs() < 0.02, "{mean}");
        assert_ne!(m, mask(200_000, 0.3, 8));
        assert_eq!(m, mask(200_000, 0.3, 7));
    }
}
