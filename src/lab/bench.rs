//! Throughput benchmark: training and inference img/s of a preset on random data, the crate's
//! `fit` (with our CPU kernels, [`crate::kernels`]) against a bare burn loop on burn's own ops
//! doing the same work, and a PyTorch reference in the same `make bench` run
//! (`bench/pytorch_reference.py`).

use crate::data::{Dataset, Normalization, FASHION_CLASSES};
use crate::model::ModelSpec;
use crate::model::{images_tensor, tensor_to_vec};
use crate::train::{cross_entropy, TrainConfig, Trainer};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use std::time::Instant;

/// Results of [`run`], images per second.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BenchResult {
    pub preset: String,
    pub images: usize,
    pub batch_size: usize,
    pub bare_train_img_s: f64,
    pub fit_train_img_s: f64,
    pub fit_over_bare: f64,
    pub inference_img_s: f64,
    /// Inference with burn's own ops (no crate kernels).
    pub burn_inference_img_s: f64,
}

/// Random images and labels (seeded).
pub fn random_dataset(n: usize, seed: u64) -> Dataset {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let images = (0..n * 784).map(|_| rng.random::<u8>()).collect();
    let labels = (0..n).map(|_| rng.random_range(0..10u8)).collect();
    Dataset::new(images, labels, 28, 28, FASHION_CLASSES.iter().map(|s| s.to_string()).collect())
        .expect("valid sizes")
}

/// The reference: the same epoch written directly against burn, no crate machinery, on burn's
/// own ops (our kernels switched off).
fn bare_epoch(spec: &ModelSpec, ds: &Dataset, batch: usize, device: &Device) -> f64 {
    crate::kernels::with_burn_ops(|| bare_epoch_inner(spec, ds, batch, device))
}

fn bare_epoch_inner(spec: &ModelSpec, ds: &Dataset, batch: usize, device: &Device) -> f64 {
    let device = device.clone().autodiff();
    device.seed(1);
    let mut net = spec.build(&device);
    let mut optim = AdamConfig::new().with_epsilon(1e-7).init();
    let t0 = Instant::now();
    let idx: Vec<usize> = (0..ds.len()).collect();
    for chunk in idx.chunks(batch) {
        let x = images_tensor(ds, chunk, Normalization::Centered, &device);
        let mut y = vec![0f32; chunk.len() * 10];
        for (r, &i) in chunk.iter().enumerate() {
            y[r * 10 + ds.labels[i] as usize] = 1.0;
        }
        let y = Tensor::<2>::from_data(TensorData::new(y, [chunk.len(), 10]), &device);
        let loss = cross_entropy(net.forward(x), y);
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        net = optim.step(1e-3, net, grads);
        // Read the loss back, as any real loop does to report it.
        let _ = tensor_to_vec(loss.inner());
    }
    ds.len() as f64 / t0.elapsed().as_secs_f64()
}

/// Benchmark `preset` on `n` random images at `batch` per step; best of `repeats` for each side.
/// Without `reference` the bare burn loop is skipped (its figures are NaN): for profiling.
pub fn run(preset: &str, n: usize, batch: usize, repeats: usize, reference: bool, device: &Device) -> crate::util::error::Result<BenchResult> {
    let spec = ModelSpec::preset(preset)?;
    let ds = random_dataset(n, 7);
    let empty = ds.subset(0);
    // Warm-up (allocator, thread pool).
    bare_epoch(&spec, &ds.subset(batch * 2), batch, device);
    let (mut bare, mut fit) = (if reference { 0f64 } else { f64::NAN }, 0f64);
    for _ in 0..repeats.max(1) {
        if reference {
            bare = bare.max(bare_epoch(&spec, &ds, batch, device));
        }
        let cfg = TrainConfig::new(spec.clone()).with_batch_size(batch).quiet();
        let mut t = Trainer::new(cfg, device)?;
        let t0 = Instant::now();
        t.fit(&ds, &empty, 1)?;
        fit = fit.max(n as f64 / t0.elapsed().as_secs_f64());
    }
    let net = spec.build(device).valid();
    let infer = || {
        let idx: Vec<usize> = (0..n).collect();
        let t0 = Instant::now();
        for chunk in idx.chunks(batch) {
            let _ = tensor_to_vec(net.forward(images_tensor(&ds, chunk, Normalization::Centered, device)));
        }
        n as f64 / t0.elapsed().as_secs_f64()
    };
    let (mut inference, mut burn_inference) = (0f64, if reference { 0f64 } else { f64::NAN });
    for _ in 0..repeats.max(1) {
        inference = inference.max(infer());
        if reference {
            burn_inference = burn_inference.max(crate::kernels::with_burn_ops(infer));
        }
    }
    Ok(BenchResult {
        preset: preset.into(),
        images: n,
        batch_size: batch,
        bare_train_img_s: bare,
        fit_train_img_s: fit,
        fit_over_bare: fit / bare,
        inference_img_s: inference,
        burn_inference_img_s: burn_inference,
    })
}

