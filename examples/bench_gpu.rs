//! `make bench-gpu` (scripts/bench_gpu.sh): the crate on the GPU (`--features wgpu`).
//!
//! ```sh
//! cargo run --release --features wgpu --example bench_gpu -- throughput --images 6400 [--presets model1,gap,vgg]   # JSON lines
//! cargo run --release --features wgpu --example bench_gpu -- epoch --images 60000
//! cargo run --release --features wgpu --example bench_gpu -- warmup
//! cargo run --release --features wgpu --example bench_gpu -- augment --images 2560
//! ```
//! `throughput`: training and inference img/s of model1, gap and vgg for the crate's `fit` and
//! a bare burn loop (`cnn_lab::lab::bench::run`). `epoch`: one `fit` epoch of model1 on
//! `--images` random images (a Fashion-MNIST epoch is 60,000), in seconds. `warmup`: seconds from
//! process start to the end of a first short epoch, which pays shader compilation and autotuning
//! unless the GPU cache ([`cnn_lab::util::device::gpu_cache`]) already holds them. `augment`: one
//! epoch of model1 with Keras-style augmentation, fed from the host, and resident with the moves
//! applied by a background thread or on the device.

use cnn_lab::lab::bench::{random_dataset, run};
use cnn_lab::prelude::*;
use cnn_lab::train::{AugmentOn, Feed};
use std::time::Instant;

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn one_epoch(images: usize, device: &burn::tensor::Device) -> Result<f64> {
    let cfg = TrainConfig::new(ModelSpec::preset("model1")?).with_batch_size(128).quiet();
    epoch_with(cfg, Feed::Auto, images, device)
}

fn epoch_with(cfg: TrainConfig, feed: Feed, images: usize, device: &burn::tensor::Device) -> Result<f64> {
    let ds = random_dataset(images, 11);
    let mut t = Trainer::new(cfg, device)?;
    t.set_feed(feed);
    let t0 = Instant::now();
    t.fit(&ds, &ds.subset(0), 1)?;
    Ok(t0.elapsed().as_secs_f64())
}

fn main() -> Result<()> {
    let start = Instant::now();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let device = device("wgpu")?;
    match args.first().map(String::as_str) {
        Some("throughput") => {
            let presets = args.iter().position(|a| a == "--presets").and_then(|i| args.get(i + 1)).map_or("model1,gap,vgg", |v| v.as_str());
            for preset in presets.split(',') {
                let r = run(preset, arg(&args, "--images", 6400), 128, 2, true, &device)?;
                println!("{}", serde_json::to_string(&r).expect("plain numbers"));
            }
        }
        Some("epoch") => {
            let images = arg(&args, "--images", 60_000);
            let warm = one_epoch(1280, &device)?;
            let s = one_epoch(images, &device)?;
            println!("{{\"what\":\"epoch\",\"preset\":\"model1\",\"images\":{images},\"seconds\":{s:.3},\"after_warmup_s\":{warm:.3}}}");
        }
        Some("warmup") => {
            let s = one_epoch(arg(&args, "--images", 1280), &device)?;
            let total = start.elapsed().as_secs_f64();
            println!("{{\"what\":\"warmup\",\"preset\":\"model1\",\"first_epoch_s\":{s:.3},\"from_start_s\":{total:.3}}}");
        }
        Some("augment") => {
            let images = arg(&args, "--images", 60_000);
            let cfg = TrainConfig::new(ModelSpec::preset("model1")?).with_batch_size(128).with_augment(Augment::KERAS).quiet();
            epoch_with(cfg.clone(), Feed::Auto, 1280, &device)?; // warm-up
            for (name, feed) in [
                ("host", Feed::Host),
                ("thread", Feed::Resident { augment: AugmentOn::Thread }),
                ("device", Feed::Resident { augment: AugmentOn::Device }),
            ] {
                let s = epoch_with(cfg.clone(), feed, images, &device)?;
                println!("{{\"what\":\"augment\",\"preset\":\"model1\",\"feed\":\"{name}\",\"images\":{images},\"seconds\":{s:.3}}}");
            }
        }
        _ => return Err(Error::invalid("usage: bench_gpu throughput|epoch|warmup|augment [--images N]")),
    }
    Ok(())
}
