//! Conv2d (stride 1, square padding, no dilation or groups) with a fused bias and activation,
//! forward and backward, on plain `f32` slices in NCHW order.
//!
//! The batch is cut into chunks of whole images whose size depends only on the layer's shape
//! (never on the thread count), so every chunk runs a few large GEMMs instead of many tiny ones,
//! the chunks run in parallel, and the weight-gradient partial sums are added in chunk order:
//! results are bit-for-bit the same with 1 or 16 threads.

use rayon::prelude::*;
use std::mem::MaybeUninit;
use std::cell::RefCell;

/// Columns (images × output pixels) per chunk we aim for: large enough for efficient GEMMs,
/// small enough that a batch of 128 gives every core of a laptop work.
const TARGET_COLUMNS: usize = 512;

/// The shapes of one convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvGeom {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    /// Output channels.
    pub k: usize,
    pub kh: usize,
    pub kw: usize,
    pub pad: usize,
    pub oh: usize,
    pub ow: usize,
}

impl ConvGeom {
    /// Geometry from the input `[n, c, h, w]` and weight `[k, c, kh, kw]` shapes, or why they
    /// do not fit together.
    pub fn new(x: [usize; 4], weight: [usize; 4], pad: usize) -> Result<Self, String> {
        let [n, c, h, w] = x;
        let [k, wc, kh, kw] = weight;
        if wc != c {
            return Err(format!("conv2d: input has {c} channels, weight expects {wc}"));
        }
        if kh == 0 || kw == 0 || h + 2 * pad < kh || w + 2 * pad < kw {
            return Err(format!("conv2d: kernel {kh}x{kw} does not fit input {h}x{w} padded by {pad}"));
        }
        Ok(ConvGeom { n, c, h, w, k, kh, kw, pad, oh: h + 2 * pad - kh + 1, ow: w + 2 * pad - kw + 1 })
    }
    /// Output pixels per image.
    pub fn p(&self) -> usize {
        self.oh * self.ow
    }
    /// Rows of the unfolded input: `c * kh * kw`.
    pub fn ckk(&self) -> usize {
        self.c * self.kh * self.kw
    }
    /// Images per chunk (a function of the shape only, for determinism).
    pub fn chunk_images(&self) -> usize {
        TARGET_COLUMNS.div_ceil(self.p()).clamp(1, self.n.max(1))
    }
    pub fn out_shape(&self) -> [usize; 4] {
        [self.n, self.k, self.oh, self.ow]
    }
}

/// Activation fused after the bias: `None` is linear, `Some(slope)` is leaky ReLU with that
/// negative slope (`Some(0.0)` is ReLU).
pub type FusedAct = Option<f32>;

thread_local! {
    static SCRATCH: RefCell<[Vec<f32>; 3]> = const { RefCell::new([Vec::new(), Vec::new(), Vec::new()]) };
}

/// Run `f` with three per-thread scratch buffers of the given lengths (contents unspecified).
fn with_scratch<R>(lens: [usize; 3], f: impl FnOnce(&mut [f32], &mut [f32], &mut [f32]) -> R) -> R {
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        for (v, &l) in s.iter_mut().zip(&lens) {
            if v.len() < l {
                v.resize(l, 0.0);
            }
        }
        let [a, b, c] = &mut *s;
        f(&mut a[..lens[0]], &mut b[..lens[1]], &mut c[..lens[2]])
    })
}

