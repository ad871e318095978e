//! Training: [`TrainConfig`] (hyper-parameters with Keras-like defaults), a [`Trainer`] whose
//! `fit` can be called again to continue (history concatenated), checkpoints, early stopping,
//! and [`train_or_load`], a cache keyed by everything that determines the result.
//!
//! ```no_run
//! use cnn_lab::prelude::*;
//! let (train, test) = fashion_mnist().unwrap();
//! let (train, val) = train.split(0.2, 42, false).unwrap();
//! let cfg = TrainConfig::new(ModelSpec::preset("model1").unwrap()).with_epochs(5);
//! let model = train_or_load(&cfg, &train, &val).unwrap();
//! ```

use crate::augment::Augment;
use crate::data::{Dataset, Normalization};
use crate::error::{Error, Result};
use crate::model::{ModelSpec, Net};
use crate::callbacks::{BackupAndRestore, BatchEnd, Callback, EarlyStop, EpochEnd, EpochLog, ModelCheckpoint, ProgressBar, TensorBoardLog};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Early stopping on `val_loss`, as Keras' `EarlyStopping(monitor="val_loss")`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlyStopping {
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// Put back the weights of the best epoch when stopping (or at the end).
    pub restore_best: bool,
}

/// How the learning rate moves during training (constant when a config has none).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum LrSchedule {
    /// Cosine decay from the config's `lr` to `min_lr`, step by step over all `epochs`
    /// (as `tf.keras.optimizers.schedules.CosineDecay`). Gets in 20 epochs much of what a
    /// constant rate needs 50 for: the last epochs take small steps into a minimum.
    Cosine { min_lr: f64 },
}

impl LrSchedule {
    /// The rate at `progress` ∈ [0, 1] of the run, starting from `lr`.
    ///
    /// ```
    /// # use cnn_lab::train::LrSchedule;
    /// assert_eq!(LrSchedule::Cosine { min_lr: 0.0 }.rate(1e-3, 0.5), 5e-4);
    /// ```
    pub fn rate(&self, lr: f64, progress: f64) -> f64 {
        match *self {
            LrSchedule::Cosine { min_lr } => {
                let p = progress.clamp(0.0, 1.0);
                min_lr + 0.5 * (lr - min_lr) * (1.0 + (std::f64::consts::PI * p).cos())
            }
        }
    }
}

/// Save a checkpoint after each epoch (`best_only`: only when `val_loss` improves).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub dir: PathBuf,
    pub best_only: bool,
}

/// Everything that determines a training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub spec: ModelSpec,
    pub epochs: usize,
    pub batch_size: usize,
    /// Adam learning rate (Keras default 1e-3).
    pub lr: f64,
    /// Adam epsilon (Keras default 1e-7).
    pub epsilon: f32,
    pub seed: u64,
    pub normalization: Normalization,
    pub augment: Option<Augment>,
    pub early_stopping: Option<EarlyStopping>,
    /// Learning-rate schedule; `None` keeps `lr` constant (Keras' default). Left out of the
    /// serialised config when `None`, so older run-cache keys stay valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr_schedule: Option<LrSchedule>,
    #[serde(skip)]
    pub checkpoint: Option<Checkpoint>,
    /// Folder for TensorBoard event logs of the per-epoch scalars (none by default). Not part of
    /// the run-cache key: logging does not change the result.
    #[serde(skip)]
    pub tensorboard: Option<PathBuf>,
    /// Show progress (bar in a terminal, text lines elsewhere) and one line per epoch.
    #[serde(skip)]
    pub verbose: bool,
}

