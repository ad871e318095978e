//! Training: [`TrainConfig`] (hyper-parameters with Keras-like defaults), a [`Trainer`] whose
//! `fit` can be called again to continue (history concatenated), callbacks (progress, early
//! stopping, checkpoints, your own), resume backups, and the [`TrainedModel`] it produces. Knows
//! data and models; nothing of plots, notebooks or the run cache (which is in `lab`).
//!
//! ```no_run
//! use cnn_lab::prelude::*;
//! let (train, test) = fashion_mnist().unwrap();
//! let (train, val) = train.split(0.2, 42, false).unwrap();
//! let cfg = TrainConfig::new(ModelSpec::preset("model1").unwrap()).with_epochs(5);
//! let mut trainer = Trainer::new(cfg, &cpu()).unwrap();
//! trainer.fit(&train, &val, 5).unwrap();
//! let model = trainer.model(&train.class_names);
//! ```

pub mod backup;
pub mod callback;
pub mod callbacks;
pub mod config;
pub mod feed;
pub mod history;
pub mod inference;
pub mod step;
pub mod trained;
pub mod trainer;
pub mod version;
pub mod warp;

pub use callback::{BatchEnd, Callback, CallbackState, EpochEnd, Order};
pub use callbacks::{EarlyStopping, EpochLog, ModelCheckpoint, ProgressBar};
pub use config::{LrSchedule, TrainConfig};
pub use feed::{AugmentOn, Feed};
pub use history::History;
pub use inference::{average_probabilities, evaluation_of, Evaluation, PredictOptions};
pub use step::{count_correct, cross_entropy, evaluate_net};
pub use trained::TrainedModel;
pub use trainer::Trainer;
pub use version::TRAINING_VERSION;
