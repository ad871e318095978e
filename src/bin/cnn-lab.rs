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
        /// Write TensorBoard logs (scalars, histograms, prediction images) into this folder.
        #[arg(long)]
        tensorboard: Option<PathBuf>,
    },
    /// Train (or reload from the run cache) the notebooks' named runs and print test scores.
    Reproduce {
        /// Recipe names; all of them when empty.
        names: Vec<String>,
        /// List the recipes and exit.
        #[arg(long)]
        list: bool,
    },
    /// Print the results table (results/results.json); optionally write it into a README.
    Results {
        /// README to update between its `<!-- results:begin/end -->` markers.
        #[arg(long)]
        readme: Option<PathBuf>,
        /// Only check that the README's table is up to date (exit 1 if not).
        #[arg(long)]
        check: bool,
    },
    /// Serve a folder over HTTP with CORS, e.g. a Projector export for projector.tensorflow.org
    /// (its config is handed out with absolute URLs; port 0 picks a free port).
    Serve {
        dir: PathBuf,
        #[arg(long, default_value_t = 8000)]
        port: u16,
    },
    /// Time seeded 2-D t-SNE (FIt-SNE) on 10,000 embeddings, its trustworthiness (k=10), and
    /// openTSNE on the same data when a Python with openTSNE is given.
    TsneBench {
        /// Rows of tab-separated floats; default: GAP embeddings of the Fashion-MNIST test set
        /// from the `gap` recipe (trained or reloaded from the run cache).
        #[arg(long)]
        input: Option<PathBuf>,
        /// Python interpreter with openTSNE for the reference (e.g. .venv/bin/python).
        #[arg(long)]
        python: Option<PathBuf>,
        #[arg(long, default_value_t = 10_000)]
        n: usize,
    },
    /// Classify image files (PNG/JPEG) with a saved model or a recipe's cached run; prints the
    /// top 3 classes of each.
    Classify {
        /// Image files; none = the sample images in data/sample_images/.
        images: Vec<PathBuf>,
        /// A model file saved by `train`.
        #[arg(long, conflicts_with = "recipe")]
        model: Option<PathBuf>,
        /// A recipe (see `reproduce --list`), trained or reloaded from the run cache.
        #[arg(long, default_value = "gap")]
        recipe: String,
        /// Save, per image, `<name>.png` (probabilities and class activation map) and
        /// `<name>-steps.png` (from file to network input) into this folder.
        #[arg(long)]
        save_plots: Option<PathBuf>,
    },
    /// Write the fuzz targets' seed inputs into DIR/<target>/ (used by `make fuzz`).
    #[command(hide = true)]
    FuzzSeeds { dir: PathBuf },
    /// Post 05's browser demo: its data, or the native numbers its browser test checks.
    #[command(hide = true, subcommand)]
    WebDemo(WebDemoCmd),
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
        /// Skip the reference run on burn's own ops (e.g. to profile the crate's side alone).
        #[arg(long)]
        no_reference: bool,
        /// Print the result as JSON too.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum WebDemoCmd {
    /// Write model.js and test-images.js into DIR; print the model's recipe and weights hash as JSON.
    Assets {
        dir: PathBuf,
        #[arg(long, default_value = "gap")]
        recipe: String,
    },
    /// Print, as JSON, the probabilities and CAMs of the demo's first IMAGES test images and of
    /// each picture prepared as `classify` does, computed natively with DIR/model.js's network.
    Reference {
        dir: PathBuf,
        #[arg(long, default_value_t = 20)]
        images: usize,
        photos: Vec<PathBuf>,
    },
}

