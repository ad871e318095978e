//! Everything that determines a training run: [`TrainConfig`], with Keras' defaults.

use super::callbacks::EarlyStopping;
use crate::data::{Augment, Normalization};
use crate::model::ModelSpec;
use crate::util::error::{Error, Result};
use serde::{Deserialize, Serialize};

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
        self.early_stopping = Some(EarlyStopping::new(patience, restore_best));
        self
    }
    /// Decay the learning rate along a cosine from `lr` to `min_lr` over `epochs`.
    pub fn with_cosine_decay(mut self, min_lr: f64) -> Self {
        self.lr_schedule = Some(LrSchedule::Cosine { min_lr });
        self
    }
    pub fn quiet(mut self) -> Self {
        self.verbose = false;
        self
    }
    pub(crate) fn check(&self) -> Result<()> {
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
