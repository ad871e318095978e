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

use crate::data::Dataset;
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

/// TensorBoard logs, as the TF demo writes them: per epoch, the scalars (`loss`, `accuracy`,
/// `val_loss`, `val_accuracy`, `seconds`), a histogram of every parameter (`conv2d/kernel`,
/// `batch_normalization/gamma`, …; TensorBoard's Histograms and Distributions tabs), and an
/// image of the predictions on the first 16 validation images (`predictions`). The event file
/// is `<dir>/<name>.out.tfevents.<micros>.cnn_lab`; open it with `tensorboard --logdir <dir>`.
pub struct TensorBoardLog {
    writer: tfrecord::EventWriter<std::io::BufWriter<std::fs::File>>,
    path: PathBuf,
    samples: Option<Dataset>,
}

/// Validation images shown in the `predictions` image.
const TB_IMAGES: usize = 16;

impl TensorBoardLog {
    /// A new event file in `dir` for the run `name`.
    pub fn new(dir: &Path, name: &str) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let micros = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0);
        let path = dir.join(format!("{name}.out.tfevents.{micros}.cnn_lab"));
        let writer = tfrecord::EventWriter::create(&path, tfrecord::EventWriterConfig { auto_flush: true }).map_err(|e| tb_err(&path, e))?;
        Ok(Self { writer, path, samples: None })
    }

    /// The event file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn predictions(&mut self, t: &Trainer, step: i64) -> Result<()> {
        let Some(ds) = &self.samples else { return Ok(()) };
        let probs = t.model(t.class_names()).predict(ds)?;
        let idx: Vec<usize> = (0..ds.len()).collect();
        let fig = crate::plot::prediction_grid(ds, &idx, &probs, 4)?;
        let image = tfrecord::protobuf::summary::Image {
            height: fig.height as i32,
            width: fig.width as i32,
            colorspace: 3,
            encoded_image_string: fig.png,
        };
        self.writer.write_image("predictions", step, image).map_err(|e| tb_err(&self.path, e))
    }
}

/// What a TensorBoard event file holds: its tags by kind and the highest step, read back with
/// the same record format TensorBoard reads (checksums verified).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventSummary {
    pub scalars: Vec<String>,
    pub histograms: Vec<String>,
    pub images: Vec<String>,
    pub last_step: i64,
}

impl EventSummary {
    /// Read an event file.
    pub fn read(path: impl AsRef<Path>) -> Result<EventSummary> {
        use tfrecord::protobuf::event::What;
        use tfrecord::protobuf::summary::value::Value;
        let path = path.as_ref();
        let events = tfrecord::EventIter::open(path, tfrecord::RecordReaderConfig { check_integrity: true }).map_err(|e| tb_err(path, e))?;
        let mut out = EventSummary::default();
        for ev in events {
            let ev = ev.map_err(|e| tb_err(path, e))?;
            out.last_step = out.last_step.max(ev.step);
            let Some(What::Summary(s)) = ev.what else { continue };
            for v in s.value {
                let list = match v.value {
                    Some(Value::SimpleValue(_)) => &mut out.scalars,
                    Some(Value::Histo(_)) => &mut out.histograms,
                    Some(Value::Image(_)) => &mut out.images,
                    _ => continue,
                };
                if !list.contains(&v.tag) {
                    list.push(v.tag);
                }
            }
        }
        Ok(out)
    }

    /// Read the newest event file (`*.tfevents.*`) in `dir`, as TensorBoard shows the latest run.
    pub fn read_dir(dir: impl AsRef<Path>) -> Result<EventSummary> {
        let dir = dir.as_ref();
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().contains(".tfevents.")))
            .collect();
        // The file names end in the creation time in microseconds.
        files.sort();
        let last = files.pop().ok_or_else(|| Error::format(dir, "no TensorBoard event file (*.tfevents.*) here"))?;
        Self::read(last)
    }
}

impl std::fmt::Display for EventSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} steps", self.last_step)?;
        writeln!(f, "scalars ({}): {}", self.scalars.len(), self.scalars.join(", "))?;
        writeln!(f, "histograms ({}): {}", self.histograms.len(), self.histograms.join(", "))?;
        write!(f, "images ({}): {}", self.images.len(), self.images.join(", "))
    }
}

fn tb_err(path: &Path, e: tfrecord::Error) -> Error {
    Error::format(path, format!("writing TensorBoard events: {e}"))
}

impl Callback for TensorBoardLog {
    fn on_train_begin(&mut self, _: &mut Trainer, _: &Dataset, val: &Dataset) -> Result<()> {
        self.samples = (!val.is_empty()).then(|| val.subset(TB_IMAGES));
        Ok(())
    }
    fn on_epoch_end(&mut self, t: &mut Trainer, e: &EpochEnd) -> Result<()> {
        let step = t.epochs_done() as i64;
        let scalars = [("loss", e.loss), ("accuracy", e.accuracy), ("val_loss", e.val_loss), ("val_accuracy", e.val_accuracy), ("seconds", e.seconds)];
        for (tag, v) in scalars {
            self.writer.write_scalar(tag, step, v as f32).map_err(|err| tb_err(&self.path, err))?;
        }
        for (tag, values) in t.net().named_parameters() {
            self.writer.write_histogram(tag, step, values).map_err(|err| tb_err(&self.path, err))?;
        }
        self.predictions(t, step)
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
    fn on_epoch_end(&mut self, t: &mut Trainer, e: &EpochEnd) -> Result<()> {
        // After the last epoch there is nothing left to stop.
        if t.epochs_since_best() >= self.patience.max(1) && e.epoch < e.epochs {
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