impl TrainConfig {
    /// Defaults: 10 epochs, batch 128, Adam(1e-3, ε=1e-7), seed 42, x/128−0.5 inputs.
    pub fn new(spec: ModelSpec) -> Self {
        Self {
            spec,
            epochs: 10,
            batch_size: 128,
            lr: 1e-3,
            epsilon: 1e-7,
            seed: 42,
            normalization: Normalization::Centered,
            augment: None,
            early_stopping: None,
            lr_schedule: None,
            checkpoint: None,
            tensorboard: None,
            verbose: true,
        }
    }
    /// From a preset name (see [`ModelSpec::preset`]).
    pub fn preset(name: &str) -> Result<Self> {
        Ok(Self::new(ModelSpec::preset(name)?))
    }
    pub fn with_epochs(mut self, n: usize) -> Self {
        self.epochs = n;
        self
    }
    pub fn with_batch_size(mut self, n: usize) -> Self {
        self.batch_size = n;
        self
    }
    pub fn with_lr(mut self, lr: f64) -> Self {
        self.lr = lr;
        self
    }
    pub fn with_epsilon(mut self, e: f32) -> Self {
        self.epsilon = e;
        self
    }
    pub fn with_seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }
    pub fn with_normalization(mut self, n: Normalization) -> Self {
        self.normalization = n;
        self
    }
    pub fn with_augment(mut self, a: Augment) -> Self {
        self.augment = Some(a);
        self
    }
    pub fn with_early_stopping(mut self, patience: usize, restore_best: bool) -> Self {
        self.early_stopping = Some(EarlyStopping { patience, restore_best });
        self
    }
    /// Decay the learning rate along a cosine from `lr` to `min_lr` over `epochs`.
    pub fn with_cosine_decay(mut self, min_lr: f64) -> Self {
        self.lr_schedule = Some(LrSchedule::Cosine { min_lr });
        self
    }
    pub fn with_checkpoint(mut self, dir: impl Into<PathBuf>, best_only: bool) -> Self {
        self.checkpoint = Some(Checkpoint { dir: dir.into(), best_only });
        self
    }
    /// Write TensorBoard logs under `dir` (`tensorboard --logdir dir`): the per-epoch scalars, a
    /// histogram of every parameter and an image of predictions (see
    /// [`crate::callbacks::TensorBoardLog`]).
    pub fn with_tensorboard(mut self, dir: impl Into<PathBuf>) -> Self {
        self.tensorboard = Some(dir.into());
        self
    }
    pub fn quiet(mut self) -> Self {
        self.verbose = false;
        self
    }
    fn check(&self) -> Result<()> {
        self.spec.rows()?;
        if self.batch_size == 0 {
            return Err(Error::invalid("batch_size must be at least 1"));
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return Err(Error::invalid(format!("learning rate must be positive, got {}", self.lr)));
        }
        if let Some(LrSchedule::Cosine { min_lr }) = self.lr_schedule {
            if !(min_lr >= 0.0 && min_lr <= self.lr) {
                return Err(Error::invalid(format!("cosine decay: min_lr must be in [0, lr={}], got {min_lr}", self.lr)));
            }
        }
        Ok(())
    }
}

/// Per-epoch metrics, as Keras' `History.history`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub loss: Vec<f64>,
    pub accuracy: Vec<f64>,
    pub val_loss: Vec<f64>,
    pub val_accuracy: Vec<f64>,
    pub seconds: Vec<f64>,
}

impl History {
    pub fn epochs(&self) -> usize {
        self.loss.len()
    }
    /// Append another run's history (continued training).
    pub fn extend(&mut self, other: &History) {
        self.loss.extend(&other.loss);
        self.accuracy.extend(&other.accuracy);
        self.val_loss.extend(&other.val_loss);
        self.val_accuracy.extend(&other.val_accuracy);
        self.seconds.extend(&other.seconds);
    }
    /// Mean seconds per epoch.
    pub fn seconds_per_epoch(&self) -> f64 {
        // (An empty float sum is −0.0; report 0.)
        if self.seconds.is_empty() {
            return 0.0;
        }
        self.seconds.iter().sum::<f64>() / self.seconds.len() as f64
    }
    /// One line per epoch, as training prints them:
    /// `epoch 3/10: loss 0.2950 acc 0.8925 val_loss 0.2967 val_acc 0.8917 (11.4 s)`.
    pub fn log_lines(&self) -> Vec<String> {
        let n = self.epochs();
        (0..n)
            .map(|i| {
                let at = |v: &[f64]| v.get(i).copied().unwrap_or(f64::NAN);
                format!(
                    "epoch {}/{n}: loss {:.4} acc {:.4} val_loss {:.4} val_acc {:.4} ({:.1} s)",
                    i + 1,
                    at(&self.loss),
                    at(&self.accuracy),
                    at(&self.val_loss),
                    at(&self.val_accuracy),
                    at(&self.seconds)
                )
            })
            .collect()
    }
    /// `best epoch 15 of 16 (val_loss 0.2347)`, counting from 1; or `no validation data`.
    pub fn best_summary(&self) -> String {
        match self.best_epoch() {
            Some(e) => format!("best epoch {} of {} (val_loss {:.4})", e + 1, self.epochs(), self.val_loss[e]),
            None => "no validation data".to_string(),
        }
    }
    /// Epoch (0-based) with the lowest validation loss.
    pub fn best_epoch(&self) -> Option<usize> {
        self.val_loss
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i)
    }
}

/// Copy an f32 tensor to a `Vec` (any rank).
pub fn tensor_to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    let data = t.into_data().convert::<f32>();
    data.as_slice::<f32>().map(|s| s.to_vec()).unwrap_or_default()
}

/// Images at `idx` as a normalised `[n, 1, rows, cols]` tensor.
pub fn images_tensor(ds: &Dataset, idx: &[usize], norm: Normalization, device: &Device) -> Tensor<4> {
    let mut v = Vec::with_capacity(idx.len() * ds.pixels());
    for &i in idx {
        v.extend(ds.image(i).iter().map(|&p| norm.apply(p as f32)));
    }
    Tensor::from_data(TensorData::new(v, [idx.len(), 1, ds.rows, ds.cols]), device)
}

