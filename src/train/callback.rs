//! The callback interface of [`Trainer::fit`], as in Keras, fastai and burn-train: the loop calls
//! each callback when `fit` starts, at the start of an epoch, after each batch, at the end of an
//! epoch and when `fit` ends. The loop knows callbacks only through this trait; the concrete ones
//! are in [`super::callbacks`] (and, for TensorBoard, in `integrations`).
//!
//! ```no_run
//! use cnn_lab::prelude::*;
//! use cnn_lab::train::{Callback, EpochEnd};
//! struct Accuracies(Vec<f64>);
//! impl Callback for Accuracies {
//!     fn on_epoch_end(&mut self, _: &mut Trainer, e: &EpochEnd) -> Result<()> {
//!         self.0.push(e.val_accuracy);
//!         Ok(())
//!     }
//! }
//! # let (train, val) = (cnn_lab::lab::bench::random_dataset(64, 1), cnn_lab::lab::bench::random_dataset(32, 2));
//! let mut t = Trainer::new(TrainConfig::preset("model1")?.quiet(), &cpu())?;
//! t.add_callback(Accuracies(Vec::new()));
//! t.fit(&train, &val, 2)?;
//! # Ok::<(), cnn_lab::Error>(())
//! ```

use super::Trainer;
use crate::data::Dataset;
use crate::util::error::Result;

/// The running figures after one batch.
#[derive(Clone, Debug)]
pub struct BatchEnd {
    /// 1-based epoch and the last epoch of this `fit`.
    pub epoch: usize,
    pub epochs: usize,
    /// 1-based batch of `batches`.
    pub batch: usize,
    pub batches: usize,
    /// Mean loss and accuracy over the epoch's batches so far.
    pub loss: f64,
    pub accuracy: f64,
}

/// One finished epoch: its metrics, as Keras' `logs`.
#[derive(Clone, Debug)]
pub struct EpochEnd {
    /// 1-based epoch (counting every `fit` and the epochs before a resume) and the last epoch
    /// of this `fit`.
    pub epoch: usize,
    pub epochs: usize,
    pub loss: f64,
    pub accuracy: f64,
    /// NaN without validation data.
    pub val_loss: f64,
    pub val_accuracy: f64,
    /// Wall time of the epoch, validation included.
    pub seconds: f64,
    /// Training images seen.
    pub images: usize,
    /// Whether `val_loss` is the lowest of the run so far.
    pub improved: bool,
}

/// What a callback keeps in a resume backup: a JSON header and bytes (weights, say).
#[derive(Clone, Debug, Default)]
pub struct CallbackState {
    pub header: serde_json::Value,
    pub bytes: Vec<u8>,
}

/// Where a callback runs among the others (lower first, as fastai's `order`): the trainer writes
/// its resume backup after every callback below [`Order::LOGGER`] has seen the epoch, so a
/// printed epoch is always a backed-up one.
pub struct Order;

impl Order {
    /// Progress display, before everything else.
    pub const PROGRESS: i32 = -20;
    /// Callbacks that decide about the run (early stopping).
    pub const CONTROL: i32 = -10;
    /// The default.
    pub const NORMAL: i32 = 0;
    /// Loggers that report a finished, backed-up epoch.
    pub const LOGGER: i32 = 100;
}

/// Hooks into [`Trainer::fit`]; every method has a default that does nothing.
pub trait Callback {
    /// A name for resume backups and messages.
    fn name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }
    /// Where it runs among the callbacks ([`Order`]); the same order keeps the order added.
    fn order(&self) -> i32 {
        Order::NORMAL
    }
    /// When `fit` starts, with its data.
    fn on_train_begin(&mut self, _trainer: &mut Trainer, _train: &Dataset, _val: &Dataset) -> Result<()> {
        Ok(())
    }
    /// Before the first batch of `epoch` (1-based) of `epochs`, which has `batches` batches.
    fn on_epoch_begin(&mut self, _epoch: usize, _epochs: usize, _batches: usize) {}
    /// After each optimiser step.
    fn on_batch_end(&mut self, _batch: &BatchEnd) {}
    /// After validation; may save files or call [`Trainer::request_stop`].
    fn on_epoch_end(&mut self, _trainer: &mut Trainer, _epoch: &EpochEnd) -> Result<()> {
        Ok(())
    }
    /// When `fit` ends, after the last epoch or a stop.
    fn on_train_end(&mut self, _trainer: &mut Trainer) -> Result<()> {
        Ok(())
    }
    /// State that decides the rest of the run, for resume backups (`None`: nothing to keep).
    fn state(&self) -> Result<Option<CallbackState>> {
        Ok(None)
    }
    /// Take back the state [`Callback::state`] returned, when a run resumes.
    fn restore_state(&mut self, _trainer: &Trainer, _state: CallbackState) -> Result<()> {
        Ok(())
    }
}
