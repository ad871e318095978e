//! The training loop: [`Trainer::fit`] runs epochs of Adam steps, validates after each, and
//! calls its callbacks (known only through the [`Callback`] trait).

use super::callback::{BatchEnd, Callback, EpochEnd, Order};
use super::step::{count_correct, cross_entropy, evaluate_net, one_hot};
use super::feed::{augment_in_background, network_input, order_tensor, AugmentOn, ResidentSet, READ_EVERY};
use super::warp::warp;
use super::{callbacks, Feed, History, TrainConfig, TrainedModel};
use crate::data::Dataset;
use crate::model::tensor::bytes_tensor;
use crate::model::{tensor_to_vec, Net};
use crate::util::error::{Error, Result};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;
use std::time::Instant;

/// Trains one network; `fit` may be called repeatedly, each call appending to `history`.
pub struct Trainer {
    pub config: TrainConfig,
    pub(super) slot: Option<Net>,
    pub(super) optim: burn::optim::ModuleOptimizer,
    pub(super) device: Device,
    pub history: History,
    pub(super) epochs_done: usize,
    /// A callback asked to stop in the current (or last) `fit` (Keras' `stop_training`).
    pub(super) stopped: bool,
    pub(super) backup: Option<PathBuf>,
    pub(super) callbacks: Vec<Box<dyn Callback>>,
    class_names: Vec<String>,
    feed: Feed,
}