fn bytes_tensor(px: &[u8], n: usize, rows: usize, cols: usize, norm: Normalization, device: &Device) -> Tensor<4> {
    let v: Vec<f32> = px.iter().map(|&p| norm.apply(p as f32)).collect();
    Tensor::from_data(TensorData::new(v, [n, 1, rows, cols]), device)
}

fn one_hot(labels: &[u8], classes: usize, device: &Device) -> Tensor<2> {
    let mut v = vec![0f32; labels.len() * classes];
    for (i, &l) in labels.iter().enumerate() {
        v[i * classes + l as usize] = 1.0;
    }
    Tensor::from_data(TensorData::new(v, [labels.len(), classes]), device)
}

/// Mean cross-entropy of `logits` against one-hot `targets`.
pub fn cross_entropy(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    let [b, _] = logits.dims();
    (log_softmax(logits, 1) * targets).sum().mul_scalar(-1.0 / b as f32)
}

/// Count of rows whose arg-max equals the label.
pub fn count_correct(logits: &[f32], labels: &[u8], classes: usize) -> usize {
    logits
        .chunks(classes)
        .zip(labels)
        .filter(|(row, &l)| argmax(row) == l as usize)
        .count()
}

/// Index of the largest value (first on ties).
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// Loss and accuracy of `net` (an inference module) on `ds`.
pub fn evaluate_net(net: &Net, ds: &Dataset, norm: Normalization, device: &Device) -> (f64, f64) {
    let classes = ds.num_classes();
    let (mut loss, mut correct) = (0f64, 0usize);
    let idx: Vec<usize> = (0..ds.len()).collect();
    for chunk in idx.chunks(500) {
        let x = images_tensor(ds, chunk, norm, device);
        let logits = net.forward(x);
        let labels: Vec<u8> = chunk.iter().map(|&i| ds.labels[i]).collect();
        let l = cross_entropy(logits.clone(), one_hot(&labels, classes, device));
        loss += tensor_to_vec(l)[0] as f64 * chunk.len() as f64;
        correct += count_correct(&tensor_to_vec(logits), &labels, classes);
    }
    let n = ds.len().max(1) as f64;
    (loss / n, correct as f64 / n)
}

type Callbacks = Vec<Box<dyn Callback>>;

/// Trains one network; `fit` may be called repeatedly, each call appending to `history`.
pub struct Trainer {
    pub config: TrainConfig,
    slot: Option<Net>,
    optim: burn::optim::ModuleOptimizer,
    device: Device,
    pub history: History,
    epochs_done: usize,
    /// The lowest `val_loss` so far: its epoch (1-based), value and weights.
    best: Option<(usize, f64, Net)>,
    since_best: usize,
    /// A callback asked to stop in the current (or last) `fit`.
    stopped: bool,
    backup: Option<PathBuf>,
    callbacks: Callbacks,
    class_names: Vec<String>,
}

/// What a resume backup's header holds besides the weights and the optimiser state.
#[derive(Serialize, Deserialize)]
struct StateHeader {
    format: u32,
    config: TrainConfig,
    epochs_done: usize,
    history: History,
    best_val_loss: Option<f64>,
    #[serde(default)]
    best_epoch: usize,
    since_best: usize,
    stopped: bool,
}

const STATE_MAGIC: &[u8; 8] = b"CNNLABRS";

