//! What a CNN's pieces compute, written out on plain numbers for the explanations in the posts:
//! one convolution, ReLU, one max-pooling, softmax and cross-entropy.
//!
//! These are the definitions, written to be read, not the fast kernels of `crate::kernels`.

use crate::util::error::{Error, Result};

/// A single-channel map of `rows × cols` values, row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct Map {
    pub values: Vec<f32>,
    pub rows: usize,
    pub cols: usize,
}

impl Map {
    /// A map from values, checked against its size.
    pub fn new(values: Vec<f32>, rows: usize, cols: usize) -> Result<Map> {
        if values.len() != rows * cols {
            return Err(Error::invalid(format!("{} values do not make a {rows}x{cols} map", values.len())));
        }
        Ok(Map { values, rows, cols })
    }

    /// A byte image as values 0..255.
    pub fn from_bytes(px: &[u8], rows: usize, cols: usize) -> Result<Map> {
        Map::new(px.iter().map(|&p| p as f32).collect(), rows, cols)
    }

    /// The value at row `r`, column `c`; 0 outside the map (the zeros "same" padding adds).
    pub fn at(&self, r: isize, c: isize) -> f32 {
        if r < 0 || c < 0 || r as usize >= self.rows || c as usize >= self.cols {
            return 0.0;
        }
        self.values[r as usize * self.cols + c as usize]
    }
}

/// A 3×3 kernel, row by row.
pub type Kernel3 = [f32; 9];

/// Vertical edges (Prewitt, divided by 3): the mean of the right column minus the mean of the
/// left one, so positive where the image gets brighter from left to right, in pixel units.
pub const VERTICAL_EDGES: Kernel3 = [-T, 0.0, T, -T, 0.0, T, -T, 0.0, T];
/// Horizontal edges: positive where the image gets brighter from top to bottom.
pub const HORIZONTAL_EDGES: Kernel3 = [-T, -T, -T, 0.0, 0.0, 0.0, T, T, T];
const T: f32 = 1.0 / 3.0;
/// Blur: the mean of the 3×3 neighbourhood.
pub const BLUR: Kernel3 = [1.0 / 9.0; 9];

/// Slides a 3×3 kernel over `input` and sums the products at each position, as a `Conv2D` layer
/// does for one input and one output channel (deep-learning libraries do not flip the kernel).
/// `same` pads with zeros so the output keeps the input's size; otherwise ("valid") the kernel
/// only visits positions where it fits, and the output loses a pixel on every side.
///
/// `let edges = convolve(&Map::from_bytes(&px, 28, 28)?, &VERTICAL_EDGES, false); // 26×26`
pub fn convolve(input: &Map, kernel: &Kernel3, same: bool) -> Map {
    let (off, rows, cols) = match same {
        true => (-1, input.rows, input.cols),
        false => (0, input.rows.saturating_sub(2), input.cols.saturating_sub(2)),
    };
    let mut values = Vec::with_capacity(rows * cols);
    for r in 0..rows as isize {
        for c in 0..cols as isize {
            let mut sum = 0.0;
            for (k, w) in kernel.iter().enumerate() {
                let (dr, dc) = ((k / 3) as isize, (k % 3) as isize);
                sum += w * input.at(r + off + dr, c + off + dc);
            }
            values.push(sum);
        }
    }
    Map { values, rows, cols }
}

/// One output value of [`convolve`] ("valid"), written out: the 3×3 patch of `input` whose
/// top-left pixel is at (`row`, `col`), the kernel, and the sum of their products.
///
/// ```text
/// pixels        kernel              sum of pixel × weight
///   0  12  80   -0.33 0.00 0.33     = 142.33
/// ```
pub fn weighted_sum_text(input: &Map, kernel: &Kernel3, row: usize, col: usize) -> Result<String> {
    if row + 3 > input.rows || col + 3 > input.cols {
        return Err(Error::invalid(format!("a 3x3 patch at ({row}, {col}) does not fit a {}x{} map", input.rows, input.cols)));
    }
    let px = |k: usize| input.values[(row + k / 3) * input.cols + col + k % 3];
    let sum: f32 = (0..9).map(|k| px(k) * kernel[k]).sum();
    let mut out = format!("{:<18}{:<24}sum of pixel × weight\n", "pixels", "kernel");
    for r in 0..3 {
        let p: Vec<String> = (0..3).map(|c| format!("{:>5.0}", px(r * 3 + c))).collect();
        let w: Vec<String> = (0..3).map(|c| format!("{:>6.2}", kernel[r * 3 + c])).collect();
        let tail = if r == 1 { format!("= {sum:.2}") } else { String::new() };
        out.push_str(&format!("{:<18}{:<24}{tail}\n", p.join(""), w.join("")));
    }
    Ok(out)
}

