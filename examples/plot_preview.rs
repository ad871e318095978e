//! Render every kind of figure from synthetic data into `target/plot-preview/`, to look at them
//! at the size a reader sees them without running a notebook:
//! `cargo run --release --example plot_preview`.
use cnn_lab::figures::*;
use cnn_lab::plot::*;
use cnn_lab::train::History;

fn history(n: usize, shift: f64) -> History {
    let f = |i: usize, a: f64, b: f64| a + b * (-(i as f64) / 4.0).exp();
    History {
        loss: (0..n).map(|i| f(i, 0.15 + shift, 0.6)).collect(),
        accuracy: (0..n).map(|i| f(i, 0.95 - shift, -0.2)).collect(),
        val_loss: (0..n).map(|i| f(i, 0.22 + shift, 0.5) + 0.01 * (i % 3) as f64).collect(),
        val_accuracy: (0..n).map(|i| f(i, 0.92 - shift, -0.15)).collect(),
        seconds: vec![1.0; n],
    }
}

fn main() -> cnn_lab::Result<()> {
    let out = std::path::Path::new("target/plot-preview");
    std::fs::create_dir_all(out).map_err(|e| cnn_lab::Error::invalid(format!("{}: {e}", out.display())))?;
    let (a, b, c, d) = (history(20, 0.0), history(16, 0.01), history(6, 0.03), history(18, -0.01));
    training_curves(&[("model2", &a), ("model3", &b), ("model1 + L2", &c), ("BN + GAP", &d)])?.save(out.join("curves4.png"))?;
    training_curves(&[("model1", &history(3, 0.0))])?.save(out.join("curves1.png"))?;
    let names: Vec<String> = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"].iter().map(|s| s.to_string()).collect();
    let m: Vec<Vec<usize>> = (0..10).map(|r| (0..10).map(|c| if r == c { 900 } else { (r * 7 + c * 3) % 40 }).collect()).collect();
    confusion_heatmap(&m, &names, true)?.save(out.join("confusion.png"))?;
    confusion_heatmap(&m, &names, false)?.save(out.join("confusion_counts.png"))?;
    let mut pts = Vec::new();
    let mut labels = Vec::new();
    let mut s = 1u64;
    let mut rnd = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 33) as f64 / (1u64 << 31) as f64 - 0.5
    };
    for k in 0..10usize {
        for _ in 0..200 {
            let (cx, cy) = ((k as f64 * 0.7).cos() * 5.0, (k as f64 * 0.7).sin() * 4.0);
            pts.push((cx + 2.0 * rnd(), cy + 2.0 * rnd()));
            labels.push(k);
        }
    }
    scatter("PCA of the embeddings", &pts, &labels, &names, ScatterOptions::default().axes("PC1 (24 % of variance)", "PC2 (15 %)"))?.save(out.join("scatter.png"))?;
    let tops: Vec<bool> = labels.iter().map(|&l| [0, 2, 4, 6].contains(&l)).collect();
    scatter("t-SNE: T-shirt, pullover, coat, shirt", &pts, &labels, &names, ScatterOptions::default().highlight(&tops))?.save(out.join("scatter_highlight.png"))?;
    let sub: Vec<usize> = labels.iter().map(|&l| [5, 7, 9][l % 3]).collect();
    scatter("Three classes only", &pts, &sub, &names, ScatterOptions::default())?.save(out.join("scatter_subset.png"))?;
    let p3: Vec<[f64; 3]> = pts.iter().enumerate().map(|(i, &(x, y))| [x, y, (i % 10) as f64 * 0.3]).collect();
    scatter3d("PCA, three components", &p3, &labels, &names, &[(0.0, 20.0), (60.0, 20.0), (120.0, 20.0)], None)?.save(out.join("scatter3d.png"))?;
    class_bars("Test accuracy per class", &names, &[0.88, 0.99, 0.9, 0.94, 0.92, 0.99, 0.8, 0.98, 0.99, 0.96])?.save(out.join("class_bars.png"))?;
    bar_chart("Training images per class", &names.iter().map(|s| s.as_str()).collect::<Vec<_>>(), &[6000.0; 10])?.save(out.join("counts.png"))?;
    let v: Vec<f32> = (0..128).map(|i| ((i * 37) % 17) as f32 / 17.0).collect();
    vector_bars("Global average pooling: 128 numbers", &v, None)?.save(out.join("vector_bars.png"))?;
    // Synthetic 28x28 images: a bright blob whose place depends on the class.
    let n = 30;
    let mut px = vec![0u8; n * 784];
    for i in 0..n {
        for r in 0..28 {
            for c in 0..28 {
                let (cr, cc) = (8.0 + (i % 10) as f64, 6.0 + 1.5 * (i % 10) as f64);
                let d = ((r as f64 - cr).powi(2) + (c as f64 - cc).powi(2)).sqrt();
                px[i * 784 + r * 28 + c] = (255.0 * (1.0 - d / 9.0).max(0.0)) as u8;
            }
        }
    }
    let ds = cnn_lab::data::Dataset::new(px, (0..n).map(|i| (i % 10) as u8).collect(), 28, 28, names.clone())?;
    let probs: Vec<Vec<f32>> = (0..n).map(|i| (0..10).map(|k| if k == (i * 3) % 10 { 0.7 } else { 0.3 / 9.0 }).collect()).collect();
    prediction_grid(&ds, &(0..6).collect::<Vec<_>>(), &probs, 3)?.save(out.join("prediction_grid.png"))?;
    dataset_grid(&ds, &[0, 1], 2)?.save(out.join("dataset_grid2.png"))?;
    neighbours_grid(&ds, 0, &[10, 20, 1, 2, 3, 4, 5, 6, 7], 5)?.save(out.join("neighbours.png"))?;
    pixel_histogram(&[("train", &ds)])?.save(out.join("pixel_histogram.png"))?;
    let sure: Vec<f64> = (0..500).map(|i| 1.0 - ((i * 37) % 100) as f64 / 250.0).collect();
    let unsure: Vec<f64> = (0..500).map(|i| 1.0 - ((i * 53) % 100) as f64 / 180.0).collect();
    cnn_lab::figures::confidence_histogram("Probability of the predicted class", &[("model1", &sure), ("model2", &unsure)])?
        .save(out.join("confidence_histogram.png"))?;
    mean_images(&ds)?.save(out.join("mean_images.png"))?;
    let colours: Vec<_> = (0..10).map(|k| if k == 3 { TAB10[0] } else { GREY }).collect();
    let input = Panel::from_bytes(ds.image(3), 28, 28, "sneaker_on_white.jpg");
    let cam = Panel::from_bytes(ds.image(3), 28, 28, "CAM: Dress").with_overlay(ds.image(4).iter().map(|&v| v as f32).collect(), 0.55);
    let cls = classification_figure(input, &names.iter().map(|s| s.as_str()).collect::<Vec<_>>(), &probs[1].iter().map(|&p| p as f64).collect::<Vec<_>>(), &colours, Some(cam.clone()))?;
    vstack(&[cls.clone(), cls])?.save(out.join("classification.png"))?;
    let maps: Vec<Panel> = (0..16).map(|i| Panel::from_values(ds.image(i).iter().map(|&v| v as f32 / 40.0).collect(), 28, 28, format!("{i}")).with_range(0.0, 6.4)).collect();
    image_grid("activation: 32 maps 28x28 (first 16), dark 0.00 to yellow 6.40", &maps, &Grid::new(8).cmap(ColorMap::Viridis).cell(80).colour_bar("activation (one scale for the whole layer)"))?.save(out.join("feature_maps.png"))?;
    let kern: Vec<Panel> = (0..8).map(|i| Panel::from_values((0..9).map(|k| ((k + i) % 5) as f32 * 0.1 - 0.2).collect(), 3, 3, format!("{i}")).with_range(-0.3, 0.3)).collect();
    image_grid("conv2d: 8 kernels 3x3", &kern, &Grid::new(8).cmap(ColorMap::Diverging).cell(70).colour_bar("kernel weight"))?.save(out.join("kernels.png"))?;
    let cams: Vec<Panel> = (0..6).map(|i| cam.clone().with_title_color(if i % 2 == 0 { BLUE } else { RED })).collect();
    image_grid("Class activation maps: predicted (true)", &cams, &Grid::new(6).cell(130).colour_bar("evidence for the predicted class (each map scaled to its own range)"))?.save(out.join("cams.png"))?;
    let digits: Vec<String> = (0..10).map(|d| d.to_string()).collect();
    let strips: Vec<Strip> = digits.iter().enumerate().map(|(k, d)| (d.clone(), (0..5).map(|r| (0..40).map(|u| (((u * 7 + k * 3 + r) % 11) as f32 - 5.0) / 5.0).collect()).collect())).collect();
    barcode_figure("Barcodes minus the average barcode: 5 examples per class (rows), one column per GAP unit", &strips, 2, "GAP value minus its mean over all images")?.save(out.join("barcodes.png"))?;
    let means: Vec<Strip> = strips.iter().map(|(d, r)| (d.clone(), vec![r[0].clone()])).collect();
    barcode_figure("Class means minus the overall mean (one row per class)", &means, 1, "mean GAP value minus the overall mean")?.save(out.join("class_means.png"))?;
    println!("figures in {}", out.display());
    Ok(())
}