/// The device's random stream for `epoch` (dropout masks): reseeded at every epoch, so a run
/// resumed from a backup draws the same masks as one that never stopped.
fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    crate::kernels::dropout::mix(seed ^ (epoch as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

impl Trainer {
    /// A fresh, seeded network on `device` (an autodiff device is made from it).
    pub fn new(config: TrainConfig, device: &Device) -> Result<Self> {
        config.check()?;
        let device = device.clone().autodiff();
        device.seed(config.seed);
        let net = config.spec.try_build(&device)?;
        let optim = AdamConfig::new().with_epsilon(config.epsilon).init();
        Ok(Self {
            config,
            slot: Some(net),
            optim,
            device,
            history: History::default(),
            epochs_done: 0,
            best: None,
            since_best: 0,
            stopped: false,
            backup: None,
            callbacks: Vec::new(),
            class_names: Vec::new(),
        })
    }

    /// Add a callback for every later `fit` (after the built-in ones, before the resume backup
    /// and the epoch log line). Its own state is not part of resume backups.
    pub fn add_callback(&mut self, cb: impl Callback + 'static) {
        self.callbacks.push(Box::new(cb));
    }

    /// Ask `fit` to stop after the current epoch (what early stopping does).
    pub fn request_stop(&mut self) {
        self.stopped = true;
    }

    /// Whether a callback stopped the last `fit` early.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Epochs since the lowest `val_loss` so far (0: the last epoch was the best).
    pub fn epochs_since_best(&self) -> usize {
        self.since_best
    }

    /// The best epoch so far (1-based) and its `val_loss`.
    pub fn best_epoch(&self) -> Option<(usize, f64)> {
        self.best.as_ref().map(|b| (b.0, b.1))
    }

    /// Put back the weights of the best epoch; returns that epoch and its `val_loss`.
    pub fn restore_best(&mut self) -> Option<(usize, f64)> {
        let (epoch, loss, net) = self.best.as_ref()?;
        self.slot = Some(net.clone().train());
        Some((*epoch, *loss))
    }

    /// Class names of the data of the last `fit`.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Rewrite a resume backup at `path` after every epoch (see [`Trainer::resume`]), as Keras'
    /// `BackupAndRestore`: an interrupted run loses at most the epoch in progress.
    pub fn with_backup(mut self, path: impl Into<PathBuf>) -> Self {
        self.backup = Some(path.into());
        self
    }

    /// Epochs trained so far (over every `fit` call, and before a resume).
    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    /// Save everything that decides the rest of the run: weights and BatchNorm statistics, Adam's
    /// moments and step counts, history, the best epoch's weights and the early-stopping count.
    /// (The data order, augmentation and dropout streams are functions of seed and epoch.)
    pub fn save_state(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let header = StateHeader {
            format: 1,
            config: self.config.clone(),
            epochs_done: self.epochs_done,
            history: self.history.clone(),
            best_val_loss: self.best.as_ref().map(|b| b.1),
            best_epoch: self.best.as_ref().map_or(0, |b| b.0),
            since_best: self.since_best,
            stopped: self.stopped,
        };
        let json = serde_json::to_vec(&header).map_err(|e| Error::format(path, e.to_string()))?;
        let optim = self.optim.into_bytes().map_err(|e| Error::format(path, format!("cannot serialise the optimiser state: {e}")))?;
        let best = match &self.best {
            Some((_, _, net)) => net_bytes(net, path)?,
            None => Vec::new(),
        };
        crate::store::write(path, STATE_MAGIC, &json, &[&net_bytes(self.net(), path)?, &optim, &best])
    }

    /// Continue the run saved by [`Trainer::save_state`] at `path`; `config` must describe the
    /// same run (its serialised form, which leaves out logging and checkpoint settings).
    /// Training it to the end gives the same weights, bit for bit on CPU, as a run that never
    /// stopped.
    pub fn resume(config: TrainConfig, path: impl AsRef<Path>, device: &Device) -> Result<Self> {
        let path = path.as_ref();
        let c = crate::store::read(path, STATE_MAGIC, 3, "resume backup")?;
        let h: StateHeader = serde_json::from_slice(&c.header).map_err(|e| Error::format(path, format!("corrupt resume backup header: {e}")))?;
        if h.format != 1 {
            return Err(Error::format(path, format!("unsupported resume backup version {}", h.format)));
        }
        let same = |a: &TrainConfig, b: &TrainConfig| serde_json::to_vec(a).ok() == serde_json::to_vec(b).ok();
        if !same(&h.config, &config) {
            return Err(Error::format(path, "resume backup of a different run (its config differs)"));
        }
        let mut t = Trainer::new(config, device)?;
        let [weights, optim, best]: [Vec<u8>; 3] = c.sections.try_into().map_err(|_| Error::format(path, "corrupt resume backup"))?;
        t.slot = Some(net_from_bytes(&t.config.spec, weights, &t.device, path)?);
        let fresh = std::mem::replace(&mut t.optim, AdamConfig::new().init());
        t.optim = catch_panic(|| fresh.from_bytes(burn::tensor::Bytes::from_bytes_vec(optim)))
            .map_err(|e| Error::format(path, format!("corrupt optimiser state: {e}")))?
            .map_err(|e| Error::format(path, format!("corrupt optimiser state: {e}")))?;
        t.best = match h.best_val_loss {
            Some(v) => Some((h.best_epoch, v, net_from_bytes(&t.config.spec, best, &t.device, path)?.valid())),
            None => None,
        };
        t.epochs_done = h.epochs_done;
        t.history = h.history;
        t.since_best = h.since_best;
        t.stopped = h.stopped;
        Ok(t)
    }

    /// Train `epochs` more epochs on `train`, validating on `val` after each, with the
    /// config's callbacks and those added with [`Trainer::add_callback`].
    /// Returns the history of this call; `self.history` holds all of it.
    pub fn fit(&mut self, train: &Dataset, val: &Dataset, epochs: usize) -> Result<History> {
        self.check_data(train)?;
        self.class_names = train.class_names.clone();
        let (mut cbs, users) = self.callbacks_for_fit()?;
        let r = self.run_epochs(train, val, epochs, &mut cbs);
        // The user's callbacks go back for the next `fit`.
        self.callbacks = cbs.drain(users).collect();
        r
    }

    fn run_epochs(&mut self, train: &Dataset, val: &Dataset, epochs: usize, cbs: &mut [Box<dyn Callback>]) -> Result<History> {
        let mut hist = History::default();
        self.stopped = false;
        for c in cbs.iter_mut() {
            c.on_train_begin(self, train, val)?;
        }
        let last = self.epochs_done + epochs;
        for epoch in self.epochs_done..last {
            let t0 = Instant::now();
            let batches = train.batches(self.config.batch_size, self.config.seed, epoch);
            cbs.iter_mut().for_each(|c| c.on_epoch_begin(epoch + 1, last, batches.len()));
            let (loss, accuracy, images) = self.train_epoch(train, epoch, &batches, last, cbs);
            let (val_loss, val_accuracy) = match val.is_empty() {
                true => (f64::NAN, f64::NAN),
                false => evaluate_net(&self.net().valid(), val, self.config.normalization, &self.device.clone().inner()),
            };
            let seconds = t0.elapsed().as_secs_f64();
            let one = History { loss: vec![loss], accuracy: vec![accuracy], val_loss: vec![val_loss], val_accuracy: vec![val_accuracy], seconds: vec![seconds] };
            hist.extend(&one);
            self.history.extend(&one);
            self.epochs_done += 1;
            let improved = self.track_best(val_loss);
            let end = EpochEnd { epoch: epoch + 1, epochs: last, loss, accuracy, val_loss, val_accuracy, seconds, images, improved };
            for c in cbs.iter_mut() {
                c.on_epoch_end(self, &end)?;
            }
            if self.stopped {
                break;
            }
        }
        for c in cbs.iter_mut() {
            c.on_train_end(self)?;
        }
        Ok(hist)
    }

    /// One pass over `batches`; returns the mean loss, the accuracy and the images seen.
    fn train_epoch(&mut self, train: &Dataset, epoch: usize, batches: &[Vec<usize>], last: usize, cbs: &mut [Box<dyn Callback>]) -> (f64, f64, usize) {
        let cfg = &self.config;
        let classes = train.num_classes();
        // Every random stream is a function of (seed, epoch), so a resumed run matches.
        self.device.seed(epoch_seed(cfg.seed, epoch));
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed.wrapping_add(1_000_003 * epoch as u64));
        // Over the configured epochs, not this call's: `fit` may be called a few epochs at a time.
        let steps = (cfg.epochs * batches.len()).max(1) as f64;
        let (mut loss_sum, mut correct, mut seen) = (0f64, 0usize, 0usize);
        for (b, idx) in batches.iter().enumerate() {
            let lr = cfg.lr_schedule.map_or(cfg.lr, |s| s.rate(cfg.lr, (epoch * batches.len() + b) as f64 / steps));
            let mut px = Vec::with_capacity(idx.len() * train.pixels());
            for &i in idx {
                match &cfg.augment {
                    Some(a) => px.extend(a.apply(train.image(i), train.rows, train.cols, &mut rng)),
                    None => px.extend_from_slice(train.image(i)),
                }
            }
            let labels: Vec<u8> = idx.iter().map(|&i| train.labels[i]).collect();
            let x = bytes_tensor(&px, idx.len(), train.rows, train.cols, cfg.normalization, &self.device);
            let net = self.slot.take().expect("network present");
            let logits = net.forward(x);
            let data_loss = cross_entropy(logits.clone(), one_hot(&labels, classes, &self.device));
            let loss = net.l2_penalty().map_or(data_loss.clone(), |p| data_loss.clone() + p);
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            // Move the module through the optimiser (no clone: keeps in-place updates possible).
            self.slot = Some(self.optim.step(lr, net, grads));
            loss_sum += tensor_to_vec(data_loss.inner())[0] as f64 * idx.len() as f64;
            correct += count_correct(&tensor_to_vec(logits.inner()), &labels, classes);
            seen += idx.len();
            let end = BatchEnd { epoch: epoch + 1, epochs: last, batch: b + 1, batches: batches.len(), loss: loss_sum / seen as f64, accuracy: correct as f64 / seen as f64 };
            cbs.iter_mut().for_each(|c| c.on_batch_end(&end));
        }
        (loss_sum / seen.max(1) as f64, correct as f64 / seen.max(1) as f64, seen)
    }

    /// Record `val_loss` against the best so far; true when it is a new best.
    fn track_best(&mut self, val_loss: f64) -> bool {
        let improved = self.best.as_ref().is_none_or(|b| val_loss < b.1);
        if improved && val_loss.is_finite() {
            // `valid()` copies BatchNorm's running statistics; a plain `clone()` would share
            // them with the network still in training (burn's RunningState is an Arc).
            self.best = Some((self.epochs_done, val_loss, self.net().valid()));
            self.since_best = 0;
        } else {
            self.since_best += 1;
        }
        improved
    }

    /// The config's callbacks in the order they run: progress, TensorBoard, checkpoints, early
    /// stopping, the user's, then the resume backup and the epoch line (so a printed epoch is
    /// always a backed-up one).
    /// Also returns where the user's callbacks sit in the list.
    fn callbacks_for_fit(&mut self) -> Result<(Callbacks, std::ops::Range<usize>)> {
        let cfg = &self.config;
        let mut cbs: Callbacks = Vec::new();
        if cfg.verbose {
            cbs.push(Box::new(ProgressBar::default()));
        }
        if let Some(dir) = &cfg.tensorboard {
            cbs.push(Box::new(TensorBoardLog::new(dir, &cfg.spec.name)?));
        }
        if let Some(ck) = &cfg.checkpoint {
            cbs.push(Box::new(ModelCheckpoint { dir: ck.dir.clone(), best_only: ck.best_only }));
        }
        if let Some(es) = &cfg.early_stopping {
            cbs.push(Box::new(EarlyStop { patience: es.patience, restore_best: es.restore_best, verbose: cfg.verbose }));
        }
        let users = cbs.len()..cbs.len() + self.callbacks.len();
        cbs.append(&mut self.callbacks);
        if let Some(path) = &self.backup {
            cbs.push(Box::new(BackupAndRestore { path: path.clone() }));
        }
        if cfg.verbose {
            cbs.push(Box::new(EpochLog));
        }
        Ok((cbs, users))
    }

    fn check_data(&self, train: &Dataset) -> Result<()> {
        if train.is_empty() {
            return Err(Error::invalid("fit: the training set is empty"));
        }
        let classes = self.config.spec.num_classes()?;
        if train.num_classes() != classes {
            return Err(Error::invalid(format!("fit: model predicts {classes} classes but the dataset has {}", train.num_classes())));
        }
        if (train.rows, train.cols) != self.config.spec.input {
            return Err(Error::invalid(format!("fit: model expects {:?} images, dataset has {}x{}", self.config.spec.input, train.rows, train.cols)));
        }
        Ok(())
    }

    /// The network being trained (on the autodiff device).
    pub fn net(&self) -> &Net {
        self.slot.as_ref().expect("network present")
    }

    /// The trained network for inference, with everything needed to use it later.
    pub fn model(&self, class_names: &[String]) -> Model {
        Model {
            net: self.net().valid(),
            device: self.device.clone().inner(),
            normalization: self.config.normalization,
            class_names: class_names.to_vec(),
            history: self.history.clone(),
            config: self.config.clone(),
        }
    }
}

/// A trained model ready for inference: network, input normalisation, class names, history.
#[derive(Clone, Debug)]
pub struct Model {
    pub net: Net,
    pub device: Device,
    pub normalization: Normalization,
    pub class_names: Vec<String>,
    pub history: History,
    pub config: TrainConfig,
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    config: TrainConfig,
    normalization: Normalization,
    class_names: Vec<String>,
    history: History,
}

/// Model files before checksums (still read, with a warning).
const MAGIC_V1: &[u8; 8] = b"CNNLAB01";
/// Model files and run-cache entries: a [`crate::store`] container with the weights.
const MAGIC: &[u8; 8] = b"CNNLAB02";

/// A network's weights (and BatchNorm statistics) as bytes; parameter ids included.
fn net_bytes(net: &Net, path: &Path) -> Result<Vec<u8>> {
    let bytes = net.clone().into_record().into_bytes().map_err(|e| Error::format(path, format!("cannot serialise weights: {e}")))?;
    Ok(bytes.to_vec())
}

/// Load `weights` (from [`net_bytes`]) into a fresh `spec` network on `device`.
fn net_from_bytes(spec: &ModelSpec, weights: Vec<u8>, device: &Device, path: &Path) -> Result<Net> {
    let net = spec.try_build(device).map_err(|e| Error::format(path, e.to_string()))?;
    let record = burn::store::ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(weights))
        .map_err(|e| Error::format(path, format!("corrupt weights: {e}")))?;
    catch_panic(|| net.try_load_record(record))
        .map_err(|e| Error::format(path, format!("weights do not match the model spec: {e}")))?
        .map_err(|e| Error::format(path, format!("weights do not match the model spec: {e}")))
}

