//! Augmentation on the device: a batch moved by the [`Moves`] the host drew for it.
//!
//! The host draws each image's moves from the same random stream as [`Augment::apply`] (a few
//! numbers an image, one small upload a batch); the device does the per-pixel work. The
//! arithmetic is the host's, operation for operation, so on the CPU the pixels are the same bytes
//! (checked in the tests); a GPU that fuses a multiply and an add may round a pixel differently.
//!
//! [`Augment::apply`]: crate::data::Augment::apply

use crate::data::augment::Moves;
use burn::tensor::{Int, Tensor, TensorData};

/// `px` (`[n, rows, cols]`, pixel values 0–255, not normalised) with image `i` moved by
/// `moves[i]`: interpolated rotation and shift (rounded to whole levels, like the host's bytes),
/// then the whole-pixel shift, then the mirror. Uncovered pixels are 0.
pub fn warp(px: Tensor<3>, moves: &[Moves]) -> Tensor<3> {
    let [n, rows, cols] = px.dims();
    assert_eq!(moves.len(), n, "one set of moves per image");
    let device = px.device();
    let params: Vec<f32> = moves
        .iter()
        .flat_map(|m| {
            let (s, c) = m.angle.sin_cos();
            [c, s, m.dx, m.dy, m.crop.0 as f32, m.crop.1 as f32, m.flip as u8 as f32]
        })
        .collect();
    let params = Tensor::<2>::from_data(TensorData::new(params, [n, 7]), &device);
    let p = |k: usize| params.clone().slice([0..n, k..k + 1]).reshape([n, 1, 1]);
    let x = Tensor::<1, Int>::arange(0..cols as i64, &device).float().reshape([1, 1, cols]);
    let y = Tensor::<1, Int>::arange(0..rows as i64, &device).float().reshape([1, rows, 1]);
    // Read backwards from each output pixel: undo the mirror, then the whole-pixel shift. The
    // mirror maps x to x + (cols − 1 − 2x), exact in f32.
    let mirrored = x.clone().mul_scalar(-2.0).add_scalar((cols - 1) as f32);
    let xi = x + p(6) * mirrored - p(4); // [n, 1, cols]
    let yi = y - p(5); // [n, rows, 1]
    let shifted_in = inside(xi.clone(), cols) * inside(yi.clone(), rows);
    let flat = px.reshape([n, rows * cols]);
    let at = |yy: Tensor<3>, xx: Tensor<3>| -> Tensor<3> {
        let ok = inside(yy.clone(), rows) * inside(xx.clone(), cols);
        let idx = yy.clamp(0.0, (rows - 1) as f32).mul_scalar(cols as f32) + xx.clamp(0.0, (cols - 1) as f32);
        let idx = idx.int().reshape([n, rows * cols]);
        flat.clone().gather(1, idx).reshape([n, rows, cols]) * ok
    };
    if !moves.iter().any(|m| m.affine) {
        let full = |t: Tensor<3>| t.expand([n, rows, cols]);
        return at(full(yi), full(xi)) * shifted_in;
    }
    // `augment::transform`'s inverse map and bilinear weights, in its order of operations.
    let (cy, cx) = ((rows as f32 - 1.0) / 2.0, (cols as f32 - 1.0) / 2.0);
    let ox = (xi - p(2)).sub_scalar(cx);
    let oy = (yi - p(3)).sub_scalar(cy);
    let (c, s) = (p(0), p(1));
    let sx = (c.clone() * ox.clone() + s.clone() * oy.clone()).add_scalar(cx);
    let sy = (s.neg() * ox + c * oy).add_scalar(cy);
    let (x0, y0) = (sx.clone().floor(), sy.clone().floor());
    let (fx, fy) = (sx - x0.clone(), sy - y0.clone());
    let (gx, gy) = (fx.clone().neg().add_scalar(1.0), fy.clone().neg().add_scalar(1.0));
    let (x1, y1) = (x0.clone().add_scalar(1.0), y0.clone().add_scalar(1.0));
    let v = at(y0.clone(), x0.clone()) * gx.clone() * gy.clone()
        + at(y0, x1.clone()) * fx.clone() * gy
        + at(y1.clone(), x0) * gx * fy.clone()
        + at(y1, x1) * fx * fy;
    // Round half away from zero (Rust's `f32::round`; v ≥ 0) and keep to a byte's range.
    let whole = v.clone().floor();
    let rounded = whole.clone() + (v - whole).greater_equal_elem(0.5).float();
    rounded.clamp(0.0, 255.0) * shifted_in
}

/// 1 where `0 ≤ t < len`, else 0.
fn inside<const D: usize>(t: Tensor<D>, len: usize) -> Tensor<D> {
    t.clone().greater_equal_elem(0.0).float() * t.lower_elem(len as f32).float()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Augment;
    use rand::SeedableRng;

    #[test]
    fn the_device_moves_the_pixels_the_host_moves() {
        let (rows, cols) = (9, 11);
        let device = crate::util::device::cpu();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let imgs: Vec<Vec<u8>> = (0..24).map(|k| (0..rows * cols).map(|i| ((i * 37 + k * 101) % 256) as u8).collect()).collect();
        let all = Augment { rotation_deg: 20.0, shift: 0.1, flip: true, crop: 2 };
        for augment in [Augment::KERAS, Augment::STRONG, Augment::MIRROR_CROP, all, Augment::NONE] {
            let moves: Vec<Moves> = imgs.iter().map(|_| augment.draw(rows, cols, &mut rng)).collect();
            let host: Vec<f32> = imgs.iter().zip(&moves).flat_map(|(img, m)| m.apply(img, rows, cols)).map(f32::from).collect();
            let px: Vec<f32> = imgs.iter().flatten().map(|&p| p as f32).collect();
            let px = Tensor::<3>::from_data(TensorData::new(px, [imgs.len(), rows, cols]), &device);
            let moved = crate::model::tensor_to_vec(warp(px, &moves));
            assert_eq!(moved, host, "{augment:?}");
        }
    }
}
