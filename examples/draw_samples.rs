//! Draws the out-of-dataset sample images in `data/sample_images/` (simple silhouettes of a
//! T-shirt, trousers, a dress, sneakers, an ankle boot and a bag, on light and dark backgrounds
//! and at sizes the network has never seen). The shoes point left, as every shoe in
//! Fashion-MNIST does, except `sneaker_facing_right_on_white.png`, mirrored on purpose.
//! Run: `cargo run --release --example draw_samples`.

use plotters::prelude::*;

type Poly = Vec<(i32, i32)>;

struct Sample {
    file: &'static str,
    size: (u32, u32),
    background: RGBColor,
    /// Polygons with their colours, drawn in order.
    shapes: Vec<(Poly, RGBColor)>,
    circles: Vec<((i32, i32), i32)>,
}

fn scale(p: &[(f32, f32)], (w, h): (u32, u32)) -> Poly {
    p.iter().map(|&(x, y)| ((x * w as f32) as i32, (y * h as f32) as i32)).collect()
}

/// `p` mirrored left to right: the shoes are drawn toe right, then turned to face left.
fn mirror(p: &[(f32, f32)]) -> Vec<(f32, f32)> {
    p.iter().map(|&(x, y)| (1.0 - x, y)).collect()
}

/// A sneaker of `size`, toe on the left unless `facing_right`: upper, a light sole, three laces.
fn sneaker(size: (u32, u32), upper: RGBColor, sole: RGBColor, facing_right: bool) -> Vec<(Poly, RGBColor)> {
    let body = [(0.08, 0.45), (0.35, 0.42), (0.55, 0.58), (0.85, 0.62), (0.93, 0.70), (0.92, 0.74), (0.08, 0.74)];
    let sole_p = [(0.07, 0.74), (0.94, 0.74), (0.92, 0.82), (0.08, 0.82)];
    let lace = |x: f32| [(x, 0.47 + (x - 0.35) * 0.8), (x + 0.05, 0.45 + (x - 0.35) * 0.8), (x + 0.07, 0.49 + (x - 0.35) * 0.8), (x + 0.02, 0.51 + (x - 0.35) * 0.8)];
    let mut parts = vec![(body.to_vec(), upper), (sole_p.to_vec(), sole)];
    parts.extend([0.38, 0.46, 0.54].map(|x| (lace(x).to_vec(), sole)));
    parts.into_iter().map(|(p, c)| (scale(&if facing_right { p } else { mirror(&p) }, size), c)).collect()
}

fn samples() -> Vec<Sample> {
    let tshirt = [(0.30, 0.15), (0.42, 0.12), (0.50, 0.18), (0.58, 0.12), (0.70, 0.15), (0.92, 0.35), (0.80, 0.45), (0.72, 0.38), (0.72, 0.88), (0.28, 0.88), (0.28, 0.38), (0.20, 0.45), (0.08, 0.35)];
    let trousers = [(0.32, 0.08), (0.68, 0.08), (0.74, 0.92), (0.58, 0.92), (0.50, 0.35), (0.42, 0.92), (0.26, 0.92)];
    let dress = [(0.40, 0.08), (0.60, 0.08), (0.62, 0.30), (0.57, 0.42), (0.80, 0.92), (0.20, 0.92), (0.43, 0.42), (0.38, 0.30)];
    let boot = [(0.25, 0.12), (0.55, 0.12), (0.57, 0.55), (0.85, 0.62), (0.92, 0.72), (0.92, 0.80), (0.22, 0.80), (0.24, 0.55)];
    let boot_sole = [(0.21, 0.80), (0.93, 0.80), (0.93, 0.87), (0.21, 0.87)];
    let bag = [(0.12, 0.38), (0.88, 0.38), (0.84, 0.88), (0.16, 0.88)];
    let handle = [(0.30, 0.38), (0.34, 0.14), (0.66, 0.14), (0.70, 0.38), (0.62, 0.38), (0.59, 0.22), (0.41, 0.22), (0.38, 0.38)];
    let white = RGBColor(245, 245, 240);
    let black = RGBColor(12, 12, 12);
    let one = |p: &[(f32, f32)], size, c| vec![(scale(p, size), c)];
    let brown = RGBColor(180, 150, 110);
    vec![
        Sample { file: "tshirt_on_white.png", size: (240, 220), background: white, shapes: one(&tshirt, (240, 220), RGBColor(40, 60, 120)), circles: vec![] },
        Sample { file: "trousers_on_white.png", size: (160, 260), background: white, shapes: one(&trousers, (160, 260), RGBColor(60, 50, 40)), circles: vec![] },
        Sample { file: "dress_on_black.png", size: (200, 300), background: black, shapes: one(&dress, (200, 300), RGBColor(200, 190, 210)), circles: vec![] },
        Sample { file: "sneaker_on_white.jpg", size: (320, 200), background: white, shapes: sneaker((320, 200), RGBColor(90, 90, 95), RGBColor(200, 200, 200), false), circles: vec![] },
        Sample { file: "sneaker_facing_right_on_white.png", size: (320, 200), background: white, shapes: sneaker((320, 200), RGBColor(90, 90, 95), RGBColor(200, 200, 200), true), circles: vec![] },
        Sample {
            file: "ankle_boot_on_black.png",
            size: (220, 220),
            background: black,
            shapes: vec![(scale(&mirror(&boot), (220, 220)), brown), (scale(&mirror(&boot_sole), (220, 220)), RGBColor(90, 70, 50))],
            circles: vec![],
        },
        Sample {
            file: "bag_on_white.png",
            size: (260, 240),
            background: white,
            shapes: vec![(scale(&bag, (260, 240)), RGBColor(120, 40, 30)), (scale(&handle, (260, 240)), RGBColor(120, 40, 30))],
            circles: vec![((130, 150), 8)],
        },
    ]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample_images");
    std::fs::create_dir_all(&dir)?;
    for s in samples() {
        let (w, h) = s.size;
        let mut buf = vec![0u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
            root.fill(&s.background)?;
            for (p, c) in &s.shapes {
                root.draw(&Polygon::new(p.clone(), c.filled()))?;
            }
            for &(c, r) in &s.circles {
                root.draw(&Circle::new(c, r, s.background.filled()))?;
            }
            root.present()?;
        }
        let img = image::RgbImage::from_raw(w, h, buf).ok_or("buffer size")?;
        img.save(dir.join(s.file))?;
        println!("wrote {}", dir.join(s.file).display());
    }
    Ok(())
}