impl Model {
    /// Save to one file: a JSON header (spec, normalisation, class names, history) and the
    /// weights, with a SHA-256 checksum that [`Model::load`] verifies. Written atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let header = Header {
            format: 2,
            config: self.config.clone(),
            normalization: self.normalization,
            class_names: self.class_names.clone(),
            history: self.history.clone(),
        };
        let json = serde_json::to_vec(&header).map_err(|e| Error::format(path, e.to_string()))?;
        crate::store::write(path, MAGIC, &json, &[&net_bytes(&self.net, path)?])
    }

    /// Load a file written by [`Model::save`] onto `device`. A file whose checksum does not
    /// match is an error; files from before checksums load with a warning.
    pub fn load(path: impl AsRef<Path>, device: &Device) -> Result<Model> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let (header, weights) = if bytes.starts_with(MAGIC_V1) {
            eprintln!("warning: {}: model file without a checksum (written before format 2); save it again to add one", path.display());
            split_v1(path, &bytes)?
        } else {
            let mut c = crate::store::parse(path, &bytes, MAGIC, 1, "model file")?;
            (c.header, c.sections.pop().unwrap_or_default())
        };
        let header: Header = serde_json::from_slice(&header).map_err(|e| Error::format(path, format!("corrupt model header: {e}")))?;
        if !(1..=2).contains(&header.format) {
            return Err(Error::format(path, format!("unsupported model format version {}", header.format)));
        }
        let net = net_from_bytes(&header.config.spec, weights, device, path)?;
        Ok(Model {
            net,
            device: device.clone(),
            normalization: header.normalization,
            class_names: header.class_names,
            history: header.history,
            config: header.config,
        })
    }

    /// SHA-256 (hex) of every weight and BatchNorm statistic, in layer order, shapes included:
    /// equal for two runs exactly when their values are (parameter ids do not count).
    pub fn weights_sha256(&self) -> String {
        use burn::module::{ModuleVisitor, Param};
        use sha2::{Digest, Sha256};
        struct Values(Sha256);
        impl ModuleVisitor for Values {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                let t = param.val();
                for d in t.dims() {
                    self.0.update((d as u64).to_le_bytes());
                }
                for v in tensor_to_vec(t) {
                    self.0.update(v.to_le_bytes());
                }
            }
        }
        let mut h = Values(Sha256::new());
        self.net.visit(&mut h);
        h.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Header and weights of a format-1 file (magic, `u64` header length, header, weights).
