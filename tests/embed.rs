//! PCA and trustworthiness against scikit-learn on a committed fixture
//! (`tests/fixtures/pca_sklearn.json`, written by scikit-learn 1.9.1; see its `source` field).

use cnn_lab::embed::{trustworthiness, Pca};

fn fixture() -> serde_json::Value {
    serde_json::from_str(include_str!("fixtures/pca_sklearn.json")).unwrap()
}

fn matrix(v: &serde_json::Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()).collect()
}

fn vector(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn pca_matches_scikit_learn_to_1e4() {
    let f = fixture();
    let x: Vec<Vec<f32>> = matrix(&f["x"]).into_iter().map(|r| r.into_iter().map(|v| v as f32).collect()).collect();
    let pca = Pca::fit(&x, 3).unwrap();
    let close = |a: &[f64], b: &[f64], what: &str| {
        for (i, (p, q)) in a.iter().zip(b).enumerate() {
            assert!((p - q).abs() < 1e-4, "{what}[{i}]: ours {p}, scikit-learn {q}");
        }
    };
    close(&pca.explained_variance, &vector(&f["explained_variance"]), "explained_variance");
    close(&pca.explained_variance_ratio, &vector(&f["explained_variance_ratio"]), "explained_variance_ratio");
    close(&pca.mean, &vector(&f["mean"]), "mean");
    for (k, c) in matrix(&f["components"]).iter().enumerate() {
        close(&pca.components[k], c, &format!("component {k}"));
    }
    let t = pca.transform(&x).unwrap();
    for (i, r) in matrix(&f["transformed"]).iter().enumerate() {
        close(&t[i], r, &format!("transformed row {i}"));
    }
}

#[test]
fn trustworthiness_matches_scikit_learn() {
    let f = fixture();
    let x: Vec<Vec<f32>> = matrix(&f["x"]).into_iter().map(|r| r.into_iter().map(|v| v as f32).collect()).collect();
    let low: Vec<Vec<f64>> = matrix(&f["transformed"]).into_iter().map(|r| r[..2].to_vec()).collect();
    let ours = trustworthiness(&x, &low, 5).unwrap();
    let theirs = f["trustworthiness_k5_pc2"].as_f64().unwrap();
    assert!((ours - theirs).abs() < 1e-9, "ours {ours}, scikit-learn {theirs}");
}
