//! # cnn_lab — CNNs in Rust, explained and visualised
//!
//! The helper crate behind the notebooks: datasets ([`data`]), a declarative CNN built into a
//! burn module ([`model`]), training with history, checkpoints and a run cache ([`train`]),
//! evaluation ([`eval`]), inspection ([`inspect`]), embeddings ([`embed`]) and plots ([`plot`])
//! that show inline in Jupyter (evcxr) and save PNG/SVG files.
//!
//! ```no_run
//! use cnn_lab::prelude::*;
//! let (train, test) = fashion_mnist().unwrap();
//! let (train, val) = train.split(0.2, 42, false).unwrap();
//! let model = train_or_load(&TrainConfig::preset("model1").unwrap().with_epochs(1), &train, &val).unwrap();
//! println!("{:?}", model.evaluate(&test).unwrap());
//! ```

pub mod augment;
pub mod bench;
pub mod callbacks;
pub mod inspect;
pub mod kernels;
pub mod data;
pub mod device;
pub mod embed;
pub mod error;
pub mod eval;
pub mod model;
pub mod plot;
pub mod progress;
pub mod quick;
pub mod recipes;
pub mod results;
pub mod serve;
pub mod show;
pub mod store;
pub mod train;

pub use error::{Error, Result};
pub use train::tensor_to_vec;

/// What notebooks import: `use cnn_lab::prelude::*;`
pub mod prelude {
    pub use crate::augment::Augment;
    pub use crate::data::{fashion_mnist, mnist_digits, Dataset, Normalization, FASHION_CLASSES};
    pub use crate::device::{cpu, default_device, device};
    pub use crate::error::{Error, Result};
    pub use crate::eval::{
        Evaluation, average_probabilities, class_report, class_scores, confusion_matrix, evaluation_of, least_confident, mistakes, most_confused, per_class_accuracy, predict_ensemble,
        predicted, top_k, top_losses,
    };
    pub use crate::model::{Act, LayerSpec, ModelSpec, Net};
    pub use crate::plot::Figure;
    pub use crate::quick::is_quick;
    pub use crate::recipes::{self, Splits};
    pub use crate::train::{train_or_load, History, Model, TrainConfig, Trainer};
    // Named in notebook cells' type annotations (`let dir: PathBuf = ...`).
    pub use std::path::{Path, PathBuf};
}
