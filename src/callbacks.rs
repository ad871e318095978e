//! Training callbacks, as in Keras, fastai and burn-train: [`Trainer::fit`] runs the loop and
//! calls each callback at the start of an epoch, after each batch, at the end of an epoch and at
//! the end of `fit`. The built-in ones come from the [`TrainConfig`](crate::train::TrainConfig)
//! (progress, epoch log, TensorBoard, checkpoints, early stopping, resume backup); add your own
//! with [`Trainer::add_callback`].
//!
//! ```no_run
//! use cnn_lab::callbacks::{Callback, EpochEnd};
//! use cnn_lab::prelude::*;
//! struct Accuracies(Vec<f64>);
//! impl Callback for Accuracies {
//!     fn on_epoch_end(&mut self, _: &mut Trainer, e: &EpochEnd) -> Result<()> {
//!         self.0.push(e.val_accuracy);
//!         Ok(())
//!     }
//! }
//! # let (train, val) = (cnn_lab::bench::random_dataset(64, 1), cnn_lab::bench::random_dataset(32, 2));
//! let mut t = Trainer::new(TrainConfig::preset("model1")?.quiet(), &cpu())?;
//! t.add_callback(Accuracies(Vec::new()));
//! t.fit(&train, &val, 2)?;
//! # Ok::<(), cnn_lab::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::progress::EpochProgress;
use crate::train::Trainer;
use std::path::{Path, PathBuf};

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
    /// 1-based epoch and the last epoch of this `fit`.
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
    /// Whether `val_loss` is the best so far.
    pub improved: bool,
}

/// Hooks into [`Trainer::fit`]; every method has a default that does nothing.
pub trait Callback {
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
}

/// A progress bar in a terminal, a text line every few seconds elsewhere.
#[derive(Default)]
pub struct ProgressBar {
    bar: Option<EpochProgress>,
}

impl Callback for ProgressBar {
    fn on_epoch_begin(&mut self, epoch: usize, epochs: usize, batches: usize) {
        self.bar = Some(EpochProgress::new(epoch, epochs, batches, true));
    }
    fn on_batch_end(&mut self, b: &BatchEnd) {
        if let Some(bar) = &mut self.bar {
            bar.step(b.loss, b.accuracy);
        }
    }
    fn on_epoch_end(&mut self, _: &mut Trainer, _: &EpochEnd) -> Result<()> {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
        Ok(())
    }
}

/// One line per epoch: `epoch 3/10: loss … acc … val_loss … val_acc … (12.1 s, 3,967 img/s)`.
pub struct EpochLog;

impl Callback for EpochLog {
    fn on_epoch_end(&mut self, _: &mut Trainer, e: &EpochEnd) -> Result<()> {
        println!(
            "epoch {}/{}: loss {:.4} acc {:.4} val_loss {:.4} val_acc {:.4} ({:.1} s, {:.0} img/s)",
            e.epoch,
            e.epochs,
            e.loss,
            e.accuracy,
            e.val_loss,
            e.val_accuracy,
            e.seconds,
            e.images as f64 / e.seconds
        );
        Ok(())
    }
}

/// TensorBoard scalars per epoch (`loss`, `accuracy`, `val_loss`, `val_accuracy`, `seconds`) in
/// `<dir>/<name>.out.tfevents.<micros>.cnn_lab`, the naming TensorBoard scans for.
pub struct TensorBoardLog {
    writer: syntaxdot_summary::SummaryWriter<std::io::BufWriter<std::fs::File>>,
    path: PathBuf,
}

impl TensorBoardLog {
    /// A new event file in `dir` for the run `name`.
    pub fn new(dir: &Path, name: &str) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let micros = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0);
        let path = dir.join(format!("{name}.out.tfevents.{micros}.cnn_lab"));
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        let writer = syntaxdot_summary::SummaryWriter::new(std::io::BufWriter::new(file)).map_err(|e| Error::io(&path, e))?;
        Ok(Self { writer, path })
    }
}

impl Callback for TensorBoardLog {
    fn on_epoch_end(&mut self, t: &mut Trainer, e: &EpochEnd) -> Result<()> {
        let step = t.epochs_done() as i64;
        let scalars = [("loss", e.loss), ("accuracy", e.accuracy), ("val_loss", e.val_loss), ("val_accuracy", e.val_accuracy), ("seconds", e.seconds)];
        for (tag, v) in scalars {
            self.writer.write_scalar(tag, step, v as f32).map_err(|err| Error::io(&self.path, err))?;
        }
        Ok(())
    }
}

/// A model file per epoch, `<dir>/<name>_epoch007.cnnlab` (`best_only`: only when `val_loss`
/// improved), as Keras' `ModelCheckpoint`.
pub struct ModelCheckpoint {
    pub dir: PathBuf,
    pub best_only: bool,
}

impl Callback for ModelCheckpoint {
    fn on_epoch_end(&mut self, t: &mut Trainer, e: &EpochEnd) -> Result<()> {
        if !self.best_only || e.improved {
            let path = self.dir.join(format!("{}_epoch{:03}.cnnlab", t.config.spec.name, t.epochs_done()));
            t.model(t.class_names()).save(&path)?;
        }
        Ok(())
    }
}

/// Keras' `EarlyStopping(monitor="val_loss", patience, restore_best_weights)`: stop once
/// `patience` epochs in a row have not improved on the best `val_loss`; at the end of `fit`,
/// optionally put back the best epoch's weights.
pub struct EarlyStop {
    pub patience: usize,
    pub restore_best: bool,
    pub verbose: bool,
}

impl Callback for EarlyStop {
    fn on_epoch_end(&mut self, t: &mut Trainer, _: &EpochEnd) -> Result<()> {
        if t.epochs_since_best() >= self.patience.max(1) {
            t.request_stop();
        }
        Ok(())
    }
    fn on_train_end(&mut self, t: &mut Trainer) -> Result<()> {
        if self.verbose && t.stopped() {
            println!("early stopping after epoch {}: val_loss has not improved for {} epochs", t.epochs_done(), t.epochs_since_best());
        }
        if self.restore_best {
            if let Some((epoch, val_loss)) = t.restore_best() {
                if self.verbose {
                    println!("restored the weights of epoch {epoch} (val_loss {val_loss:.4})");
                }
            }
        }
        Ok(())
    }
}

/// Keras' `BackupAndRestore`: the whole training state goes to `path` after every epoch, so
/// [`Trainer::resume`] can continue an interrupted run and lose only the epoch in progress.
pub struct BackupAndRestore {
    pub path: PathBuf,
}

impl Callback for BackupAndRestore {
    fn on_epoch_end(&mut self, t: &mut Trainer, _: &EpochEnd) -> Result<()> {
        t.save_state(&self.path)
    }
}
