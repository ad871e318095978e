//! Per-op timings of a preset's layers on feature maps at batch 128, forward and backward, our
//! flex kernels against burn's own ops (ReLU and dropout run burn's ops on both sides) (the per-op profile behind the CPU
//! kernels). `cargo run --release --example op_profile -- [preset] [batch]`

use burn::tensor::{Device, Distribution, Tensor};
use cnn_lab::kernels::{
    batch_norm_train, conv2d, max_pool2d, reference_batch_norm_train, reference_conv2d, reference_max_pool2d,
};
use cnn_lab::model::{LayerSpec, ModelSpec, Shape};
use std::time::Instant;

/// Median of `reps` runs of forward and forward+backward, in milliseconds.
fn time(reps: usize, mut step: impl FnMut() -> (f64, f64)) -> (f64, f64) {
    step(); // warm-up
    let mut runs: Vec<(f64, f64)> = (0..reps).map(|_| step()).collect();
    runs.sort_by(|a, b| a.1.total_cmp(&b.1));
    runs[reps / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let preset = args.get(1).map(String::as_str).unwrap_or("model1");
    let batch: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(128);
    let spec = ModelSpec::preset(preset).expect("preset");
    let rows = spec.rows().expect("valid spec");
    // cpu() also tunes the allocator, as every crate entry point does.
    let device: Device = cnn_lab::util::device::cpu().autodiff();
    device.seed(0);
    let mut shape = Shape::Map(1, spec.input.0, spec.input.1);
    let (mut total_ours, mut total_burn) = ((0.0, 0.0), (0.0, 0.0));
    println!("{preset}, batch {batch}: median ms of forward / backward");
    println!("{:<16} {:>24} {:>24} {:>9}", "layer", "ours fwd / bwd", "burn fwd / bwd", "speed-up");
    for (i, (layer, row)) in spec.layers.iter().zip(&rows).enumerate() {
        let Shape::Map(c, h, w) = shape else { break };
        // The first layer's input needs no gradient in training.
        let need_dx = i > 0;
        let x = Tensor::<4>::random([batch, c, h, w], Distribution::Normal(0.0, 1.0), &device);
        let timed = |f: &dyn Fn(Tensor<4>) -> Tensor<4>| {
            time(5, || {
                let x = if need_dx { x.clone().require_grad() } else { x.clone() };
                let t0 = Instant::now();
                let y = f(x.clone());
                let _ = y.clone().inner().into_data();
                let fwd = t0.elapsed().as_secs_f64() * 1e3;
                let g = y.sum().backward();
                let _ = x.grad(&g).map(|g| g.into_data());
                (fwd, t0.elapsed().as_secs_f64() * 1e3 - fwd)
            })
        };
        let pair = match layer {
            LayerSpec::Conv { filters, kernel, same, .. } => {
                let wt = Tensor::<4>::random([*filters, c, *kernel, *kernel], Distribution::Normal(0.0, 0.1), &device).require_grad();
                let b = Tensor::<1>::zeros([*filters], &device).require_grad();
                let pad = if *same { kernel / 2 } else { 0 };
                Some((
                    timed(&|x| conv2d(x, wt.clone(), b.clone(), pad, Some(0.0))),
                    timed(&|x| reference_conv2d(x, wt.clone(), b.clone(), pad, Some(0.0))),
                ))
            }
            LayerSpec::MaxPool { size } => Some((timed(&|x| max_pool2d(x, *size)), timed(&|x| reference_max_pool2d(x, *size)))),
            LayerSpec::BatchNorm => {
                let gamma = Tensor::<1>::ones([c], &device).require_grad();
                let beta = Tensor::<1>::zeros([c], &device).require_grad();
                Some((
                    timed(&|x| batch_norm_train(x, gamma.clone(), beta.clone(), 1e-3)),
                    timed(&|x| reference_batch_norm_train(x, gamma.clone(), beta.clone(), 1e-3)),
                ))
            }
            // Layers still on burn's ops on both sides: their cost, for the whole picture.
            LayerSpec::Activation(_) => {
                let t = timed(&|x| burn::tensor::activation::relu(x));
                Some((t, t))
            }
            LayerSpec::Dropout { rate } => {
                let d = burn::nn::DropoutConfig::new(*rate as f64).init();
                let t = timed(&|x| d.forward(x));
                Some((t, t))
            }
            _ => None,
        };
        if let Some((o, r)) = pair {
            println!(
                "{:<16} {:>11.2} / {:>10.2} {:>11.2} / {:>10.2} {:>8.1}x",
                row.name,
                o.0,
                o.1,
                r.0,
                r.1,
                (r.0 + r.1) / (o.0 + o.1)
            );
            total_ours = (total_ours.0 + o.0, total_ours.1 + o.1);
            total_burn = (total_burn.0 + r.0, total_burn.1 + r.1);
        }
        shape = row.shape;
    }
    println!(
        "{:<16} {:>11.2} / {:>10.2} {:>11.2} / {:>10.2} {:>8.1}x",
        "total",
        total_ours.0,
        total_ours.1,
        total_burn.0,
        total_burn.1,
        (total_burn.0 + total_burn.1) / (total_ours.0 + total_ours.1)
    );
}
