//! Colours: one per class (tab10), one per named series, and colour maps for numbers.

use plotters::style::RGBColor;

/// Ten distinct colours (matplotlib's tab10), one per class.
pub const TAB10: [RGBColor; 10] = [
    RGBColor(31, 119, 180), RGBColor(255, 127, 14), RGBColor(44, 160, 44), RGBColor(214, 39, 40),
    RGBColor(148, 103, 189), RGBColor(140, 86, 75), RGBColor(227, 119, 194), RGBColor(127, 127, 127),
    RGBColor(188, 189, 34), RGBColor(23, 190, 207),
];

/// The colour of a named series (a model in training curves or weight histograms), a function of
/// the name alone, so a model keeps its colour in every figure, in every notebook. (A notebook
/// cell runs in its own compiled library, so a registry of names seen so far would not outlive the
/// cell.) The tab10 colours are ordered so that the series' own model names come out distinct.
pub fn series_colour(name: &str) -> RGBColor {
    const ORDER: [usize; 10] = [6, 5, 1, 2, 8, 0, 3, 7, 4, 9];
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    TAB10[ORDER[(h % 10) as usize]]
}

/// The colours of one figure's series: the colour a caller fixed for a series (`fixed[i]`, e.g.
/// from a table of the models of a series), else the name's own colour, or the next free one when
/// it is taken in this figure.
pub(crate) fn figure_colours(names: &[&str], fixed: &[Option<RGBColor>]) -> Vec<RGBColor> {
    let fixed_at = |i: usize| fixed.get(i).copied().flatten();
    let mut used: Vec<RGBColor> = (0..names.len()).filter_map(fixed_at).collect();
    let mut out = Vec::with_capacity(names.len());
    for (i, n) in names.iter().enumerate() {
        if let Some(c) = fixed_at(i) {
            out.push(c);
            continue;
        }
        let own = series_colour(n);
        let start = TAB10.iter().position(|&c| c == own).unwrap_or(0);
        let c = (0..10).map(|k| TAB10[(start + k) % 10]).find(|c| !used.contains(c)).unwrap_or(own);
        used.push(c);
        out.push(c);
    }
    out
}

/// Viridis colour map, `t` in [0, 1].
pub fn viridis(t: f64) -> RGBColor {
    const A: [(f64, f64, f64); 5] = [(68., 1., 84.), (59., 82., 139.), (33., 145., 140.), (94., 201., 98.), (253., 231., 37.)];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 } * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let (a, b) = (A[i], A[i + 1]);
    let m = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Blue–white–red map for signed values, `t` in [−1, 1].
pub fn diverging(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(-1.0, 1.0) } else { 0.0 };
    let m = |x: f64| (255.0 - x * 255.0).round() as u8;
    if t >= 0.0 { RGBColor(255, m(t * 0.8), m(t * 0.8)) } else { RGBColor(m(-t * 0.8), m(-t * 0.8), 255) }
}

/// Jet-like map (blue → cyan → yellow → red), `t` in [0, 1], for heat overlays.
pub fn jet(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let f = |x: f64| ((1.5 - (4.0 * t - x).abs()).clamp(0.0, 1.0) * 255.0).round() as u8;
    RGBColor(f(3.0), f(2.0), f(1.0))
}

/// How opaque a CAM is over its image where it is hottest, in the figures and the browser demo.
pub const CAM_ALPHA: f32 = 0.55;

/// A pixel of a CAM figure: `base` under the jet colour of `t` (the heat scaled to [0, 1]),
/// more opaque where the heat is higher (`alpha` at the hottest).
pub fn heat_over(base: RGBColor, t: f32, alpha: f32) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    blend(base, jet(t as f64), alpha * (0.25 + 0.75 * t))
}

/// `heat` scaled to [0, 1] by its own minimum and maximum (each CAM has its own scale).
pub fn unit_range(heat: &[f32]) -> Vec<f32> {
    let (lo, hi) = heat.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(l, u), &v| (l.min(v), u.max(v)));
    let span = if hi - lo < 1e-12 { 1.0 } else { hi - lo };
    heat.iter().map(|&v| ((v - lo) / span).clamp(0.0, 1.0)).collect()
}

pub(crate) fn blend(a: RGBColor, b: RGBColor, t: f32) -> RGBColor {
    let m = |x: u8, y: u8| (x as f32 * (1.0 - t) + y as f32 * t).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Bar and title colours, one meaning each across the series: blue for plain values (a bar per
/// class, a probability when the true class is unknown), green for the true class and a right
/// prediction, red for a wrong prediction, grey for the other classes.
pub const BLUE: RGBColor = RGBColor(31, 119, 180);
pub const GREEN: RGBColor = RGBColor(44, 160, 44);
pub const RED: RGBColor = RGBColor(214, 39, 40);
pub const GREY: RGBColor = RGBColor(160, 160, 160);
