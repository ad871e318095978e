//! Our flex kernels against burn's own ops: forward values and all three gradients, on random
//! shapes (odd sizes, valid and same padding, batch 1 and 128, one and many channels).

use burn::tensor::{Device, Distribution, Tensor};
use cnn_lab::kernels::{conv2d, reference_conv2d, FusedAct};
use rand::{Rng, SeedableRng};
use std::sync::{Mutex, MutexGuard};

/// Some tests switch our kernels off for the whole process: run the tests one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// `max |a - b| / max |b|`: the error relative to the size of the values.
fn rel_err<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
    let a = a.into_data().try_to_vec::<f32>().unwrap();
    let b = b.into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-12);
    a.iter().zip(&b).fold(0f32, |m, (x, y)| m.max((x - y).abs())) / scale
}

struct Case {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    k: usize,
    kernel: usize,
    pad: usize,
    act: FusedAct,
}

/// Forward and backward through one implementation; returns (y, dx, dw, db).
fn run(
    f: fn(Tensor<4>, Tensor<4>, Tensor<1>, usize, FusedAct) -> Tensor<4>,
    x: &Tensor<4>,
    w: &Tensor<4>,
    b: &Tensor<1>,
    r: &Tensor<4>,
    case: &Case,
) -> (Tensor<4>, Tensor<4>, Tensor<4>, Tensor<1>) {
    let (x, w, b) = (x.clone().require_grad(), w.clone().require_grad(), b.clone().require_grad());
    let y = f(x.clone(), w.clone(), b.clone(), case.pad, case.act);
    // A random linear functional of y, so every output element gets its own gradient.
    let grads = (y.clone() * r.clone()).sum().backward();
    (y.inner(), x.grad(&grads).unwrap(), w.grad(&grads).unwrap(), b.grad(&grads).unwrap())
}

#[test]
fn conv2d_matches_burn_forward_and_gradients() {
    let _serial = serial();
    let device = Device::flex().autodiff();
    // Otherwise both sides would be burn's ops and the comparison would prove nothing.
    assert!(cnn_lab::kernels::is_flex(&device) && cnn_lab::kernels::enabled());
    device.seed(3);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut cases = vec![
        // model1's layers at batch 128, and a "same" block at batch 1.
        Case { n: 128, c: 1, h: 28, w: 28, k: 32, kernel: 3, pad: 0, act: Some(0.0) },
        Case { n: 128, c: 32, h: 13, w: 13, k: 64, kernel: 3, pad: 0, act: Some(0.0) },
        Case { n: 1, c: 64, h: 7, w: 7, k: 128, kernel: 3, pad: 1, act: None },
        Case { n: 3, c: 20, h: 12, w: 12, k: 20, kernel: 5, pad: 0, act: Some(0.01) },
    ];
    for _ in 0..8 {
        let kernel = [1, 2, 3, 5][rng.random_range(0..4)];
        let pad = rng.random_range(0..=kernel / 2 + 1);
        let (h, w) = (rng.random_range(kernel.max(2)..12), rng.random_range(kernel.max(2)..12));
        let act = [None, Some(0.0), Some(0.1)][rng.random_range(0..3)];
        let n = [1, 2, 7, 130][rng.random_range(0..4)];
        cases.push(Case { n, c: rng.random_range(1..6), h, w, k: rng.random_range(1..9), kernel, pad, act });
    }
    for case in &cases {
        let x = Tensor::<4>::random([case.n, case.c, case.h, case.w], Distribution::Normal(0.0, 1.0), &device);
        let w = Tensor::<4>::random([case.k, case.c, case.kernel, case.kernel], Distribution::Normal(0.0, 0.3), &device);
        let b = Tensor::<1>::random([case.k], Distribution::Normal(0.0, 0.3), &device);
        let o = case.h + 2 * case.pad - case.kernel + 1;
        let r = Tensor::<4>::random([case.n, case.k, o, case.w + 2 * case.pad - case.kernel + 1], Distribution::Normal(0.0, 1.0), &device);
        let ours = run(conv2d, &x, &w, &b, &r, case);
        let reference = run(reference_conv2d, &x, &w, &b, &r, case);
        let what = format!("n{} c{} {}x{} k{} kernel {} pad {} act {:?}", case.n, case.c, case.h, case.w, case.k, case.kernel, case.pad, case.act);
        for (name, e) in [
            ("y", rel_err(ours.0, reference.0)),
            ("dx", rel_err(ours.1, reference.1)),
            ("dw", rel_err(ours.2, reference.2)),
            ("db", rel_err(ours.3, reference.3)),
        ] {
            assert!(e < 1e-4, "{what}: {name} differs by {e:e} (relative)");
        }
    }
}