/// Where the native `cnn-lab` binary is expected (`cargo build --release`).
pub fn native_binary() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/cnn-lab")
}

/// Builds the native binary from this crate's sources if it is missing or stale (a no-op of a
/// fraction of a second otherwise), so a comparison never runs an older build. On a fresh
/// machine `make run` starts the notebooks before the release build, which then happens here.
fn build_native_binary() -> crate::util::error::Result<()> {
    let dir = env!("CARGO_MANIFEST_DIR");
    let status = std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "--quiet", "--bin", "cnn-lab"])
        .current_dir(dir)
        .status()
        .map_err(|e| crate::Error::invalid(format!("cargo build --release in {dir}: {e}")))?;
    if !status.success() {
        return Err(crate::Error::invalid(format!("cargo build --release in {dir} failed ({status})")));
    }
    Ok(())
}

/// Training throughput here (e.g. inside evcxr) against the native release binary, on the same
/// random data, in `rounds` alternating pairs (here, then native); returns a small report with
/// each pair's ratio and their median. One pair on two shared cores varies by ±15 %, so a single
/// ratio cannot tell a slow notebook from noise; the median of several can.
///
/// `println!("{}", compare_with_native(3840, 3)?);`
pub fn compare_with_native(images: usize, rounds: usize) -> crate::util::error::Result<String> {
    build_native_binary()?;
    let bin = native_binary();
    let mut lines = vec![format!("model1 training on {images} random images, batch 128, img/s")];
    let mut ratios = Vec::new();
    for round in 1..=rounds.max(1) {
        let here = run("model1", images, 128, 1, true, &crate::util::device::cpu())?.fit_train_img_s;
        let native = native_fit_img_s(&bin, images)?;
        ratios.push(here / native);
        lines.push(format!("  round {round}: here {here:>6.0}, native {native:>6.0}, ratio {:.2}", here / native));
    }
    ratios.sort_by(f64::total_cmp);
    lines.push(format!("  median ratio: {:.2}", ratios[ratios.len() / 2]));
    Ok(lines.join("\n"))
}

/// `cnn-lab bench`'s training throughput, run as a separate process.
fn native_fit_img_s(bin: &std::path::Path, images: usize) -> crate::util::error::Result<f64> {
    let out = std::process::Command::new(bin)
        .args(["bench", "--images", &images.to_string(), "--repeats", "1", "--json"])
        .env("CNN_LAB_DEVICE", "cpu")
        .output()
        .map_err(|e| crate::Error::invalid(format!("{}: {e} (build it with `cargo build --release`)", bin.display())))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let json = text.lines().last().unwrap_or("");
    let native: serde_json::Value = serde_json::from_str(json)
        .map_err(|_| crate::Error::invalid(format!("{}: unexpected output {text:?}", bin.display())))?;
    native["fit_train_img_s"]
        .as_f64()
        .ok_or_else(|| crate::Error::invalid(format!("{}: no fit_train_img_s in {json}", bin.display())))
}