fn main() {
    // Rust ignores SIGPIPE, so `cnn-lab … | head` made println! panic once `head` had quit.
    // Restore the default: the process ends quietly, as Unix tools do.
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
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
        Cmd::Train { preset, epochs, batch_size, lr, seed, validation_split, digits, out, tensorboard } => {
            let (train, test) = if digits { mnist_digits()? } else { fashion_mnist()? };
            let (train, val) = train.split(validation_split, seed, false)?;
            let mut cfg = TrainConfig::preset(&preset)?.with_epochs(epochs).with_batch_size(batch_size).with_lr(lr).with_seed(seed);
            if cfg.spec.layers.first() == Some(&LayerSpec::Normalize) {
                cfg = cfg.with_normalization(Normalization::fit(&train));
            }
            println!("{}", cfg.spec.summary()?);
            println!("training on {} images, validating on {}, testing on {}", train.len(), val.len(), test.len());
            let device = default_device()?;
            let name = cfg.spec.name.clone();
            let mut t = Trainer::new(cfg, &device)?;
            if let Some(dir) = tensorboard {
                t.add_callback(cnn_lab::integrations::tensorboard::TensorBoard::new(&dir, &name)?);
            }
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
                    println!("{n:<22} {}", recipes::about(n));
                    continue;
                }
                let data = recipes::data_for(n)?;
                println!("== {n}: {} ({} train / {} val / {} test)", recipes::about(n), data.train.len(), data.val.len(), data.test.len());
                let m = recipes::train(n, &data)?;
                let ev = m.evaluate(&data.test)?;
                println!(
                    "== {n}: {} epochs, {:.1} s/epoch, test loss {:.4}, test accuracy {:.4}, weights sha256 {}",
                    m.history.epochs(),
                    m.history.seconds_per_epoch(),
                    ev.loss,
                    ev.accuracy,
                    &m.weights_sha256()[..16]
                );
            }
        }
        Cmd::Results { readme, check } => {
            let rows = cnn_lab::lab::results::load(cnn_lab::lab::results::results_path())?;
            let table = cnn_lab::lab::results::markdown(&rows);
            print!("{table}");
            if let Some(p) = readme {
                let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
                let new = cnn_lab::lab::results::splice(&text, &table).map_err(|e| Error::format(&p, e.to_string()))?;
                if check {
                    if new != text {
                        return Err(Error::format(&p, "results table is out of date: run `cnn-lab results --readme README.md`"));
                    }
                } else if new != text {
                    cnn_lab::util::error::write_atomic(&p, new.as_bytes())?;
                    println!("updated {}", p.display());
                }
            }
        }
        Cmd::Serve { dir, port } => cnn_lab::integrations::serve::serve(&dir, port)?,
        Cmd::TsneBench { input, python, n } => tsne_bench(input, python, n)?,
        Cmd::FuzzSeeds { dir } => {
            use cnn_lab::lab::fuzz::{seeds, Target};
            for t in Target::ALL {
                let d = dir.join(t.name());
                std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
                for (name, bytes) in seeds(t)? {
                    cnn_lab::util::error::write_atomic(d.join(name), &bytes)?;
                }
            }
        }
        Cmd::WebDemo(cmd) => web_demo(cmd)?,
        Cmd::Classify { images, model, recipe, save_plots } => {
            let m = match model {
                Some(p) => TrainedModel::load(&p, &default_device()?)?,
                None => {
                    let data = recipes::data_for(&recipe)?;
                    recipes::announce_training(&recipe, &data)?;
                    recipes::train(&recipe, &data)?
                }
            };
            let images = if images.is_empty() { cnn_lab::data::sample_images()? } else { images };
            for image in images {
                let c = cnn_lab::inspect::classify_file(&m, &image)?;
                println!("{}{}", image.display(), if c.image.inverted { " (light background: inverted)" } else { "" });
                for (k, p) in &c.top3 {
                    println!("  {:<12} {:.4}", m.class_names[*k], p);
                }
                if let Some(dir) = &save_plots {
                    let stem = image.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "image".into());
                    let (fig, steps) = (dir.join(format!("{stem}.png")), dir.join(format!("{stem}-steps.png")));
                    c.figure()?.save(&fig)?;
                    cnn_lab::figures::preparation_figure(&image, m.config.spec.input.0)?.save(&steps)?;
                    println!("  saved {} and {}", fig.display(), steps.display());
                }
            }
        }
        Cmd::Bench { preset, images, batch_size, repeats, no_reference, json } => {
            let r = cnn_lab::lab::bench::run(&preset, images, batch_size, repeats, !no_reference, &default_device()?)?;
            println!("preset {} on {} random images, batch {}", r.preset, r.images, r.batch_size);
            println!("bare burn loop, burn's ops : {:>8.0} img/s (training)", r.bare_train_img_s);
            println!("cnn_lab fit, our kernels   : {:>8.0} img/s (training)", r.fit_train_img_s);
            println!("fit / bare                 : {:>8.3}", r.fit_over_bare);
            println!("inference, burn's ops      : {:>8.0} img/s", r.burn_inference_img_s);
            println!("inference, our kernels     : {:>8.0} img/s", r.inference_img_s);
            if json {
                println!("{}", serde_json::to_string(&r).unwrap_or_default());
            }
        }
    }
    Ok(())
}

