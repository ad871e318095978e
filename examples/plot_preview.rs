//! Render every kind of figure from synthetic data into `target/plot-preview/`, to look at them
//! at the size a reader sees them without running a notebook:
//! `cargo run --release --example plot_preview`.
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
    scatter_xy("PCA of the embeddings", ("PC1 (24 % of variance)", "PC2 (15 %)"), &pts, &labels, &names, None)?.save(out.join("scatter.png"))?;
    let tops: Vec<bool> = labels.iter().map(|&l| [0, 2, 4, 6].contains(&l)).collect();
    scatter("t-SNE: T-shirt, pullover, coat, shirt", &pts, &labels, &names, Some(&tops))?.save(out.join("scatter_highlight.png"))?;
    let sub: Vec<usize> = labels.iter().map(|&l| [5, 7, 9][l % 3]).collect();
    scatter("Three classes only", &pts, &sub, &names, None)?.save(out.join("scatter_subset.png"))?;
    let p3: Vec<[f64; 3]> = pts.iter().enumerate().map(|(i, &(x, y))| [x, y, (i % 10) as f64 * 0.3]).collect();
    scatter3d("PCA, three components", &p3, &labels, &names, &[(0.0, 20.0), (60.0, 20.0), (120.0, 20.0)], None)?.save(out.join("scatter3d.png"))?;
    class_bars("Test accuracy per class", &names, &[0.88, 0.99, 0.9, 0.94, 0.92, 0.99, 0.8, 0.98, 0.99, 0.96])?.save(out.join("class_bars.png"))?;
    bar_chart("Training images per class", &names.iter().map(|s| s.as_str()).collect::<Vec<_>>(), &[6000.0; 10])?.save(out.join("counts.png"))?;
    let v: Vec<f32> = (0..128).map(|i| ((i * 37) % 17) as f32 / 17.0).collect();
    vector_bars("Global average pooling: 128 numbers", &v, None)?.save(out.join("vector_bars.png"))?;
    println!("figures in {}", out.display());
    Ok(())
}
