//! Embeddings: the vectors a trained network computes for each image, and ways to look at them:
//! [`pca`], [`tsne`](mod@tsne), custom [`projections`], nearest neighbours, and an export for TensorBoard's
//! [`projector`].
//!
//! ```no_run
//! use cnn_lab::embed::{Pca, tsne, TsneConfig};
//! let x = vec![vec![0.0f32, 1.0, 2.0], vec![1.0, 0.0, 2.5], vec![2.0, 2.0, 0.0]];
//! let pca = Pca::fit(&x, 2).unwrap();
//! println!("{:?}", pca.explained_variance_ratio);
//! ```

pub mod pca;
pub mod projections;
pub mod projector;
pub mod tsne;

pub use pca::{symmetric_eigen, Pca};
pub use projections::{class_axis_projection, nearest_neighbours, points2, points3, two_class_axes};
pub use projector::export_projector;
pub use tsne::{trustworthiness, tsne, TsneConfig, TsneInit};

use crate::data::Dataset;
use crate::train::TrainedModel;
use crate::util::error::{Error, Result};

/// The embedding of every image of `ds`: the GAP vector when the network has one, otherwise the
/// input of its output layer (the penultimate dense layer).
pub fn embeddings(model: &TrainedModel, ds: &Dataset) -> Result<Vec<Vec<f32>>> {
    model.layer_vectors(ds, model.config.spec.embedding_layer())
}