fn read_tsv(p: &std::path::Path) -> Result<Vec<Vec<f32>>> {
    let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            l.split('\t')
                .map(|c| c.trim().parse::<f32>().map_err(|_| Error::format(p, format!("line {}: {c:?} is not a number", i + 1))))
                .collect()
        })
        .collect()
}

fn tsne_bench(input: Option<PathBuf>, python: Option<PathBuf>, n: usize) -> Result<()> {
    use cnn_lab::embed::{trustworthiness, tsne, TsneConfig};
    let mut x = match &input {
        Some(p) => read_tsv(p)?,
        None => {
            let data = recipes::fashion()?;
            let m = if recipes::is_trained("gap", &data)? {
                recipes::train("gap", &data)?
            } else {
                // Do not start a quarter of an hour of training unasked: a one-epoch model1 gives
                // embeddings of the same size class for timing t-SNE.
                println!(
                    "t-SNE bench: the GAP network is not in the run cache (`cnn-lab reproduce gap` trains it, roughly {:.0} min on two cores); \
                     using model1 after one epoch instead (under a minute)",
                    recipes::typical_minutes("gap")
                );
                let cfg = TrainConfig::preset("model1")?.with_epochs(1);
                train_or_load(&cfg, &data.train, &data.val)?
            };
            cnn_lab::embed::embeddings(&m, &data.test)?
        }
    };
    x.truncate(n);
    let dir = PathBuf::from("target/tsne-bench");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let tsv = dir.join("input.tsv");
    let body: String = x.iter().map(|r| r.iter().map(|v| format!("{v}")).collect::<Vec<_>>().join("\t") + "\n").collect();
    cnn_lab::util::error::write_atomic(&tsv, body.as_bytes())?;
    println!("t-SNE on {} x {} (perplexity 30, 750 iterations, PCA init)", x.len(), x[0].len());
    let t0 = std::time::Instant::now();
    let y = tsne(&x, &TsneConfig::default())?;
    let ours = t0.elapsed().as_secs_f64();
    let tw = trustworthiness(&x, &y, 10)?;
    println!("cnn_lab (bhtsne FIt-SNE): {ours:>7.2} s, trustworthiness(k=10) {tw:.4}");
    if let Some(py) = python {
        let out = std::process::Command::new(&py)
            .args(["bench/tsne_reference.py", tsv.to_str().unwrap_or_default()])
            .output()
            .map_err(|e| Error::io(&py, e))?;
        let text = String::from_utf8_lossy(&out.stdout);
        match text.lines().last().and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok()) {
            Some(v) => {
                let s = v["seconds"].as_f64().unwrap_or(f64::NAN);
                println!("openTSNE {}: {s:>7.2} s, trustworthiness(k=10) {:.4}", v["version"].as_str().unwrap_or("?"), v["trustworthiness"].as_f64().unwrap_or(f64::NAN));
                println!("cnn_lab / openTSNE time: {:.3} (goal <= 0.5)", ours / s);
            }
            None => println!("openTSNE reference skipped: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("no output")),
        }
    }
    Ok(())
}

fn web_demo(cmd: WebDemoCmd) -> Result<()> {
    use cnn_lab::lab::web_demo;
    let (_, test) = fashion_mnist()?;
    match cmd {
        WebDemoCmd::Assets { dir, recipe } => {
            let data = recipes::fashion()?;
            recipes::announce_training(&recipe, &data)?;
            let m = recipes::train(&recipe, &data)?;
            // The cached file itself: saving the loaded model again would give other bytes
            // (burn numbers the normalisation buffers afresh at each load).
            let file = cnn_lab::lab::run_cache::entry(&recipes::config(&recipe, &data.train)?, &data.train, &data.val);
            let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
            let ev = m.evaluate(&data.test)?;
            let info = serde_json::json!({ "recipe": recipe, "weights_sha256": &m.weights_sha256()[..16], "test_accuracy": ev.accuracy, "test_images": ev.images });
            web_demo::write_assets(&bytes, &info, &test, &dir)?;
            println!("{info}");
        }
        WebDemoCmd::Reference { dir, images, photos } => {
            let p = dir.join("model.js");
            let m = TrainedModel::from_bytes(&p, &web_demo::model_from_script(&p)?, &cpu())?;
            let photos: Vec<&std::path::Path> = photos.iter().map(|p| p.as_path()).collect();
            println!("{}", web_demo::reference(&m, &test, images, &photos)?);
        }
    }
    Ok(())
}
