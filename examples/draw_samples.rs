//! Draws the out-of-dataset sample images in `data/sample_images/` (simple silhouettes of a
//! T-shirt, trousers, a dress, a sneaker, an ankle boot and a bag, on light and dark backgrounds
//! and at sizes the network has never seen). Run: `cargo run --release --example draw_samples`.

use plotters::prelude::*;

type Poly = Vec<(i32, i32)>;

struct Sample {
    file: &'static str,
    size: (u32, u32),
    background: RGBColor,
    fill: RGBColor,
    shapes: Vec<Poly>,
    circles: Vec<((i32, i32), i32)>,
}

fn scale(p: &[(f32, f32)], (w, h): (u32, u32)) -> Poly {
    p.iter().map(|&(x, y)| ((x * w as f32) as i32, (y * h as f32) as i32)).collect()
}

fn samples() -> Vec<Sample> {
    let tshirt = [(0.30, 0.15), (0.42, 0.12), (0.50, 0.18), (0.58, 0.12), (0.70, 0.15), (0.92, 0.35), (0.80, 0.45), (0.72, 0.38), (0.72, 0.88), (0.28, 0.88), (0.28, 0.38), (0.20, 0.45), (0.08, 0.35)];
    let trousers = [(0.32, 0.08), (0.68, 0.08), (0.74, 0.92), (0.58, 0.92), (0.50, 0.35), (0.42, 0.92), (0.26, 0.92)];
    let dress = [(0.40, 0.08), (0.60, 0.08), (0.62, 0.30), (0.57, 0.42), (0.80, 0.92), (0.20, 0.92), (0.43, 0.42), (0.38, 0.30)];
    let sneaker = [(0.08, 0.45), (0.35, 0.42), (0.55, 0.58), (0.85, 0.62), (0.93, 0.70), (0.92, 0.78), (0.08, 0.78)];
    let boot = [(0.25, 0.12), (0.55, 0.12), (0.57, 0.55), (0.85, 0.62), (0.92, 0.72), (0.92, 0.85), (0.22, 0.85), (0.24, 0.55)];
    let bag = [(0.12, 0.38), (0.88, 0.38), (0.84, 0.88), (0.16, 0.88)];
    let handle = [(0.30, 0.38), (0.34, 0.14), (0.66, 0.14), (0.70, 0.38), (0.62, 0.38), (0.59, 0.22), (0.41, 0.22), (0.38, 0.38)];
    let white = RGBColor(245, 245, 240);
    let black = RGBColor(12, 12, 12);
    vec![
        Sample { file: "tshirt_on_white.png", size: (240, 220), background: white, fill: RGBColor(40, 60, 120), shapes: vec![scale(&tshirt, (240, 220))], circles: vec![] },
        Sample { file: "trousers_on_white.png", size: (160, 260), background: white, fill: RGBColor(60, 50, 40), shapes: vec![scale(&trousers, (160, 260))], circles: vec![] },
        Sample { file: "dress_on_black.png", size: (200, 300), background: black, fill: RGBColor(200, 190, 210), shapes: vec![scale(&dress, (200, 300))], circles: vec![] },
        Sample { file: "sneaker_on_white.jpg", size: (320, 200), background: white, fill: RGBColor(90, 90, 95), shapes: vec![scale(&sneaker, (320, 200))], circles: vec![] },
        Sample { file: "ankle_boot_on_black.png", size: (220, 220), background: black, fill: RGBColor(180, 150, 110), shapes: vec![scale(&boot, (220, 220))], circles: vec![] },
        Sample { file: "bag_on_white.png", size: (260, 240), background: white, fill: RGBColor(120, 40, 30), shapes: vec![scale(&bag, (260, 240)), scale(&handle, (260, 240))], circles: vec![((130, 150), 8)] },
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
            for p in &s.shapes {
                root.draw(&Polygon::new(p.clone(), s.fill.filled()))?;
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