fn split_v1(path: &Path, bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    if bytes.len() < 16 {
        return Err(Error::format(path, "truncated model file (no header)"));
    }
    let n = u64::from_le_bytes(bytes[8..16].try_into().unwrap()) as usize;
    if n > bytes.len() - 16 {
        return Err(Error::format(path, "truncated model file (header runs past the end)"));
    }
    Ok((bytes[16..16 + n].to_vec(), bytes[16 + n..].to_vec()))
}

// burn may panic deep inside on malformed tensors; a user must see an error instead.
/// Run `f`, turning a panic into its message (used around library code that may panic).
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(prev);
    r.map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into())
    })
}

/// Where cached runs live: `$CNN_LAB_RUNS`, else `runs/` at the crate root.
pub fn runs_dir() -> PathBuf {
    std::env::var_os("CNN_LAB_RUNS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("runs"))
}

fn fingerprint(ds: &Dataset) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update((ds.len() as u64).to_le_bytes());
    h.update(&ds.images);
    h.update(&ds.labels);
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The cache key of a run: hash of the config (spec, hyper-parameters, seed) and both datasets.
pub fn run_key(cfg: &TrainConfig, train: &Dataset, val: &Dataset) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(cfg).unwrap_or_default());
    h.update(fingerprint(train));
    h.update(fingerprint(val));
    h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// Train, or load the identical earlier run from [`runs_dir`] (history included).