#[test]
fn conv2d_without_autodiff_matches_burn() {
    let _serial = serial();
    let device = Device::flex();
    device.seed(5);
    let x = Tensor::<4>::random([5, 3, 9, 11], Distribution::Normal(0.0, 1.0), &device);
    let w = Tensor::<4>::random([4, 3, 3, 3], Distribution::Normal(0.0, 0.3), &device);
    let b = Tensor::<1>::random([4], Distribution::Normal(0.0, 0.3), &device);
    let e = rel_err(conv2d(x.clone(), w.clone(), b.clone(), 1, Some(0.0)), reference_conv2d(x, w, b, 1, Some(0.0)));
    assert!(e < 1e-5, "{e}");
}

#[test]
fn input_gradient_flows_through_a_non_contiguous_input() {
    let _serial = serial();
    // A transposed view as the input: the kernel must read it in logical order.
    let device = Device::flex().autodiff();
    device.seed(9);
    let x = Tensor::<4>::random([2, 3, 6, 5], Distribution::Normal(0.0, 1.0), &device).swap_dims(2, 3);
    let w = Tensor::<4>::random([2, 3, 3, 3], Distribution::Normal(0.0, 0.3), &device);
    let b = Tensor::<1>::zeros([2], &device);
    let e = rel_err(conv2d(x.clone(), w.clone(), b.clone(), 0, None).inner(), reference_conv2d(x, w, b, 0, None).inner());
    assert!(e < 1e-5, "{e}");
}

#[test]
fn model_gradients_match_burn() {
    let _serial = serial();
    use cnn_lab::model::{Layer, LayerSpec, ModelSpec};
    use cnn_lab::train::cross_entropy;
    // Dropout draws its masks differently on the two sides, so it is left out here (it has its
    // own test); gap and vgg exercise "same" convolutions and the fused BatchNorm + ReLU.
    for preset in ["model1", "gap", "vgg"] {
        let mut spec = ModelSpec::preset(preset).unwrap();
        spec.layers.retain(|l| !matches!(l, LayerSpec::Dropout { .. }));
        let device = Device::flex().autodiff();
        device.seed(1);
        let net = spec.build(&device);
        let x = Tensor::<4>::random([16, 1, 28, 28], Distribution::Uniform(-0.5, 0.5), &device);
        let y = Tensor::<2>::random([16, 10], Distribution::Uniform(0.0, 1.0), &device);
        let grads = |ours: bool| {
            cnn_lab::kernels::set_enabled(ours);
            let loss = cross_entropy(net.forward(x.clone()), y.clone());
            let g = loss.backward();
            cnn_lab::kernels::set_enabled(true);
            let mut out = vec![loss.inner()];
            for l in net.layers.iter().flatten() {
                match l {
                    Layer::Conv(m) => {
                        out.push(m.weight.val().grad(&g).unwrap().flatten(0, 3));
                        out.push(m.bias.as_ref().unwrap().val().grad(&g).unwrap());
                    }
                    Layer::Norm(m) => {
                        out.push(m.gamma.val().grad(&g).unwrap());
                        out.push(m.beta.val().grad(&g).unwrap());
                    }
                    Layer::Dense(m) => out.push(m.weight.val().grad(&g).unwrap().flatten(0, 1)),
                    _ => {}
                }
            }
            out
        };
        let (ours, reference) = (grads(true), grads(false));
        assert_eq!(ours.len(), reference.len());
        for (i, (a, b)) in ours.into_iter().zip(reference).enumerate() {
            let max_abs = |t: Tensor<1>| t.into_data().try_to_vec::<f32>().unwrap().iter().fold(0f32, |m, v| m.max(v.abs()));
            if max_abs(b.clone()) < 1e-5 {
                // A conv bias right before BatchNorm: its gradient is zero up to rounding.
                let d = max_abs(a - b);
                assert!(d < 1e-4, "{preset}: tensor {i} should be ~0: {d:e}");
            } else {
                let e = rel_err(a, b);
                assert!(e < 1e-4, "{preset}: tensor {i}: {e:e}");
            }
        }
    }
}

