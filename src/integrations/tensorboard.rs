//! TensorBoard: a [`TensorBoard`] callback that writes event files as the TF demo does, and an
//! [`EventSummary`] that reads them back with TensorBoard's own record format.
//!
//! ```no_run
//! use cnn_lab::prelude::*;
//! use cnn_lab::integrations::tensorboard::TensorBoard;
//! let mut t = Trainer::new(TrainConfig::preset("model1")?, &cpu())?;
//! t.add_callback(TensorBoard::new("runs/tb".as_ref(), "model1")?);
//! # Ok::<(), cnn_lab::Error>(())
//! ```

use crate::data::Dataset;
use crate::train::{Callback, EpochEnd, Trainer};
use crate::util::error::{Error, Result};
use std::path::{Path, PathBuf};

/// TensorBoard logs, as the TF demo writes them: per epoch, the scalars (`loss`, `accuracy`,
/// `val_loss`, `val_accuracy`, `seconds`), a histogram of every parameter (`conv2d/kernel`,
/// `batch_normalization/gamma`, …; TensorBoard's Histograms and Distributions tabs), and an
/// image of the predictions on the first 16 validation images (`predictions`). The event file
/// is `<dir>/<name>.out.tfevents.<micros>.cnn_lab`; open it with `tensorboard --logdir <dir>`.
pub struct TensorBoard {
    writer: tfrecord::EventWriter<std::io::BufWriter<std::fs::File>>,
    path: PathBuf,
    samples: Option<Dataset>,
}

/// Validation images shown in the `predictions` image.
const TB_IMAGES: usize = 16;

impl TensorBoard {
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
        let fig = crate::figures::prediction_grid(ds, &idx, &probs, 4)?;
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

impl Callback for TensorBoard {
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