pub fn train_or_load(cfg: &TrainConfig, train: &Dataset, val: &Dataset) -> Result<Model> {
    train_or_load_on(cfg, train, val, &crate::device::default_device()?)
}

/// [`train_or_load`] on an explicit device.
///
/// Interrupted runs resume: after every epoch the trainer's state goes to a backup beside the
/// cache entry (`<entry>.resume`), and a later call with the same config continues from it (bit
/// for bit on CPU). Two processes asking for the same run take turns through a lock file
/// (`<entry>.lock`): one trains, the other waits and then loads its result.
pub fn train_or_load_on(cfg: &TrainConfig, train: &Dataset, val: &Dataset, device: &Device) -> Result<Model> {
    cached_run(cfg, train, val, device, false)
}

/// Train the run now, whether or not the cache holds it, and store the result there (on CPU
/// it is the same model bit for bit as a cached one of the same code: training is
/// deterministic). For watching a short run train in a notebook.
pub fn retrain(cfg: &TrainConfig, train: &Dataset, val: &Dataset) -> Result<Model> {
    cached_run(cfg, train, val, &crate::device::default_device()?, true)
}

fn cached_run(cfg: &TrainConfig, train: &Dataset, val: &Dataset, device: &Device, fresh: bool) -> Result<Model> {
    let path = runs_dir().join(format!("{}-{}.cnnlab", cfg.spec.name, run_key(cfg, train, val)));
    if !fresh {
        if let Some(m) = load_cached(&path, cfg, device) {
            return Ok(m);
        }
    }
    let lock = lock_run(&path, cfg.verbose)?;
    // Another process may have finished the run while we waited.
    if !fresh {
        if let Some(m) = load_cached(&path, cfg, device) {
            return Ok(m);
        }
    }
    let backup = path.with_extension("resume");
    let mut t = match backup.is_file().then(|| Trainer::resume(cfg.clone(), &backup, device)) {
        Some(Ok(t)) => {
            if cfg.verbose {
                println!("resuming {} after epoch {} of {}", relative(&backup).display(), t.epochs_done, cfg.epochs);
            }
            t
        }
        Some(Err(e)) => {
            eprintln!("ignoring unusable resume backup, training from the start: {e}");
            Trainer::new(cfg.clone(), device)?
        }
        None => Trainer::new(cfg.clone(), device)?,
    }
    .with_backup(&backup);
    // A run stopped early only needs `fit`'s ending (restoring the best weights).
    let remaining = if t.stopped { 0 } else { cfg.epochs.saturating_sub(t.epochs_done) };
    t.fit(train, val, remaining)?;
    let m = t.model(&train.class_names);
    m.save(&path)?;
    for done in [backup, lock.path] {
        // Already gone if a process that waited on a removed lock file trained it too.
        match std::fs::remove_file(&done) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&done, e)),
            _ => {}
        }
    }
    Ok(m)
}

