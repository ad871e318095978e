//! `cnn-lab`: train, summarise, classify and benchmark from the command line.

use clap::{Parser, Subcommand};
use cnn_lab::prelude::*;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "cnn-lab", version, about = "CNNs on Fashion-MNIST and MNIST in Rust (burn)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Print a Keras-style summary of a preset (or of all of them).
    Summary {
        #[arg(long, default_value = "all")]
        preset: String,
    },
    /// Train a preset on Fashion-MNIST (or digits) and report test accuracy.
    Train {
        #[arg(long, default_value = "model1")]
        preset: String,
        #[arg(long, default_value_t = 1)]
        epochs: usize,
        #[arg(long, default_value_t = 128)]
        batch_size: usize,
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Fraction of the training set held out for validation.
        #[arg(long, default_value_t = 0.2)]
        validation_split: f64,
        /// Train on MNIST digits instead of Fashion-MNIST.
        #[arg(long)]
        digits: bool,
        /// Where to save the trained model.
        #[arg(long, default_value = "runs/cli-model.cnnlab")]
        out: PathBuf,
    },
    /// Train (or reload from the run cache) the notebooks' named runs and print test scores.
    Reproduce {
        /// Recipe names; all of them when empty.
        names: Vec<String>,
        /// List the recipes and exit.
        #[arg(long)]
        list: bool,
    },
    /// Classify an image file (PNG/JPEG) with a saved model; prints the top 3 classes.
    Classify {
        image: PathBuf,
        #[arg(long)]
        model: PathBuf,
    },
    /// Training and inference throughput of a preset on random data.
    Bench {
        #[arg(long, default_value = "model1")]
        preset: String,
        #[arg(long, default_value_t = 6_400)]
        images: usize,
        #[arg(long, default_value_t = 128)]
        batch_size: usize,
        #[arg(long, default_value_t = 2)]
        repeats: usize,
        /// Print the result as JSON too.
        #[arg(long)]
        json: bool,
    },
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.cmd {
        Cmd::Summary { preset } => {
            let names: Vec<&str> = if preset == "all" { ModelSpec::PRESETS.to_vec() } else { vec![preset.as_str()] };
            for p in names {
                println!("{}", ModelSpec::preset(p)?.summary()?);
            }
        }
        Cmd::Train { preset, epochs, batch_size, lr, seed, validation_split, digits, out } => {
            let (train, test) = if digits { mnist_digits()? } else { fashion_mnist()? };
            let (train, val) = train.split(validation_split, seed, false)?;
            let mut cfg = TrainConfig::preset(&preset)?.with_epochs(epochs).with_batch_size(batch_size).with_lr(lr).with_seed(seed);
            if cfg.spec.layers.first() == Some(&LayerSpec::Normalize) {
                cfg = cfg.with_normalization(Normalization::fit(&train));
            }
            println!("{}", cfg.spec.summary()?);
            println!("training on {} images, validating on {}, testing on {}", train.len(), val.len(), test.len());
            let device = default_device()?;
            let mut t = Trainer::new(cfg, &device)?;
            let h = t.fit(&train, &val, epochs)?;
            let model = t.model(&train.class_names);
            let ev = model.evaluate(&test)?;
            let img_s = train.len() as f64 / h.seconds_per_epoch();
            println!("test loss {:.4}, test accuracy {:.4}", ev.loss, ev.accuracy);
            println!("{:.1} s/epoch, {:.0} img/s (training incl. validation)", h.seconds_per_epoch(), img_s);
            model.save(&out)?;
            println!("saved {}", out.display());
        }
        Cmd::Reproduce { names, list } => {
            let names: Vec<String> =
                if names.is_empty() { recipes::RECIPES.iter().map(|s| s.to_string()).collect() } else { names };
            for n in &names {
                if list {
                    println!("{n:<10} {}", recipes::about(n));
                    continue;
                }
                let data = recipes::data_for(n)?;
                println!("== {n}: {} ({} train / {} val / {} test)", recipes::about(n), data.train.len(), data.val.len(), data.test.len());
                let m = recipes::train(n, &data)?;
                let ev = m.evaluate(&data.test)?;
                println!(
                    "== {n}: {} epochs, {:.1} s/epoch, test loss {:.4}, test accuracy {:.4}",
                    m.history.epochs(),
                    m.history.seconds_per_epoch(),
                    ev.loss,
                    ev.accuracy
                );
            }
        }
        Cmd::Classify { image, model } => {
            let m = Model::load(&model, &default_device()?)?;
            let (h, _) = m.config.spec.input;
            let img = cnn_lab::inspect::prepare_image(&image, h)?;
            let p = m.predict_image(&img.pixels)?;
            println!("{}{}", image.display(), if img.inverted { " (light background: inverted)" } else { "" });
            for (c, s) in top_k(&p, 3) {
                println!("  {:<12} {:.4}", m.class_names[c], s);
            }
        }
        Cmd::Bench { preset, images, batch_size, repeats, json } => {
            let r = cnn_lab::bench::run(&preset, images, batch_size, repeats, &default_device()?)?;
            println!("preset {} on {} random images, batch {}", r.preset, r.images, r.batch_size);
            println!("bare burn loop : {:>8.0} img/s (training)", r.bare_train_img_s);
            println!("cnn_lab fit    : {:>8.0} img/s (training)", r.fit_train_img_s);
            println!("fit / bare     : {:>8.3}", r.fit_over_bare);
            println!("inference      : {:>8.0} img/s", r.inference_img_s);
            if json {
                println!("{}", serde_json::to_string(&r).unwrap_or_default());
            }
        }
    }
    Ok(())
}
