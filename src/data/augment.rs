//! Image augmentation on the byte images: random rotation and shifts, like Keras'
//! `ImageDataGenerator(rotation_range, width_shift_range, height_shift_range)`, plus the
//! two moves that need no interpolation: whole-pixel shifts (pad and crop, as torchvision's
//! `RandomCrop(28, padding)`) and left-right mirroring (`horizontal_flip`).

use rand::Rng;
use serde::{Deserialize, Serialize};

/// Random affine jitter; the area uncovered by the move is filled with black (0).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Augment {
    /// Maximum rotation in degrees (uniform in ±`rotation_deg`).
    pub rotation_deg: f32,
    /// Maximum shift as a fraction of width/height (uniform in ±`shift`).
    pub shift: f32,
    /// Mirror left-right with probability ½.
    #[serde(default, skip_serializing_if = "is_false")]
    pub flip: bool,
    /// Whole-pixel shift of up to ±`crop` pixels in each direction. Unlike `shift` it copies
    /// pixels instead of interpolating them, so the moved image stays as sharp as the test images.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub crop: u32,
}

// The two fields above are left out of the serialised config when unused, so the run-cache
// keys of recipes written before they existed stay valid.
fn is_false(b: &bool) -> bool {
    !*b
}
fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Augment {
    /// The Keras notebook's gentle setting: ±2°, ±5 %.
    pub const KERAS: Augment = Augment { rotation_deg: 2.0, shift: 0.05, flip: false, crop: 0 };
    /// The digits post's stronger setting: ±36° (factor 0.1 of a turn), ±10 %.
    pub const STRONG: Augment = Augment { rotation_deg: 36.0, shift: 0.10, flip: false, crop: 0 };
    /// No change at all; a base for struct updates: `Augment { flip: true, ..Augment::NONE }`.
    pub const NONE: Augment = Augment { rotation_deg: 0.0, shift: 0.0, flip: false, crop: 0 };
    /// Mirror images and whole-pixel shifts of up to ±2 px: no interpolation blur.
    pub const MIRROR_CROP: Augment = Augment { rotation_deg: 0.0, shift: 0.0, flip: true, crop: 2 };

    /// One random variant of `img` (`rows × cols` bytes): rotation and fractional shift with
    /// bilinear interpolation, then the whole-pixel shift, then the mirror.
    pub fn apply(&self, img: &[u8], rows: usize, cols: usize, rng: &mut impl Rng) -> Vec<u8> {
        self.draw(rows, cols, rng).apply(img, rows, cols)
    }

    /// Draw one image's random moves. Draws happen only for the moves in use, so older recipes
    /// see the same random stream.
    pub fn draw(&self, rows: usize, cols: usize, rng: &mut impl Rng) -> Moves {
        let mut m = Moves { affine: self.rotation_deg > 0.0 || self.shift > 0.0, ..Moves::default() };
        if self.rotation_deg > 0.0 {
            m.angle = rng.random_range(-self.rotation_deg..=self.rotation_deg).to_radians();
        }
        if self.shift > 0.0 {
            m.dx = rng.random_range(-self.shift..=self.shift) * cols as f32;
            m.dy = rng.random_range(-self.shift..=self.shift) * rows as f32;
        }
        if self.crop > 0 {
            let c = self.crop as i32;
            m.crop = (rng.random_range(-c..=c), rng.random_range(-c..=c));
        }
        m.flip = self.flip && rng.random_bool(0.5);
        m
    }
}

/// The moves drawn for one image by [`Augment::draw`], applied on the host by [`Moves::apply`]
/// or to a whole batch on the device by `train::warp`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moves {
    /// Whether the interpolated move (rotation and fractional shift) is applied at all.
    pub affine: bool,
    /// Rotation in radians about the centre.
    pub angle: f32,
    /// Fractional shift in pixels, right and down.
    pub dx: f32,
    pub dy: f32,
    /// Whole-pixel shift (right, down), after the interpolated move.
    pub crop: (i32, i32),
    /// Mirror left-right, last.
    pub flip: bool,
}