#[test]
fn training_with_our_kernels_follows_burn() {
    let _serial = serial();
    use cnn_lab::prelude::*;
    let ds = cnn_lab::lab::bench::random_dataset(1024, 4);
    let train = |ours: bool| {
        cnn_lab::kernels::set_enabled(ours);
        let cfg = TrainConfig::new(ModelSpec::preset("model1").unwrap()).with_batch_size(64).quiet();
        let mut t = Trainer::new(cfg, &cpu()).unwrap();
        let h = t.fit(&ds, &ds.subset(0), 2).unwrap();
        cnn_lab::kernels::set_enabled(true);
        (h.loss.clone(), t.net().weights("conv2d").unwrap().0)
    };
    let (a, b) = (train(true), train(false));
    // Adam amplifies rounding differences in the weights step by step (each weight moves by
    // about the learning rate whatever the gradient's size), so compare what training sees.
    for (x, y) in a.0.iter().zip(&b.0) {
        assert!((x - y).abs() < 1e-3, "epoch losses: ours {:?}, burn's {:?}", a.0, b.0);
    }
    let e = a.1.iter().zip(&b.1).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
    assert!(e < 1e-2, "first-layer weights differ by {e}");
}

#[test]
fn max_pool_matches_burn_forward_and_gradient() {
    let _serial = serial();
    use cnn_lab::kernels::{max_pool2d, reference_max_pool2d};
    let device = Device::flex().autodiff();
    device.seed(21);
    for (shape, size) in [([128, 32, 26, 26], 2), ([3, 5, 7, 9], 2), ([1, 1, 6, 6], 3), ([2, 4, 5, 5], 1)] {
        let x = Tensor::<4>::random(shape, Distribution::Normal(0.0, 1.0), &device);
        let run = |f: fn(Tensor<4>, usize) -> Tensor<4>| {
            let x = x.clone().require_grad();
            let y = f(x.clone(), size);
            // The same r for both sides: reseed before drawing it.
            device.seed(99);
            let r = Tensor::<4>::random(y.dims(), Distribution::Normal(0.0, 1.0), &device);
            let g = (y.clone() * r).sum().backward();
            (y.inner(), x.grad(&g).unwrap())
        };
        let (ours, reference) = (run(max_pool2d), run(reference_max_pool2d));
        assert_eq!(ours.0.dims(), reference.0.dims(), "{shape:?} by {size}");
        assert!(rel_err(ours.0, reference.0) == 0.0, "{shape:?} by {size}: values");
        assert!(rel_err(ours.1, reference.1) == 0.0, "{shape:?} by {size}: gradient");
    }
}

#[test]
fn batch_norm_matches_burn_forward_and_gradients() {
    let _serial = serial();
    use cnn_lab::kernels::{batch_norm_train, reference_batch_norm_train};
    let device = Device::flex().autodiff();
    device.seed(31);
    for shape in [[128, 32, 14, 14], [3, 5, 7, 3], [1, 2, 1, 1], [64, 128, 7, 7]] {
        // An offset and scale per element so the statistics are not trivial.
        let x = Tensor::<4>::random(shape, Distribution::Normal(3.0, 2.0), &device);
        let gamma = Tensor::<1>::random([shape[1]], Distribution::Normal(1.0, 0.3), &device);
        let beta = Tensor::<1>::random([shape[1]], Distribution::Normal(0.0, 0.3), &device);
        let r = Tensor::<4>::random(shape, Distribution::Normal(0.0, 1.0), &device);
        let run = |f: fn(Tensor<4>, Tensor<1>, Tensor<1>, f64) -> Tensor<4>| {
            let (x, g, b) = (x.clone().require_grad(), gamma.clone().require_grad(), beta.clone().require_grad());
            let y = f(x.clone(), g.clone(), b.clone(), 1e-3);
            let grads = (y.clone() * r.clone()).sum().backward();
            (y.inner(), x.grad(&grads).unwrap(), g.grad(&grads).unwrap(), b.grad(&grads).unwrap())
        };
        let (o, f) = (run(batch_norm_train), run(reference_batch_norm_train));
        for (name, e) in [("y", rel_err(o.0, f.0)), ("dx", rel_err(o.1, f.1)), ("dgamma", rel_err(o.2, f.2)), ("dbeta", rel_err(o.3, f.3))] {
            assert!(e < 1e-4, "{shape:?}: {name} differs by {e:e}");
        }
    }
}

