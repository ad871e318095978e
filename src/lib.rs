//! # cnn_lab — CNNs in Rust, explained and visualised
//!
//! The helper crate behind the notebooks. Its modules form layers, each using only the layers
//! below it (`tests/layers.rs` fails on an import that goes the wrong way):
//!
//! | layer | modules | what |
//! |---|---|---|
//! | 8 | [`lab`] | the notebooks' recipes, the run cache, the results table, benchmarks, the fuzz targets' entry points |
//! | 7 | [`integrations`] | TensorBoard event files, a server for the Projector |
//! | 6 | [`figures`] | the series' figures of data, training, predictions and internals |
//! | 5 | [`eval`], [`inspect`], [`embed`] | interpretation, looking inside, embeddings |
//! | 4 | [`train`] | config, trainer and callbacks, resume backups, the trained model |
//! | 3 | [`model`] | the Sequential spec, presets, the burn module |
//! | 2 | [`data`] | datasets, normalisation, augmentation, readers, sources |
//! | 1 | [`kernels`], [`plot`] | our CPU ops for burn; generic charts (no domain types) |
//! | 0 | [`util`] | errors, the file container, progress, quick mode, the device |
//!
//! ```no_run
//! use cnn_lab::prelude::*;
//! let (train, test) = fashion_mnist().unwrap();
//! let (train, val) = train.split(0.2, 42, false).unwrap();
//! let model = train_or_load(&TrainConfig::preset("model1").unwrap().with_epochs(1), &train, &val).unwrap();
//! println!("{:?}", model.evaluate(&test).unwrap());
//! ```

pub mod data;
pub mod embed;
pub mod eval;
pub mod figures;
pub mod inspect;
pub mod integrations;
pub mod kernels;
pub mod lab;
pub mod model;
pub mod plot;
pub mod train;
pub mod util;

pub use util::error::{Error, Result};
/// burn itself, so that a notebook can write a module or a training loop in plain burn.
pub use burn;

/// What notebooks import: `use cnn_lab::prelude::*;`
pub mod prelude {
    pub use crate::data::{fashion_mnist, mnist_digits, Augment, Dataset, Normalization, FASHION_CLASSES};
    pub use crate::eval::{predict_ensemble, Interpretation};
    pub use crate::lab::recipes::{self, Splits};
    pub use crate::lab::{retrain, train_or_load};
    pub use crate::model::{Act, LayerSpec, ModelSpec, Net, Sequential};
    pub use crate::figures::FeatureMaps;
    pub use crate::plot::{Bins, Figure, Markdown, ScatterOptions};
    pub use crate::train::{Evaluation, History, PredictOptions, TrainConfig, TrainedModel, Trainer};
    pub use crate::util::device::{cpu, default_device, device};
    pub use crate::util::error::{Error, Result};
    pub use crate::util::quick::is_quick;
    // Named in notebook cells' type annotations (`let dir: PathBuf = ...`).
    pub use std::path::{Path, PathBuf};
}