impl Moves {
    /// The moved image.
    pub fn apply(&self, img: &[u8], rows: usize, cols: usize) -> Vec<u8> {
        let mut out = match self.affine {
            true => transform(img, rows, cols, self.angle, self.dx, self.dy),
            false => img.to_vec(),
        };
        if self.crop != (0, 0) {
            out = shift_pixels(&out, rows, cols, self.crop.0 as isize, self.crop.1 as isize);
        }
        if self.flip {
            for row in out.chunks_mut(cols) {
                row.reverse();
            }
        }
        out
    }
}

/// Move `img` by whole pixels (`dx` right, `dy` down); uncovered pixels are 0.
pub fn shift_pixels(img: &[u8], rows: usize, cols: usize, dx: isize, dy: isize) -> Vec<u8> {
    let mut out = vec![0u8; rows * cols];
    for y in 0..rows as isize {
        let sy = y - dy;
        if sy < 0 || sy >= rows as isize {
            continue;
        }
        for x in 0..cols as isize {
            let sx = x - dx;
            if sx >= 0 && sx < cols as isize {
                out[(y as usize) * cols + x as usize] = img[sy as usize * cols + sx as usize];
            }
        }
    }
    out
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

    #[test]
    fn whole_pixel_shift_matches_interpolated_shift() {
        let img: Vec<u8> = (0..30).map(|v| (v * 7 % 256) as u8).collect();
        for (dx, dy) in [(1, 0), (-2, 1), (0, -1), (3, 2)] {
            assert_eq!(shift_pixels(&img, 5, 6, dx, dy), transform(&img, 5, 6, 0.0, dx as f32, dy as f32));
        }
    }

    #[test]
    fn mirror_and_crop_keep_pixels_sharp() {
        use rand::SeedableRng;
        let img: Vec<u8> = (0..36).map(|v| v * 7 + 5).collect();
        let flip: Vec<u8> = img.chunks(6).flat_map(|r| r.iter().rev().copied()).collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let only_flip = Augment { flip: true, ..Augment::NONE };
        let mirrored = (0..200).filter(|_| only_flip.apply(&img, 6, 6, &mut rng) == flip).count();
        assert!((70..=130).contains(&mirrored), "mirrored {mirrored} of 200");
        // With both moves, every output is the image or its mirror moved by whole pixels.
        let mut seen = std::collections::HashSet::new();
        for _ in 0..400 {
            let out = Augment::MIRROR_CROP.apply(&img, 6, 6, &mut rng);
            let hit = (-2..=2).flat_map(|dy| (-2..=2).map(move |dx| (dx, dy))).find_map(|(dx, dy)| {
                if out == shift_pixels(&img, 6, 6, dx, dy) {
                    Some((dx, dy, false))
                } else if out == shift_pixels(&flip, 6, 6, dx, dy) {
                    Some((dx, dy, true))
                } else {
                    None
                }
            });
            seen.insert(hit.expect("not a whole-pixel move of the image or its mirror"));
        }
        assert_eq!(seen.len(), 50, "all 25 shifts, mirrored and not");
        assert_eq!(Augment::NONE.apply(&img, 6, 6, &mut rng), img);
    }

    #[test]
    fn new_fields_stay_out_of_old_configs() {
        // Cache keys hash the serialised config: the old presets must serialise as before.
        let json = serde_json::to_string(&Augment::KERAS).unwrap();
        assert_eq!(json, r#"{"rotation_deg":2.0,"shift":0.05}"#);
        let back: Augment = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Augment::KERAS);
        let m: Augment = serde_json::from_str(&serde_json::to_string(&Augment::MIRROR_CROP).unwrap()).unwrap();
        assert_eq!(m, Augment::MIRROR_CROP);
    }
}