pub(crate) fn check_matrix(x: &[Vec<f32>], what: &str) -> Result<usize> {
    let d = x.first().map(|r| r.len()).unwrap_or(0);
    if x.len() < 2 || d == 0 {
        return Err(Error::invalid(format!("{what}: need at least 2 non-empty rows, got {} rows of {d}", x.len())));
    }
    if let Some(i) = x.iter().position(|r| r.len() != d) {
        return Err(Error::invalid(format!("{what}: row {i} has {} values, row 0 has {d}", x[i].len())));
    }
    if let Some(i) = x.iter().position(|r| r.iter().any(|v| !v.is_finite())) {
        return Err(Error::invalid(format!("{what}: row {i} holds NaN or infinity")));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn blobs(n: usize, d: usize, seed: u64) -> (Vec<Vec<f32>>, Vec<u8>) {
        use rand::Rng;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let c = (i % 3) as u8;
            x.push((0..d).map(|j| if j % 3 == c as usize { 5.0 } else { 0.0 } + rng.random_range(-1.0f32..1.0)).collect());
            y.push(c);
        }
        (x, y)
    }

    #[test]
    fn jacobi_diagonalises() {
        let a = vec![4.0, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0, 0.5, 1.0];
        let (vals, vecs) = symmetric_eigen(a.clone(), 3);
        for j in 0..3 {
            for i in 0..3 {
                let av: f64 = (0..3).map(|k| a[i * 3 + k] * vecs[k * 3 + j]).sum();
                assert!((av - vals[j] * vecs[i * 3 + j]).abs() < 1e-12);
            }
        }
        assert!((vals.iter().sum::<f64>() - 8.0).abs() < 1e-12);
    }

    #[test]
    fn pca_bad_input_is_an_error() {
        assert!(Pca::fit(&[vec![1.0, 2.0]], 1).unwrap_err().to_string().contains("at least 2"));
        assert!(Pca::fit(&[vec![1.0, 2.0], vec![1.0]], 1).unwrap_err().to_string().contains("row 1 has 1"));
        assert!(Pca::fit(&[vec![1.0, f32::NAN], vec![1.0, 2.0]], 1).unwrap_err().to_string().contains("NaN"));
        assert!(Pca::fit(&[vec![1.0, 2.0], vec![1.0, 3.0]], 3).unwrap_err().to_string().contains("3 components"));
        // Constant data: no variance, but no panic and no NaN.
        let p = Pca::fit(&vec![vec![1.0f32; 64]; 100], 2).unwrap();
        assert!(p.explained_variance_ratio.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn tsne_is_deterministic_and_trustworthy_on_blobs() {
        let (x, _) = blobs(300, 12, 1);
        let cfg = TsneConfig::default().with_perplexity(10.0).with_epochs(300);
        let a = tsne(&x, &cfg).unwrap();
        let b = tsne(&x, &cfg).unwrap();
        assert_eq!(a, b, "same input and config must give the same embedding");
        let t = trustworthiness(&x, &a, 10).unwrap();
        assert!(t > 0.85, "trustworthiness {t}");
        let r = tsne(&x, &cfg.clone().with_init(TsneInit::Random { seed: 3 })).unwrap();
        assert_eq!(r, tsne(&x, &cfg.clone().with_init(TsneInit::Random { seed: 3 })).unwrap());
        let three = tsne(&x, &cfg.clone().with_dims(3)).unwrap();
        assert_eq!(three[0].len(), 3);
        assert!(tsne(&x[..20], &cfg).unwrap_err().to_string().contains("perplexity"));
        assert!(tsne(&x, &cfg.clone().with_dims(4)).is_err());
    }

    #[test]
    fn trustworthiness_of_identity_is_one_and_of_noise_is_lower() {
        let (x, _) = blobs(200, 4, 2);
        let same: Vec<Vec<f64>> = x.iter().map(|r| r.iter().map(|&v| v as f64).collect()).collect();
        assert!((trustworthiness(&x, &same, 5).unwrap() - 1.0).abs() < 1e-12);
        let (noise, _) = blobs(200, 2, 9);
        let noise: Vec<Vec<f64>> = noise.iter().rev().map(|r| r.iter().map(|&v| v as f64 * 0.01).collect()).collect();
        assert!(trustworthiness(&x, &noise, 5).unwrap() < 0.9);
        assert!(trustworthiness(&x, &same[..10], 5).is_err());
    }

    #[test]
    fn class_axis_puts_class_means_at_0_and_1() {
        let (x, y) = blobs(90, 6, 4);
        let p = class_axis_projection(&x, &y, 0, 1).unwrap();
        let mean = |c: u8| p.iter().zip(&y).filter(|(_, &l)| l == c).map(|(q, _)| q.0).sum::<f64>() / 30.0;
        assert!(mean(0).abs() < 1e-9 && (mean(1) - 1.0).abs() < 1e-9);
        assert!(class_axis_projection(&x, &y, 0, 7).unwrap_err().to_string().contains("no point of class 7"));
        // Two axes: each class mean lands on 0 or 1 of its own axis.
        let t = two_class_axes(&x, &y, (0, 1), (1, 0)).unwrap();
        let mean = |c: u8, f: fn(&(f64, f64)) -> f64| {
            let v: Vec<f64> = t.iter().zip(&y).filter(|(_, &l)| l == c).map(|(p, _)| f(p)).collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!((mean(0, |p| p.0)).abs() < 1e-9 && (mean(1, |p| p.0) - 1.0).abs() < 1e-9);
        assert!((mean(1, |p| p.1)).abs() < 1e-9 && (mean(0, |p| p.1) - 1.0).abs() < 1e-9);
        let nn = nearest_neighbours(&x, 0, 5).unwrap();
        assert_eq!(nn.len(), 5);
        assert!(!nn.contains(&0));
    }

    #[test]
    fn projector_bundle_has_all_files() {
        let (x, y) = blobs(30, 4, 5);
        let ds = Dataset::new(vec![7; 30 * 4], y.clone(), 2, 2, crate::data::digit_classes()).unwrap();
        let pred: Vec<usize> = y.iter().map(|&l| (l as usize + 1) % 10).collect();
        let dir = tempfile::tempdir().unwrap();
        export_projector(dir.path(), &x, &ds, &pred).unwrap();
        let meta = std::fs::read_to_string(dir.path().join("metadata.tsv")).unwrap();
        assert_eq!(meta.lines().count(), 31);
        assert!(meta.starts_with("label\tclass\tpredicted\tcorrect\n0\t0\t1\tfalse"));
        let t = std::fs::read_to_string(dir.path().join("tensors.tsv")).unwrap();
        assert_eq!(t.lines().next().unwrap().split('\t').count(), 4);
        let sprite = image::open(dir.path().join("sprite.png")).unwrap();
        assert_eq!((sprite.width(), sprite.height()), (12, 12));
        let pbtxt = std::fs::read_to_string(dir.path().join("projector_config.pbtxt")).unwrap();
        assert_eq!(pbtxt.matches("embeddings {").count(), 2);
        assert!(pbtxt.contains("tensor_path: \"pixels.tsv\"") && pbtxt.contains("single_image_dim: 2"), "{pbtxt}");
        let cfg: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("projector_config.json")).unwrap()).unwrap();
        assert_eq!(cfg["embeddings"][0]["tensorShape"], serde_json::json!([30, 4]));
        assert_eq!(cfg["embeddings"][1]["tensorShape"], serde_json::json!([30, 4]));
        let px = std::fs::read_to_string(dir.path().join("pixels.tsv")).unwrap();
        assert_eq!(px.lines().count(), 30);
        assert_eq!(px.lines().next().unwrap(), "7\t7\t7\t7");
        assert!(export_projector(dir.path(), &x, &ds, &pred[..3]).is_err());
    }
}
