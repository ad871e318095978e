//! Image augmentation on the byte images: random rotation and shifts, like Keras'
//! `ImageDataGenerator(rotation_range, width_shift_range, height_shift_range)`.

use rand::Rng;
use serde::{Deserialize, Serialize};

/// Random affine jitter; the area uncovered by the move is filled with black (0).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Augment {
    /// Maximum rotation in degrees (uniform in ±`rotation_deg`).
    pub rotation_deg: f32,
    /// Maximum shift as a fraction of width/height (uniform in ±`shift`).
    pub shift: f32,
}

impl Augment {
    /// The Keras notebook's gentle setting: ±2°, ±5 %.
    pub const KERAS: Augment = Augment { rotation_deg: 2.0, shift: 0.05 };
    /// The digits post's stronger setting: ±36° (factor 0.1 of a turn), ±10 %.
    pub const STRONG: Augment = Augment { rotation_deg: 36.0, shift: 0.10 };

    /// One random variant of `img` (`rows × cols` bytes), bilinear interpolation.
    pub fn apply(&self, img: &[u8], rows: usize, cols: usize, rng: &mut impl Rng) -> Vec<u8> {
        let angle = if self.rotation_deg > 0.0 {
            rng.random_range(-self.rotation_deg..=self.rotation_deg).to_radians()
        } else {
            0.0
        };
        let (dx, dy) = if self.shift > 0.0 {
            (
                rng.random_range(-self.shift..=self.shift) * cols as f32,
                rng.random_range(-self.shift..=self.shift) * rows as f32,
            )
        } else {
            (0.0, 0.0)
        };
        transform(img, rows, cols, angle, dx, dy)
    }
}

/// Rotate by `angle` (radians, about the centre) then shift by `(dx, dy)` pixels.
pub fn transform(img: &[u8], rows: usize, cols: usize, angle: f32, dx: f32, dy: f32) -> Vec<u8> {
    let (cy, cx) = ((rows as f32 - 1.0) / 2.0, (cols as f32 - 1.0) / 2.0);
    let (s, c) = angle.sin_cos();
    let mut out = vec![0u8; rows * cols];
    let at = |y: isize, x: isize| -> f32 {
        if y < 0 || x < 0 || y >= rows as isize || x >= cols as isize {
            0.0
        } else {
            img[y as usize * cols + x as usize] as f32
        }
    };
    for y in 0..rows {
        for x in 0..cols {
            // Inverse map: where in the source does this output pixel come from?
            let (ox, oy) = (x as f32 - dx - cx, y as f32 - dy - cy);
            let sx = c * ox + s * oy + cx;
            let sy = -s * ox + c * oy + cy;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as isize, y0 as isize);
            let v = at(y0, x0) * (1.0 - fx) * (1.0 - fy)
                + at(y0, x0 + 1) * fx * (1.0 - fy)
                + at(y0 + 1, x0) * (1.0 - fx) * fy
                + at(y0 + 1, x0 + 1) * fx * fy;
            out[y * cols + x] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_and_shift() {
        let img: Vec<u8> = (0..16).map(|v| v * 10).collect();
        assert_eq!(transform(&img, 4, 4, 0.0, 0.0, 0.0), img);
        let shifted = transform(&img, 4, 4, 0.0, 1.0, 0.0);
        assert_eq!(shifted[1], img[0]);
        assert_eq!(shifted[0], 0);
    }
}