/// The device's random stream for `epoch` (dropout masks): reseeded at every epoch, so a run
/// resumed from a backup draws the same masks as one that never stopped.
fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    crate::kernels::dropout::mix(seed ^ (epoch as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// Held while a network is built and while it trains. burn's CPU backend keeps one random
/// stream for the whole process (`device.seed` sets it for every device), so two trainings
/// running at once in one process (tests, threads) would take turns drawing from it and neither
/// would be reproducible. Each holder seeds the stream first, so taking turns whole keeps both
/// runs identical to solo runs.
static RANDOM_STREAM: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn random_stream() -> std::sync::MutexGuard<'static, ()> {
    // A panic in another training leaves nothing half-done that matters here: everyone reseeds.
    RANDOM_STREAM.lock().unwrap_or_else(|e| e.into_inner())
}

impl Trainer {
    /// A fresh, seeded network on `device` (an autodiff device is made from it), with the
    /// callbacks the config asks for ([`callbacks::standard`]).
    pub fn new(config: TrainConfig, device: &Device) -> Result<Self> {
        config.check()?;
        let device = device.clone().autodiff();
        let stream = random_stream();
        device.seed(config.seed);
        let net = config.spec.try_build(&device)?.with_pad_value(config.normalization.background());
        drop(stream);
        let optim = AdamConfig::new().with_epsilon(config.epsilon).init();
        let callbacks = callbacks::standard(&config);
        Ok(Self {
            config,
            slot: Some(net),
            optim,
            device,
            history: History::default(),
            epochs_done: 0,
            stopped: false,
            backup: None,
            callbacks,
            class_names: Vec::new(),
            feed: Feed::Auto,
        })
    }

    /// Add a callback for every later `fit`, placed by its [`Callback::order`].
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

    /// How later `fit`s feed batches (default [`Feed::Auto`]: host on the CPU, resident on a GPU).
    pub fn set_feed(&mut self, feed: Feed) {
        self.feed = feed;
    }

    /// Class names of the data of the last `fit`.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Epochs trained so far (over every `fit` call, and before a resume).
    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    /// Rewrite a resume backup at `path` after every epoch (see [`Trainer::from_backup`]), as
    /// Keras' `BackupAndRestore`: an interrupted run loses at most the epoch in progress.
    pub fn with_backup(mut self, path: impl Into<PathBuf>) -> Self {
        self.backup = Some(path.into());
        self
    }

    /// The network being trained (on the autodiff device).
    pub fn net(&self) -> &Net {
        self.slot.as_ref().expect("network present")
    }

    /// Replace the network being trained (restoring the best epoch's weights, say).
    pub fn set_net(&mut self, net: Net) {
        self.slot = Some(net.train());
    }

    /// The autodiff device training runs on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The trained network for inference, with everything needed to use it later.
    pub fn model(&self, class_names: &[String]) -> TrainedModel {
        TrainedModel {
            net: self.net().valid(),
            device: self.device.clone().inner(),
            normalization: self.config.normalization,
            class_names: class_names.to_vec(),
            history: self.history.clone(),
            config: self.config.clone(),
        }
    }

    /// Train `epochs` more epochs on `train`, validating on `val` after each, with the
    /// config's callbacks and those added with [`Trainer::add_callback`].
    /// Returns the history of this call; `self.history` holds all of it. Trainings in other
    /// threads of this process wait until this one ends (see `RANDOM_STREAM`).
    pub fn fit(&mut self, train: &Dataset, val: &Dataset, epochs: usize) -> Result<History> {
        self.check_data(train)?;
        let _stream = random_stream();
        self.class_names = train.class_names.clone();
        let mut cbs = std::mem::take(&mut self.callbacks);
        cbs.sort_by_key(|c| c.order());
        let r = self.run_epochs(train, val, epochs, &mut cbs);
        self.callbacks = cbs;
        r
    }

    fn run_epochs(&mut self, train: &Dataset, val: &Dataset, epochs: usize, cbs: &mut [Box<dyn Callback>]) -> Result<History> {
        let mut hist = History::default();
        self.stopped = false;
        for c in cbs.iter_mut() {
            c.on_train_begin(self, train, val)?;
        }
        let last = self.epochs_done + epochs;
        let resident = match self.feed.resolve(&self.device) {
            Feed::Resident { augment } if ResidentSet::fits(train) => Some((ResidentSet::upload(train, &self.device.clone().inner()), augment)),
            _ => None,
        };
        for epoch in self.epochs_done..last {
            let t0 = Instant::now();
            let batches = train.batches(self.config.batch_size, self.config.seed, epoch);
            cbs.iter_mut().for_each(|c| c.on_epoch_begin(epoch + 1, last, batches.len()));
            // Every random stream is a function of (seed, epoch), so a resumed run matches.
            self.device.seed(epoch_seed(self.config.seed, epoch));
            let (loss, accuracy, images) = match &resident {
                Some((set, on)) => self.train_epoch_resident(set, *on, train, epoch, &batches, last, cbs),
                None => self.train_epoch(train, epoch, &batches, last, cbs),
            };
            let (val_loss, val_accuracy) = match val.is_empty() {
                true => (f64::NAN, f64::NAN),
                false => evaluate_net(&self.net().valid(), val, self.config.normalization, &self.device.clone().inner()),
            };
            let seconds = t0.elapsed().as_secs_f64();
            let improved = val_loss.is_finite() && self.history.val_loss.iter().all(|&v| v.is_nan() || v > val_loss);
            hist.push([loss, accuracy, val_loss, val_accuracy], seconds);
            self.history.push([loss, accuracy, val_loss, val_accuracy], seconds);
            self.epochs_done += 1;
            let end = EpochEnd { epoch: epoch + 1, epochs: last, loss, accuracy, val_loss, val_accuracy, seconds, images, improved };
            let loggers = cbs.iter().position(|c| c.order() >= Order::LOGGER).unwrap_or(cbs.len());
            for c in cbs[..loggers].iter_mut() {
                c.on_epoch_end(self, &end)?;
            }
            if let Some(path) = self.backup.clone() {
                self.write_backup(&path, cbs)?;
            }
            for c in cbs[loggers..].iter_mut() {
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

    /// The augmentation stream of `epoch` (a function of seed and epoch, like every stream).
    fn augment_seed(&self, epoch: usize) -> u64 {
        self.config.seed.wrapping_add(1_000_003 * epoch as u64)
    }

    /// The learning rate at step `b` of `epoch` (over the configured epochs, not this call's:
    /// `fit` may be called a few epochs at a time).
    fn rate(&self, epoch: usize, b: usize, batches: usize) -> f64 {
        let cfg = &self.config;
        let steps = (cfg.epochs * batches).max(1) as f64;
        cfg.lr_schedule.map_or(cfg.lr, |s| s.rate(cfg.lr, (epoch * batches + b) as f64 / steps))
    }

    /// One Adam step on a batch; returns its data loss (without the L2 penalty) and its logits.
    fn step(&mut self, x: Tensor<4>, targets: Tensor<2>, lr: f64) -> (Tensor<1>, Tensor<2>) {
        let net = self.slot.take().expect("network present");
        let logits = net.forward(x);
        let data_loss = cross_entropy(logits.clone(), targets);
        let loss = net.l2_penalty().map_or(data_loss.clone(), |p| data_loss.clone() + p);
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        // Move the module through the optimiser (no clone: keeps in-place updates possible).
        self.slot = Some(self.optim.step(lr, net, grads));
        (data_loss, logits)
    }

    /// One pass over `batches` gathered on the host ([`Feed::Host`]); returns the mean loss, the
    /// accuracy and the images seen.
    fn train_epoch(&mut self, train: &Dataset, epoch: usize, batches: &[Vec<usize>], last: usize, cbs: &mut [Box<dyn Callback>]) -> (f64, f64, usize) {
        let classes = train.num_classes();
        let mut rng = ChaCha8Rng::seed_from_u64(self.augment_seed(epoch));
        let (mut loss_sum, mut correct, mut seen) = (0f64, 0usize, 0usize);
        for (b, idx) in batches.iter().enumerate() {
            let lr = self.rate(epoch, b, batches.len());
            let mut px = Vec::with_capacity(idx.len() * train.pixels());
            for &i in idx {
                match &self.config.augment {
                    Some(a) => px.extend(a.apply(train.image(i), train.rows, train.cols, &mut rng)),
                    None => px.extend_from_slice(train.image(i)),
                }
            }
            let labels: Vec<u8> = idx.iter().map(|&i| train.labels[i]).collect();
            let x = bytes_tensor(&px, idx.len(), train.rows, train.cols, self.config.normalization, &self.device);
            let targets = one_hot(&labels, classes, &self.device);
            let (data_loss, logits) = self.step(x, targets, lr);
            loss_sum += tensor_to_vec(data_loss.inner())[0] as f64 * idx.len() as f64;
            correct += count_correct(&tensor_to_vec(logits.inner()), &labels, classes);
            seen += idx.len();
            let end = BatchEnd { epoch: epoch + 1, epochs: last, batch: b + 1, batches: batches.len(), loss: loss_sum / seen as f64, accuracy: correct as f64 / seen as f64 };
            cbs.iter_mut().for_each(|c| c.on_batch_end(&end));
        }
        (loss_sum / seen.max(1) as f64, correct as f64 / seen.max(1) as f64, seen)
    }

    /// One pass over `batches` of the training set kept on the device ([`Feed::Resident`]):
    /// no read until every [`READ_EVERY`] steps.
    #[allow(clippy::too_many_arguments)]
    fn train_epoch_resident(&mut self, set: &ResidentSet, on: AugmentOn, train: &Dataset, epoch: usize, batches: &[Vec<usize>], last: usize, cbs: &mut [Box<dyn Callback>]) -> (f64, f64, usize) {
        let inner = self.device.clone().inner();
        let order = order_tensor(batches, &inner);
        let norm = self.config.normalization;
        let classes = train.num_classes();
        let mut rng = ChaCha8Rng::seed_from_u64(self.augment_seed(epoch));
        let mut run = |trainer: &mut Self, next_augmented: &mut dyn FnMut() -> Option<Vec<u8>>| {
            // [loss sum, correct count] since the start of the epoch, on the device.
            let mut sums = Tensor::<1>::zeros([2], &inner);
            let (mut start, mut seen) = (0usize, 0usize);
            let mut totals = (0f64, 0f64);
            for (b, idx) in batches.iter().enumerate() {
                let lr = trainer.rate(epoch, b, batches.len());
                let n = idx.len();
                let rows = order.clone().slice(start..start + n);
                start += n;
                let x = match (next_augmented(), trainer.config.augment) {
                    (Some(px), _) => bytes_tensor(&px, n, train.rows, train.cols, norm, &inner),
                    (None, Some(a)) if on == AugmentOn::Device => {
                        let moves: Vec<_> = (0..n).map(|_| a.draw(train.rows, train.cols, &mut rng)).collect();
                        network_input(warp(set.pixels(&rows), &moves), norm)
                    }
                    (None, _) => set.images(&rows, norm),
                };
                let labels = set.labels(&rows);
                let targets = labels.clone().one_hot::<2>(classes).float();
                let (data_loss, logits) = trainer.step(x.autodiff(), targets.autodiff(), lr);
                let right = logits.inner().argmax(1).reshape([n]).equal(labels).int().sum().float();
                let batch = Tensor::cat(vec![data_loss.inner().mul_scalar(n as f32), right], 0);
                sums = sums + batch;
                seen += n;
                if (b + 1) % READ_EVERY == 0 || b + 1 == batches.len() {
                    let v = tensor_to_vec(sums.clone());
                    totals = (v[0] as f64, v[1] as f64);
                    let end = BatchEnd { epoch: epoch + 1, epochs: last, batch: b + 1, batches: batches.len(), loss: totals.0 / seen as f64, accuracy: totals.1 / seen as f64 };
                    cbs.iter_mut().for_each(|c| c.on_batch_end(&end));
                }
            }
            (totals.0 / seen.max(1) as f64, totals.1 / seen.max(1) as f64, seen)
        };
        match (self.config.augment, on) {
            (Some(a), AugmentOn::Thread) => augment_in_background(train, batches, a, self.augment_seed(epoch), |next| run(self, &mut || Some(next()))),
            _ => run(self, &mut || None),
        }
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
}
