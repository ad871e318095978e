//! The built-in callbacks: progress, the epoch log line, early stopping and checkpoints
//! (TensorBoard is in `integrations::tensorboard`). [`standard`] assembles the ones a
//! [`TrainConfig`] asks for; add others with [`Trainer::add_callback`].

use super::callback::{Callback, CallbackState, EpochEnd, Order};
use super::trained::{net_bytes, net_from_bytes};
use super::history::epoch_line;
use super::{BatchEnd, TrainConfig, Trainer};
use crate::model::Net;
use crate::util::error::{Error, Result};
use crate::util::progress::EpochProgress;
use burn::module::Module;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The callbacks a config implies: progress and the epoch line when verbose, early stopping
/// when configured.
pub fn standard(config: &TrainConfig) -> Vec<Box<dyn Callback>> {
    let mut cbs: Vec<Box<dyn Callback>> = Vec::new();
    if config.verbose {
        cbs.push(Box::new(ProgressBar::default()));
        cbs.push(Box::new(EpochLog));
    }
    if let Some(es) = &config.early_stopping {
        cbs.push(Box::new(EarlyStopping::new(es.patience, es.restore_best)));
    }
    cbs
}

/// A progress bar in a terminal, a text line every few seconds elsewhere.
#[derive(Default)]
pub struct ProgressBar {
    bar: Option<EpochProgress>,
}

impl Callback for ProgressBar {
    fn order(&self) -> i32 {
        Order::PROGRESS
    }
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
    fn order(&self) -> i32 {
        Order::LOGGER
    }
    fn on_epoch_end(&mut self, _: &mut Trainer, e: &EpochEnd) -> Result<()> {
        let metrics = [e.loss, e.accuracy, e.val_loss, e.val_accuracy];
        println!("{}", epoch_line(e.epoch, e.epochs, metrics, e.seconds, Some(e.images as f64 / e.seconds)));
        Ok(())
    }
}

/// Keras' `EarlyStopping(monitor="val_loss", patience, restore_best_weights)`: stop once
/// `patience` epochs in a row have not improved on the best `val_loss`; at the end of `fit`,
/// optionally put back the best epoch's weights. In a [`TrainConfig`] only the settings count
/// (and are serialised); the best epoch and its weights are the callback's own state.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EarlyStopping {
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// Put back the weights of the best epoch when stopping (or at the end).
    pub restore_best: bool,
    #[serde(skip)]
    best: Option<Best>,
    #[serde(skip)]
    since_best: usize,
}

/// The best epoch so far (1-based), its `val_loss` and its weights.
#[derive(Clone, Debug)]
struct Best {
    epoch: usize,
    val_loss: f64,
    net: Net,
}

#[derive(Serialize, Deserialize)]
struct BestHeader {
    epoch: usize,
    val_loss: f64,
    since_best: usize,
}

impl PartialEq for EarlyStopping {
    fn eq(&self, other: &Self) -> bool {
        (self.patience, self.restore_best) == (other.patience, other.restore_best)
    }
}

impl EarlyStopping {
    pub fn new(patience: usize, restore_best: bool) -> Self {
        Self { patience, restore_best, best: None, since_best: 0 }
    }
    /// The best epoch so far (1-based) and its `val_loss`.
    pub fn best_epoch(&self) -> Option<(usize, f64)> {
        self.best.as_ref().map(|b| (b.epoch, b.val_loss))
    }
}

impl Callback for EarlyStopping {
    fn order(&self) -> i32 {
        Order::CONTROL
    }
    fn on_epoch_end(&mut self, t: &mut Trainer, e: &EpochEnd) -> Result<()> {
        let better = self.best.as_ref().is_none_or(|b| e.val_loss < b.val_loss);
        if better && e.val_loss.is_finite() {
            // `valid()` copies BatchNorm's running statistics; a plain `clone()` would share
            // them with the network still in training (burn's RunningState is an Arc).
            self.best = Some(Best { epoch: e.epoch, val_loss: e.val_loss, net: t.net().valid() });
            self.since_best = 0;
        } else {
            self.since_best += 1;
        }
        // After the last epoch there is nothing left to stop.
        if self.since_best >= self.patience.max(1) && e.epoch < e.epochs {
            t.request_stop();
        }
        Ok(())
    }
    fn on_train_end(&mut self, t: &mut Trainer) -> Result<()> {
        let verbose = t.config.verbose;
        if verbose && t.stopped() {
            println!("early stopping after epoch {}: val_loss has not improved for {} epochs", t.epochs_done(), self.since_best);
        }
        if let (true, Some(b)) = (self.restore_best, &self.best) {
            t.set_net(b.net.clone());
            if verbose {
                println!("restored the weights of epoch {} (val_loss {:.4})", b.epoch, b.val_loss);
            }
        }
        Ok(())
    }
    fn state(&self) -> Result<Option<CallbackState>> {
        let Some(b) = &self.best else {
            return Ok(Some(CallbackState { header: serde_json::json!({ "since_best": self.since_best }), bytes: Vec::new() }));
        };
        let header = BestHeader { epoch: b.epoch, val_loss: b.val_loss, since_best: self.since_best };
        let bytes = net_bytes(&b.net, Path::new("early stopping state"))?;
        Ok(Some(CallbackState { header: serde_json::to_value(header).map_err(|e| Error::invalid(e.to_string()))?, bytes }))
    }
    fn restore_state(&mut self, t: &Trainer, s: CallbackState) -> Result<()> {
        let bad = |e: String| Error::invalid(format!("early stopping state: {e}"));
        if s.bytes.is_empty() {
            self.best = None;
            self.since_best = s.header.get("since_best").and_then(|v| v.as_u64()).ok_or_else(|| bad("no since_best".into()))? as usize;
            return Ok(());
        }
        let h: BestHeader = serde_json::from_value(s.header).map_err(|e| bad(e.to_string()))?;
        let net = net_from_bytes(&t.config.spec, s.bytes, t.device(), Path::new("early stopping state"))?;
        self.best = Some(Best { epoch: h.epoch, val_loss: h.val_loss, net: net.with_pad_value(t.net().pad_value).valid() });
        self.since_best = h.since_best;
        Ok(())
    }
}

/// A model file per epoch, `<dir>/<name>_epoch007.cnnlab` (`best_only`: only when `val_loss`
/// improved), as Keras' `ModelCheckpoint`.
pub struct ModelCheckpoint {
    pub dir: PathBuf,
    pub best_only: bool,
}

impl ModelCheckpoint {
    pub fn new(dir: impl Into<PathBuf>, best_only: bool) -> Self {
        Self { dir: dir.into(), best_only }
    }
}

impl Callback for ModelCheckpoint {
    fn on_epoch_end(&mut self, t: &mut Trainer, e: &EpochEnd) -> Result<()> {
        if !self.best_only || e.improved {
            let path = self.dir.join(format!("{}_epoch{:03}.cnnlab", t.config.spec.name, e.epoch));
            t.model(t.class_names()).save(&path)?;
        }
        Ok(())
    }
}
