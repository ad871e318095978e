//! The GPU path (`--features wgpu`) against the CPU, on whatever adapter the machine has. Without
//! a GPU that is Mesa's lavapipe, a Vulkan driver that runs the same shaders on the CPU: slow,
//! but every shader burn's wgpu backend compiles for these networks runs and is checked here.
//! `make test-gpu` runs this file (it needs `mesa-vulkan-drivers`; `make system` installs it).

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Distribution, Tensor};
use cnn_lab::model::tensor::device_reads;
use cnn_lab::model::{Activation, Layer, LayerSpec, ModelSpec, Net};
use cnn_lab::prelude::*;
use cnn_lab::train::cross_entropy;
use std::sync::{Mutex, MutexGuard};

/// One test on the device at a time: lavapipe uses every core, and the read counter is shared.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn gpu() -> Device {
    device("wgpu").expect("built with --features wgpu")
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_to_vec::<f32>().unwrap()
}

/// `max |a - b| / max |b|`, the error relative to the size of the values. The scale is at least
/// 0.01: a conv bias right before BatchNorm has a gradient of zero up to rounding (about 1e-6),
/// whose relative error means nothing.
fn rel_err(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-2);
    a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs())) / scale
}

/// A preset without dropout (the two devices draw different masks; dropout has its own test).
fn spec(preset: &str) -> ModelSpec {
    let mut spec = ModelSpec::preset(preset).unwrap();
    spec.layers.retain(|l| !matches!(l, LayerSpec::Dropout { .. }));
    spec
}

/// `spec` built on the CPU and the same weights copied to the GPU, both for training.
fn twins(spec: &ModelSpec) -> (Net, Net, Device, Device) {
    let (cpu_ad, gpu_ad) = (cpu().autodiff(), gpu().autodiff());
    cpu_ad.seed(7);
    let net = spec.build(&cpu_ad);
    // `fork`, not `to_device`: the copy gets its own autodiff graph, with leaf parameters.
    let on_gpu = net.clone().fork(&gpu_ad);
    (net, on_gpu, cpu_ad, gpu_ad)
}

fn flat(a: Activation) -> Vec<f32> {
    match a {
        Activation::Maps(t) => values(t.inner()),
        Activation::Flat(t) => values(t.inner()),
    }
}

/// Every parameter's gradient, in layer order.
fn gradients(net: &Net, g: &burn::tensor::Gradients) -> Vec<(String, Vec<f32>)> {
    let mut out = Vec::new();
    for (i, l) in net.layers.iter().enumerate() {
        let Some(l) = l else { continue };
        let mut push = |what: &str, t: Option<Tensor<1>>| out.push((format!("layer {i} {what}"), values(t.expect("a gradient"))));
        match l {
            Layer::Conv(m) => {
                push("conv weight", m.weight.val().grad(g).map(|t| t.flatten(0, 3)));
                push("conv bias", m.bias.as_ref().and_then(|b| b.val().grad(g)));
            }
            Layer::Norm(m) => {
                push("batchnorm gamma", m.gamma.val().grad(g));
                push("batchnorm beta", m.beta.val().grad(g));
            }
            Layer::Dense(m) => {
                push("dense weight", m.weight.val().grad(g).map(|t| t.flatten(0, 1)));
                push("dense bias", m.bias.as_ref().and_then(|b| b.val().grad(g)));
            }
            _ => {}
        }
    }
    out
}

#[test]
fn every_layer_forward_and_gradient_matches_the_cpu() {
    let _serial = serial();
    // model1: valid convs, max pooling, dense; gap: BatchNorm, "same" convs, global average
    // pooling. Between them every kind of layer the presets use. (vgg, built of the same kinds,
    // agrees to 1e-6 from its third convolution on but not below it: its second BatchNorm's β
    // gradient differs by 2 % on lavapipe, and so everything before it; not yet explained.)
    for preset in ["model1", "gap"] {
        let spec = spec(preset);
        let (net_c, net_g, cpu_ad, gpu_ad) = twins(&spec);
        let x = Tensor::<4>::random([8, 1, 28, 28], Distribution::Uniform(-0.5, 0.5), &cpu_ad);
        let y = Tensor::<2>::random([8, 10], Distribution::Uniform(0.0, 1.0), &cpu_ad);
        let (xg, yg) = (x.clone().to_device(&gpu_ad), y.clone().to_device(&gpu_ad));
        // Forward, layer by layer.
        let (_, trace_c) = net_c.forward_trace(x.clone());
        let (_, trace_g) = net_g.forward_trace(xg.clone());
        for ((name, a), (_, b)) in trace_c.into_iter().zip(trace_g) {
            let e = rel_err(&flat(b), &flat(a));
            assert!(e < 1e-4, "{preset}: {name} forward differs by {e:e}");
        }
        // Backward: the input's gradient and every parameter's.
        let (xc, xg) = (x.require_grad(), xg.require_grad());
        let gc = cross_entropy(net_c.forward(xc.clone()), y).backward();
        let gg = cross_entropy(net_g.forward(xg.clone()), yg).backward();
        let e = rel_err(&values(xg.grad(&gg).unwrap()), &values(xc.grad(&gc).unwrap()));
        assert!(e < 1e-4, "{preset}: input gradient differs by {e:e}");
        for ((what, a), (_, b)) in gradients(&net_c, &gc).into_iter().zip(gradients(&net_g, &gg)) {
            let e = rel_err(&b, &a);
            // 1e-3: gap's first conv bias (before BatchNorm) is rounding noise, 1e-6 either side.
            assert!(e < 1e-3, "{preset}: {what} gradient differs by {e:e}");
        }
    }
}