#[test]
fn batch_norm_layer_updates_running_statistics_as_burn() {
    let _serial = serial();
    use burn::nn::BatchNormConfig;
    let device = Device::flex().autodiff();
    device.seed(41);
    let x = Tensor::<4>::random([8, 3, 5, 5], Distribution::Normal(2.0, 3.0), &device);
    let stats = |ours: bool| {
        cnn_lab::kernels::set_enabled(ours);
        let m = BatchNormConfig::new(3).with_momentum(0.01).with_epsilon(1e-3).init(&device);
        for _ in 0..3 {
            let _ = cnn_lab::kernels::batch_norm(&m, x.clone());
        }
        cnn_lab::kernels::set_enabled(true);
        (m.running_mean.value(), m.running_var.value())
    };
    let (a, b) = (stats(true), stats(false));
    assert!(rel_err(a.0, b.0) < 1e-5 && rel_err(a.1, b.1) < 1e-5);
}

#[test]
fn dropout_keeps_scales_and_routes_gradients_through_the_same_mask() {
    let _serial = serial();
    use burn::nn::DropoutConfig;
    let d = DropoutConfig::new(0.25).init();
    let device = Device::flex().autodiff();
    device.seed(51);
    let x = (Tensor::<4>::random([64, 8, 10, 10], Distribution::Uniform(0.5, 1.5), &device)).require_grad();
    let y = cnn_lab::kernels::dropout(&d, x.clone());
    let g = y.clone().sum().backward();
    let (xs, ys) = (x.clone().inner().into_data().try_to_vec::<f32>().unwrap(), y.inner().into_data().try_to_vec::<f32>().unwrap());
    let gs = x.grad(&g).unwrap().into_data().try_to_vec::<f32>().unwrap();
    let mut kept = 0;
    for ((&x, &y), &g) in xs.iter().zip(&ys).zip(&gs) {
        if y == 0.0 {
            assert_eq!(g, 0.0);
        } else {
            kept += 1;
            assert!((y - x / 0.75).abs() < 1e-5 && (g - 1.0 / 0.75).abs() < 1e-5, "{x} {y} {g}");
        }
    }
    let share = kept as f64 / xs.len() as f64;
    assert!((share - 0.75).abs() < 0.02, "{share}");
    // The device seed fixes the mask; inference is the identity.
    device.seed(51);
    let x2 = Tensor::<4>::random([64, 8, 10, 10], Distribution::Uniform(0.5, 1.5), &device);
    assert_eq!(cnn_lab::kernels::dropout(&d, x2).into_data().try_to_vec::<f32>().unwrap(), ys);
    let plain = Tensor::<2>::ones([3, 4], &Device::flex());
    assert_eq!(cnn_lab::kernels::dropout(&d, plain.clone()).into_data(), plain.into_data());
}

#[test]
fn batch_norm_inference_uses_the_running_statistics_as_burn() {
    let _serial = serial();
    use burn::module::Module;
    use burn::nn::BatchNormConfig;
    let device = Device::flex().autodiff();
    device.seed(61);
    let m = BatchNormConfig::new(4).with_momentum(0.3).with_epsilon(1e-3).init(&device);
    for _ in 0..4 {
        let x = Tensor::<4>::random([8, 4, 5, 5], Distribution::Normal(2.0, 3.0), &device);
        let _ = cnn_lab::kernels::batch_norm(&m, x);
    }
    let m = m.valid();
    let x = Tensor::<4>::random([6, 4, 7, 3], Distribution::Normal(1.0, 2.0), &Device::flex());
    let reference = m.forward(x.clone());
    assert!(rel_err(cnn_lab::kernels::batch_norm(&m, x.clone()), reference.clone()) < 1e-5);
    let fused = cnn_lab::kernels::batch_norm_relu(&m, x).unwrap_or_else(|_| panic!("flex inference should fuse"));
    assert!(rel_err(fused, burn::tensor::activation::relu(reference)) < 1e-5);
}