/// ReLU: negative values become 0, the others pass unchanged.
pub fn relu(input: &Map) -> Map {
    Map { values: input.values.iter().map(|v| v.max(0.0)).collect(), ..input.clone() }
}

/// Keeps the largest value of each `size × size` window (stride `size`), as `MaxPooling2D`
/// does; a last row or column that does not fill a window is dropped.
pub fn max_pool(input: &Map, size: usize) -> Map {
    let size = size.max(1);
    let (rows, cols) = (input.rows / size, input.cols / size);
    let mut values = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            let window = (0..size * size).map(|k| input.values[(r * size + k / size) * input.cols + c * size + k % size]);
            values.push(window.fold(f32::NEG_INFINITY, f32::max));
        }
    }
    Map { values, rows, cols }
}

/// Softmax: `exp(z_i) / Σ_j exp(z_j)`, computed after subtracting the largest score (the same
/// result, without overflow).
pub fn softmax(scores: &[f32]) -> Vec<f32> {
    let top = scores.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = scores.iter().map(|s| (s - top).exp()).collect();
    let total: f32 = exps.iter().sum();
    exps.iter().map(|e| e / total).collect()
}

/// Cross-entropy of one prediction: `-ln p` of the true class's probability.
pub fn cross_entropy(probs: &[f32], label: usize) -> Result<f32> {
    let p = probs.get(label).ok_or_else(|| Error::invalid(format!("label {label} is not one of {} classes", probs.len())))?;
    Ok(-(p.max(1e-7)).ln())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp() -> Map {
        // Brighter to the right: 0, 10, 20, ... along each row.
        Map::new((0..25).map(|i| (i % 5) as f32 * 10.0).collect(), 5, 5).unwrap()
    }

    #[test]
    fn valid_loses_a_pixel_per_side_and_same_keeps_the_size() {
        let m = ramp();
        let v = convolve(&m, &VERTICAL_EDGES, false);
        assert_eq!((v.rows, v.cols), (3, 3));
        // A constant slope of 10 per column: right column minus left column, 20 everywhere.
        assert!(v.values.iter().all(|&x| (x - 20.0).abs() < 1e-4), "{:?}", v.values);
        let h = convolve(&m, &HORIZONTAL_EDGES, false);
        assert!(h.values.iter().all(|&x| x.abs() < 1e-4));
        let s = convolve(&m, &BLUR, true);
        assert_eq!((s.rows, s.cols), (5, 5));
        // The centre sees a full neighbourhood: its mean is the middle column's value.
        assert!((s.values[12] - 20.0).abs() < 1e-5);
        // A corner sees four pixels and five zeros of padding: (0 + 10 + 0 + 10) / 9.
        assert!((s.values[0] - 20.0 / 9.0).abs() < 1e-5);
    }

    #[test]
    fn the_written_out_sum_is_the_convolution_value() {
        let m = ramp();
        let t = weighted_sum_text(&m, &VERTICAL_EDGES, 1, 1).unwrap();
        assert!(t.contains("= 20.00"), "{t}");
        assert!(t.lines().nth(1).unwrap().starts_with("   10   20   30"), "{t}");
        assert!(weighted_sum_text(&m, &VERTICAL_EDGES, 3, 0).is_err());
    }

    #[test]
    fn max_pool_keeps_each_window_maximum_and_drops_the_leftover_row() {
        let m = Map::new((0..25).map(|i| i as f32).collect(), 5, 5).unwrap();
        assert_eq!(relu(&Map::new(vec![-1.0, 2.0], 1, 2).unwrap()).values, vec![0.0, 2.0]);
        let p = max_pool(&m, 2);
        assert_eq!((p.rows, p.cols), (2, 2));
        assert_eq!(p.values, vec![6.0, 8.0, 16.0, 18.0]);
    }

    #[test]
    fn softmax_sums_to_one_and_cross_entropy_is_minus_log_p() {
        let p = softmax(&[2.0, 1.0, 0.1, 1000.0]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(p[3] > 0.999);
        let q = softmax(&[0.0, 0.0]);
        assert!((cross_entropy(&q, 1).unwrap() - 2f32.ln()).abs() < 1e-6);
        assert!(cross_entropy(&q, 2).is_err());
        assert!(Map::new(vec![0.0; 3], 2, 2).is_err());
    }
}