#[test]
fn dropout_on_the_gpu_keeps_its_rate_and_scale() {
    let _serial = serial();
    let spec = ModelSpec {
        name: "dropout".into(),
        input: (28, 28),
        layers: vec![LayerSpec::Flatten, LayerSpec::Dropout { rate: 0.25 }, LayerSpec::Dense { units: 10, act: Act::Linear, l2: 0.0 }],
    };
    let device = gpu().autodiff();
    device.seed(3);
    let net = spec.build(&device);
    let x = Tensor::<4>::ones([64, 1, 28, 28], &device);
    let (_, trace) = net.forward_trace(x);
    let kept = flat(trace.into_iter().nth(1).unwrap().1);
    let zero = kept.iter().filter(|&&v| v == 0.0).count() as f64 / kept.len() as f64;
    assert!((zero - 0.25).abs() < 0.02, "dropped {zero:.3} of the values, want 0.25");
    assert!(kept.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.75).abs() < 1e-6), "kept values are scaled by 1/(1-rate)");
}

#[test]
fn an_adam_step_on_the_gpu_moves_the_weights_as_on_the_cpu() {
    let _serial = serial();
    let spec = spec("gap");
    let (net_c, net_g, cpu_ad, gpu_ad) = twins(&spec);
    let x = Tensor::<4>::random([16, 1, 28, 28], Distribution::Uniform(-0.5, 0.5), &cpu_ad);
    let y = Tensor::<2>::random([16, 10], Distribution::Uniform(0.0, 1.0), &cpu_ad);
    let step = |net: Net, x: Tensor<4>, y: Tensor<2>| {
        let mut optim = AdamConfig::new().with_epsilon(1e-7).init();
        let grads = GradientsParams::from_grads(cross_entropy(net.forward(x), y).backward(), &net);
        optim.step(1e-3, net, grads)
    };
    let after_c = step(net_c.clone(), x.clone(), y.clone());
    let after_g = step(net_g, x.to_device(&gpu_ad), y.to_device(&gpu_ad));
    let (before, c, g) = (net_c.named_parameters(), after_c.named_parameters(), after_g.named_parameters());
    for (((name, w0), (_, wc)), (_, wg)) in before.iter().zip(&c).zip(&g) {
        if name.starts_with("conv") && name.ends_with("/bias") {
            // Every conv of gap feeds a BatchNorm, so its bias's gradient is rounding noise, and
            // Adam's first step moves a weight by ±lr whatever the size of its gradient.
            continue;
        }
        // Adam moves each weight by about the learning rate whatever its gradient's size, so
        // compare the moves with the learning rate.
        let d = wc.iter().zip(wg).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        let moved = w0.iter().zip(wc).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(d < 1e-4, "{name}: the CPU and GPU steps differ by {d:e} (the step moved it by {moved:e})");
    }
}

/// model1 on 2,000 Fashion-MNIST images for two epochs, from the same initial weights on both
/// devices: the GPU's run (resident feed, few reads) ends within a point of the CPU's.
#[test]
fn a_quick_training_run_on_the_gpu_ends_within_a_point_of_the_cpu() {
    let _serial = serial();
    let (train, test) = fashion_mnist().expect("the Fashion-MNIST files (make data)");
    let (train, test) = (train.subset(2000), test.subset(1000));
    let cfg = TrainConfig::preset("model1").unwrap().with_epochs(2).quiet();
    let initial = {
        let d = cpu().autodiff();
        d.seed(cfg.seed);
        cfg.spec.build(&d).with_pad_value(cfg.normalization.background())
    };
    let run = |device: Device| {
        let mut t = Trainer::new(cfg.clone(), &device).unwrap();
        t.set_net(initial.clone().fork(t.device()));
        let before = device_reads();
        t.fit(&train, &test.subset(0), 2).unwrap();
        let reads = device_reads() - before;
        let acc = t.model(&train.class_names).evaluate(&test).unwrap().accuracy;
        (acc, reads)
    };
    let (acc_c, _) = run(cpu());
    let (acc_g, reads) = run(gpu());
    println!("model1, 2 epochs on 2,000 images: test accuracy CPU {:.2} %, GPU {:.2} %", 100.0 * acc_c, 100.0 * acc_g);
    assert!((acc_c - acc_g).abs() <= 0.01, "CPU {acc_c}, GPU {acc_g}");
    // 16 steps an epoch: one read at the end of each (no validation set).
    assert_eq!(reads, 2, "the GPU run read from the device {reads} times in two epochs");
}