/// The cached run at `path`, if there is a readable one.
fn load_cached(path: &Path, cfg: &TrainConfig, device: &Device) -> Option<Model> {
    if !path.is_file() {
        return None;
    }
    match Model::load(path, device) {
        Ok(m) => {
            // Entries from before checksums get one now (Model::load has warned once).
            if has_magic(path, MAGIC_V1) {
                if let Err(e) = m.save(path) {
                    eprintln!("could not add a checksum to {}: {e}", relative(path).display());
                }
            }
            if cfg.verbose {
                println!(
                    "loaded cached run {} ({} epochs, {:.1} s/epoch when trained); its training log:",
                    relative(path).display(),
                    m.history.epochs(),
                    m.history.seconds_per_epoch()
                );
                for line in m.history.log_lines() {
                    println!("  {line}");
                }
            }
            Some(m)
        }
        Err(e) => {
            eprintln!("ignoring unreadable cache entry: {e}");
            None
        }
    }
}

/// Whether the file at `path` starts with `magic`.
fn has_magic(path: &Path, magic: &[u8; 8]) -> bool {
    use std::io::Read;
    let mut b = [0u8; 8];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut b)).is_ok() && &b == magic
}

/// `path` relative to the crate root when it lies under it (messages stay short and carry no
/// machine-specific prefix), else unchanged.
fn relative(path: &Path) -> &Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path)
}

/// An exclusive lock on a run's `<entry>.lock` file, released when dropped.
struct RunLock {
    path: PathBuf,
    _file: std::fs::File,
}

/// Lock the run whose cache entry is `entry`; waits (and says so) while another process holds
/// it. The file is removed once the run is in the cache; a process still waiting on it then
/// finds the entry as soon as it gets the lock.
fn lock_run(entry: &Path, verbose: bool) -> Result<RunLock> {
    let path = entry.with_extension("lock");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| Error::io(&path, e))?;
    match f.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            if verbose {
                println!("waiting: another process is training this run ({})", relative(&path).display());
            }
            f.lock().map_err(|e| Error::io(&path, e))?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
    }
    Ok(RunLock { path, _file: f })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_schedule_runs_from_lr_to_min_lr() {
        let s = LrSchedule::Cosine { min_lr: 1e-5 };
        assert_eq!(s.rate(1e-3, 0.0), 1e-3);
        assert!((s.rate(1e-3, 1.0) - 1e-5).abs() < 1e-15);
        assert!((s.rate(1e-3, 0.5) - (1e-5 + 0.5 * (1e-3 - 1e-5))).abs() < 1e-15);
        // Monotone, and clamped outside [0, 1].
        let r: Vec<f64> = (0..=10).map(|i| s.rate(1e-3, i as f64 / 10.0)).collect();
        assert!(r.windows(2).all(|w| w[1] < w[0]), "{r:?}");
        assert_eq!(s.rate(1e-3, 2.0), s.rate(1e-3, 1.0));
    }

    #[test]
    fn no_schedule_keeps_the_serialised_config_and_cache_keys_unchanged() {
        let cfg = TrainConfig::preset("model1").unwrap();
        let json = serde_json::to_string(&cfg).unwrap();
        assert!(!json.contains("lr_schedule"), "{json}");
        let with = cfg.clone().with_cosine_decay(0.0);
        let json2 = serde_json::to_string(&with).unwrap();
        assert!(json2.contains("Cosine"), "{json2}");
        let back: TrainConfig = serde_json::from_slice(json.as_bytes()).unwrap();
        assert_eq!(back.lr_schedule, None);
        // A bad floor is refused before training.
        assert!(cfg.with_cosine_decay(1.0).check().unwrap_err().to_string().contains("min_lr"));
    }
}