/// `dst[m×n] (row stride dst_rs) = lhs[m×k] · rhs[k×n]`, each operand given by its row and
/// column strides; single-threaded (the chunks are the parallelism).
#[allow(clippy::too_many_arguments)]
fn sgemm(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [MaybeUninit<f32>],
    dst_rs: usize,
    lhs: &[f32],
    lhs_rs: usize,
    lhs_cs: usize,
    rhs: &[f32],
    rhs_rs: usize,
    rhs_cs: usize,
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(dst.len() > (m - 1) * dst_rs + (n - 1), "sgemm: dst too small");
    if k == 0 {
        for r in 0..m {
            dst[r * dst_rs..r * dst_rs + n].fill(MaybeUninit::new(0.0));
        }
        return;
    }
    assert!(lhs.len() > (m - 1) * lhs_rs + (k - 1) * lhs_cs, "sgemm: lhs too small");
    assert!(rhs.len() > (k - 1) * rhs_rs + (n - 1) * rhs_cs, "sgemm: rhs too small");
    // SAFETY: the asserts above keep every index the strides reach inside the slices, `dst`
    // does not alias the inputs (it is a distinct `&mut`), and with `read_dst = false` gemm
    // only writes `dst`, so it may start uninitialised.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr().cast::<f32>(),
            1,
            dst_rs as isize,
            false,
            lhs.as_ptr(),
            lhs_cs as isize,
            lhs_rs as isize,
            rhs.as_ptr(),
            rhs_cs as isize,
            rhs_rs as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

/// `s` seen as possibly uninitialised, to pass initialised scratch to [`sgemm`].
fn as_uninit(s: &mut [f32]) -> &mut [MaybeUninit<f32>] {
    // SAFETY: same layout; callers only ever store initialised `f32`s through the result.
    unsafe { &mut *(s as *mut [f32] as *mut [MaybeUninit<f32>]) }
}

/// Add `b` to each of `v` and apply the activation, in place.
#[inline]
fn bias_act(v: &mut [f32], b: f32, a: FusedAct) {
    // One loop per activation, so each vectorises.
    match a {
        None => v.iter_mut().for_each(|d| *d += b),
        Some(0.0) => v.iter_mut().for_each(|d| *d = (*d + b).max(0.0)),
        Some(sl) => v.iter_mut().for_each(|d| {
            let x = *d + b;
            *d = if x > 0.0 { x } else { x * sl };
        }),
    }
}

/// The valid output columns `[lo, hi)` of a kernel tap at offset `d` (input column
/// `o + d - pad` must lie in `[0, len)`), for `out` output positions.
#[inline]
fn valid_range(d: usize, pad: usize, len: usize, out: usize) -> (usize, usize) {
    let lo = pad.saturating_sub(d).min(out);
    let hi = (len + pad).saturating_sub(d).min(out).max(lo);
    (lo, hi)
}

/// Unfold `nb` images into `cols[ckk, nb * p]`.
fn im2col(x: &[f32], nb: usize, g: &ConvGeom, cols: &mut [f32]) {
    let (p, ncols) = (g.p(), nb * g.p());
    for ci in 0..g.c {
        for dy in 0..g.kh {
            let (ylo, yhi) = valid_range(dy, g.pad, g.h, g.oh);
            for dx in 0..g.kw {
                let (xlo, xhi) = valid_range(dx, g.pad, g.w, g.ow);
                let row = &mut cols[((ci * g.kh + dy) * g.kw + dx) * ncols..][..ncols];
                for i in 0..nb {
                    let plane = &x[(i * g.c + ci) * g.h * g.w..][..g.h * g.w];
                    let img = &mut row[i * p..(i + 1) * p];
                    img[..ylo * g.ow].fill(0.0);
                    img[yhi * g.ow..].fill(0.0);
                    for oy in ylo..yhi {
                        let out = &mut img[oy * g.ow..(oy + 1) * g.ow];
                        let src = &plane[(oy + dy - g.pad) * g.w..][..g.w];
                        out[..xlo].fill(0.0);
                        out[xhi..].fill(0.0);
                        out[xlo..xhi].copy_from_slice(&src[xlo + dx - g.pad..xhi + dx - g.pad]);
                    }
                }
            }
        }
    }
}

/// Fold `cols[ckk, nb * p]` back onto `nb` images, adding overlapping taps into `dx_out`
/// (which the caller zeroes).
fn col2im(cols: &[f32], nb: usize, g: &ConvGeom, dx_out: &mut [f32]) {
    let (p, ncols) = (g.p(), nb * g.p());
    for i in 0..nb {
        for ci in 0..g.c {
            let plane = &mut dx_out[(i * g.c + ci) * g.h * g.w..][..g.h * g.w];
            for dy in 0..g.kh {
                let (ylo, yhi) = valid_range(dy, g.pad, g.h, g.oh);
                for dx in 0..g.kw {
                    let (xlo, xhi) = valid_range(dx, g.pad, g.w, g.ow);
                    let row = &cols[((ci * g.kh + dy) * g.kw + dx) * ncols + i * p..][..p];
                    for oy in ylo..yhi {
                        let src = &row[oy * g.ow + xlo..oy * g.ow + xhi];
                        let dst = &mut plane[(oy + dy - g.pad) * g.w + xlo + dx - g.pad..][..xhi - xlo];
                        for (d, s) in dst.iter_mut().zip(src) {
                            *d += s;
                        }
                    }
                }
            }
        }
    }
}

/// `act(conv2d(x, weight) + bias)`: `x` is `[n, c, h, w]`, `weight` `[k, c, kh, kw]`, `bias`
/// `[k]` (or empty for none); returns `[n, k, oh, ow]`.
pub fn conv2d_forward(x: &[f32], weight: &[f32], bias: &[f32], g: &ConvGeom, a: FusedAct) -> Vec<f32> {
    let (p, ckk, k) = (g.p(), g.ckk(), g.k);
    let bc = g.chunk_images();
    let in_img = g.c * g.h * g.w;
    // SAFETY: the chunks cover `y`, and each chunk's GEMM writes all of its `k·ncols` values,
    // either straight into the chunk or into scratch that is then copied over it whole.
    unsafe {
        super::written_vec(g.n * k * p, |y| {
            y.par_chunks_mut((bc * k * p).max(1)).enumerate().for_each(|(ci, yc)| {
                let nb = yc.len() / (k * p);
                let xc = &x[ci * bc * in_img..][..nb * in_img];
                let ncols = nb * p;
                if nb == 1 {
                    // One image: the GEMM's `[k, p]` result is already the output's layout.
                    with_scratch([ckk * ncols, 0, 0], |cols, _, _| {
                        im2col(xc, nb, g, cols);
                        sgemm(k, ncols, ckk, yc, ncols, weight, ckk, 1, cols, ncols, 1);
                    });
                    let yc = &mut *(yc as *mut [MaybeUninit<f32>] as *mut [f32]);
                    for (kk, row) in yc.chunks_mut(p).enumerate() {
                        bias_act(row, bias.get(kk).copied().unwrap_or(0.0), a);
                    }
                    return;
                }
                with_scratch([ckk * ncols, k * ncols, 0], |cols, out, _| {
                    im2col(xc, nb, g, cols);
                    sgemm(k, ncols, ckk, as_uninit(out), ncols, weight, ckk, 1, cols, ncols, 1);
                    for kk in 0..k {
                        let b = bias.get(kk).copied().unwrap_or(0.0);
                        bias_act(&mut out[kk * ncols..(kk + 1) * ncols], b, a);
                        for i in 0..nb {
                            let src = &out[kk * ncols + i * p..][..p];
                            let dst = &mut yc[(i * k + kk) * p..][..p];
                            dst.iter_mut().zip(src).for_each(|(d, &s)| _ = d.write(s));
                        }
                    }
                })
            })
        })
    }
}

/// Gradients of [`conv2d_forward`]: from the input `x`, the weight, the forward output `y`
/// and the output gradient `dy`, returns `(dx, dweight, dbias)`; `dx` only when `need_dx`.
pub fn conv2d_backward(
    x: &[f32],
    weight: &[f32],
    y: &[f32],
    dy: &[f32],
    g: &ConvGeom,
    a: FusedAct,
    need_dx: bool,
) -> (Option<Vec<f32>>, Vec<f32>, Vec<f32>) {
    let (p, ckk, k) = (g.p(), g.ckk(), g.k);
    let in_img = g.c * g.h * g.w;
    let bc = g.chunk_images();
    let chunks = g.n.div_ceil(bc);
    let mut dx = if need_dx { vec![0f32; g.n * in_img] } else { Vec::new() };
    // One (dweight, dbias) partial per chunk, summed below in chunk order.
    let work = |ci: usize, dxc: Option<&mut [f32]>| -> (Vec<f32>, Vec<f32>) {
        let nb = bc.min(g.n - ci * bc);
        let ncols = nb * p;
        let xc = &x[ci * bc * in_img..][..nb * in_img];
        let off = ci * bc * k * p;
        let (yc, dyc) = (&y[off..off + nb * k * p], &dy[off..off + nb * k * p]);
        let mut dw = vec![0f32; k * ckk];
        let mut db = vec![0f32; k];
        with_scratch([ckk * ncols, k * ncols, if dxc.is_some() { ckk * ncols } else { 0 }], |cols, gy, dcols| {
            // gy[k, ncols]: the gradient before the activation, one row per output channel.
            for i in 0..nb {
                for kk in 0..k {
                    let src = (i * k + kk) * p;
                    let dst = &mut gy[kk * ncols + i * p..][..p];
                    let (gs, ys) = (&dyc[src..src + p], &yc[src..src + p]);
                    match a {
                        None => dst.copy_from_slice(gs),
                        Some(sl) => dst.iter_mut().zip(gs).zip(ys).for_each(|((d, &g_), &y_)| {
                            *d = if y_ > 0.0 { g_ } else { g_ * sl };
                        }),
                    }
                }
            }
            for kk in 0..k {
                db[kk] = gy[kk * ncols..(kk + 1) * ncols].iter().sum();
            }
            im2col(xc, nb, g, cols);
            // dw[k, ckk] = gy[k, ncols] · cols[ckk, ncols]ᵀ
            sgemm(k, ckk, ncols, as_uninit(&mut dw), ckk, gy, ncols, 1, cols, 1, ncols);
            if let Some(dxc) = dxc {
                // dcols[ckk, ncols] = weight[k, ckk]ᵀ · gy[k, ncols]
                sgemm(ckk, ncols, k, as_uninit(dcols), ncols, weight, 1, ckk, gy, ncols, 1);
                col2im(dcols, nb, g, dxc);
            }
        });
        (dw, db)
    };
    let partials: Vec<(Vec<f32>, Vec<f32>)> = if need_dx {
        dx.par_chunks_mut(bc * in_img).enumerate().map(|(ci, dxc)| work(ci, Some(dxc))).collect()
    } else {
        (0..chunks).into_par_iter().map(|ci| work(ci, None)).collect()
    };
    let mut dw = vec![0f32; k * ckk];
    let mut db = vec![0f32; k];
    for (pw, pb) in &partials {
        dw.iter_mut().zip(pw).for_each(|(d, s)| *d += s);
        db.iter_mut().zip(pb).for_each(|(d, s)| *d += s);
    }
    (need_dx.then_some(dx), dw, db)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct definition, for checking the GEMM formulation.
    fn naive(x: &[f32], w: &[f32], b: &[f32], g: &ConvGeom) -> Vec<f32> {
        let mut y = vec![0f32; g.n * g.k * g.p()];
        for n in 0..g.n {
            for k in 0..g.k {
                for oy in 0..g.oh {
                    for ox in 0..g.ow {
                        let mut s = b.get(k).copied().unwrap_or(0.0);
                        for c in 0..g.c {
                            for dy in 0..g.kh {
                                for dx in 0..g.kw {
                                    let iy = (oy + dy) as isize - g.pad as isize;
                                    let ix = (ox + dx) as isize - g.pad as isize;
                                    if iy >= 0 && ix >= 0 && (iy as usize) < g.h && (ix as usize) < g.w {
                                        s += x[((n * g.c + c) * g.h + iy as usize) * g.w + ix as usize]
                                            * w[((k * g.c + c) * g.kh + dy) * g.kw + dx];
                                    }
                                }
                            }
                        }
                        y[((n * g.k + k) * g.oh + oy) * g.ow + ox] = s;
                    }
                }
            }
        }
        y
    }

    fn ramp(n: usize, seed: u32) -> Vec<f32> {
        (0..n).map(|i| (((i as u32).wrapping_mul(2654435761).wrapping_add(seed) >> 8) % 1000) as f32 / 500.0 - 1.0).collect()
    }

    #[test]
    fn forward_matches_direct_definition() {
        for (x, wt, pad) in [([3, 2, 7, 5], [4, 2, 3, 3], 0), ([2, 1, 6, 6], [3, 1, 3, 3], 1), ([5, 3, 4, 9], [2, 3, 2, 4], 2)] {
            let g = ConvGeom::new(x, wt, pad).unwrap();
            let (xs, ws, bs) = (ramp(x.iter().product(), 1), ramp(wt.iter().product(), 2), ramp(wt[0], 3));
            let got = conv2d_forward(&xs, &ws, &bs, &g, None);
            let want = naive(&xs, &ws, &bs, &g);
            for (a, b) in got.iter().zip(&want) {
                assert!((a - b).abs() < 1e-4, "{a} vs {b} for {g:?}");
            }
        }
    }

    #[test]
    fn bad_shapes_are_errors() {
        assert!(ConvGeom::new([1, 2, 5, 5], [3, 1, 3, 3], 0).unwrap_err().contains("2 channels"));
        assert!(ConvGeom::new([1, 1, 2, 2], [3, 1, 3, 3], 0).unwrap_err().contains("does not fit"));
    }
}
