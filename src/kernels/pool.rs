//! Max pooling with a square window equal to its stride (Keras' `MaxPooling2D(s)`), forward and
//! backward, on `f32` slices in NCHW order. Windows do not overlap, so the backward pass writes
//! each input element once (no scatter-add) and every plane runs in parallel.

use rayon::prelude::*;
use std::mem::MaybeUninit;

/// Planes (images × channels) per parallel task, so small maps still make tasks worth a thread.
const PLANES_PER_TASK: usize = 16;

/// Output size of pooling `len` by `size` (trailing rows and columns that do not fill a window
/// are dropped, as Keras and burn do).
pub fn pooled(len: usize, size: usize) -> usize {
    len / size
}

/// Max over each `size`×`size` window of `planes` planes of `h`×`w`: returns the maxima and, for
/// each, the window position (`dy * size + dx`) of the first maximum.
pub fn max_pool_forward(x: &[f32], planes: usize, h: usize, w: usize, size: usize) -> (Vec<f32>, Vec<u8>) {
    assert!(size >= 1 && size * size <= 256, "max_pool: window {size} too large");
    let (oh, ow) = (pooled(h, size), pooled(w, size));
    let len = planes * oh * ow;
    let task = (PLANES_PER_TASK * oh * ow).max(1);
    let mut arg = Vec::new();
    // SAFETY: the tasks below cover both outputs, and each plane writes all its oh·ow cells.
    let y = unsafe {
        super::written_vec(len, |y| {
            arg = super::written_vec(len, |a| {
                y.par_chunks_mut(task).zip(a.par_chunks_mut(task)).enumerate().for_each(|(t, (yc, ac))| {
                    for (j, (yp, ap)) in yc.chunks_mut(oh * ow).zip(ac.chunks_mut(oh * ow)).enumerate() {
                        let plane = &x[(t * PLANES_PER_TASK + j) * h * w..][..h * w];
                        if size == 2 {
                            pool2_plane(plane, w, oh, ow, yp, ap);
                        } else {
                            pool_plane(plane, w, size, oh, ow, yp, ap);
                        }
                    }
                })
            })
        })
    };
    (y, arg)
}

/// One plane, any window size.
fn pool_plane(plane: &[f32], w: usize, size: usize, oh: usize, ow: usize, y: &mut [MaybeUninit<f32>], arg: &mut [MaybeUninit<u8>]) {
    for oy in 0..oh {
        for ox in 0..ow {
            let (mut best, mut at) = (f32::NEG_INFINITY, 0u8);
            let mut first = true;
            for dy in 0..size {
                let row = &plane[(oy * size + dy) * w + ox * size..][..size];
                for (dx, &v) in row.iter().enumerate() {
                    if first || v > best {
                        best = v;
                        at = (dy * size + dx) as u8;
                        first = false;
                    }
                }
            }
            y[oy * ow + ox].write(best);
            arg[oy * ow + ox].write(at);
        }
    }
}

/// The common 2×2 case, without inner loops.
fn pool2_plane(plane: &[f32], w: usize, oh: usize, ow: usize, y: &mut [MaybeUninit<f32>], arg: &mut [MaybeUninit<u8>]) {
    for oy in 0..oh {
        let (r0, r1) = (&plane[2 * oy * w..][..2 * ow], &plane[(2 * oy + 1) * w..][..2 * ow]);
        let (yr, ar) = (&mut y[oy * ow..][..ow], &mut arg[oy * ow..][..ow]);
        for ox in 0..ow {
            let (mut best, mut at) = (r0[2 * ox], 0u8);
            for (v, i) in [(r0[2 * ox + 1], 1u8), (r1[2 * ox], 2), (r1[2 * ox + 1], 3)] {
                if v > best {
                    best = v;
                    at = i;
                }
            }
            yr[ox].write(best);
            ar[ox].write(at);
        }
    }
}

/// Gradient of [`max_pool_forward`]: `dy` goes to the position each maximum came from.
pub fn max_pool_backward(dy: &[f32], arg: &[u8], planes: usize, h: usize, w: usize, size: usize) -> Vec<f32> {
    let (oh, ow) = (pooled(h, size), pooled(w, size));
    let mut dx = vec![0f32; planes * h * w];
    if dx.is_empty() || oh * ow == 0 {
        return dx;
    }
    // Offset of each window position from the window's corner (no division in the loop).
    let offset: Vec<usize> = (0..size * size).map(|at| (at / size) * w + at % size).collect();
    dx.par_chunks_mut(PLANES_PER_TASK * h * w).enumerate().for_each(|(t, dc)| {
        for (j, plane) in dc.chunks_mut(h * w).enumerate() {
            let base = (t * PLANES_PER_TASK + j) * oh * ow;
            let (g, a) = (&dy[base..base + oh * ow], &arg[base..base + oh * ow]);
            for oy in 0..oh {
                for ox in 0..ow {
                    plane[oy * size * w + ox * size + offset[a[oy * ow + ox] as usize]] = g[oy * ow + ox];
                }
            }
        }
    });
    dx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_first_maximum_and_routes_its_gradient() {
        // One 3x5 plane pooled by 2: a 1x2 output; the last row and column are dropped.
        let x = [1., 5., 2., 2., 9., 3., 5., 0., 7., 9., 8., 8., 8., 8., 8.];
        let (y, arg) = max_pool_forward(&x, 1, 3, 5, 2);
        assert_eq!(y, vec![5., 7.]);
        assert_eq!(arg, vec![1, 3]);
        let dx = max_pool_backward(&[10., 20.], &arg, 1, 3, 5, 2);
        assert_eq!(dx, vec![0., 10., 0., 0., 0., 0., 0., 0., 20., 0., 0., 0., 0., 0., 0.]);
    }
}
