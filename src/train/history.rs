//! Per-epoch metrics of a run.

use serde::{Deserialize, Serialize};

/// The line printed for one epoch: `epoch 3/10: loss 0.2950 acc 0.8925 val_loss 0.2967
/// val_acc 0.8917 (11.4 s)`, with the images per second after the time when given.
/// `metrics` are loss, accuracy, validation loss and validation accuracy.
pub fn epoch_line(epoch: usize, epochs: usize, metrics: [f64; 4], seconds: f64, img_s: Option<f64>) -> String {
    let [loss, acc, val_loss, val_acc] = metrics;
    let rate = img_s.map(|r| format!(", {r:.0} img/s")).unwrap_or_default();
    format!("epoch {epoch}/{epochs}: loss {loss:.4} acc {acc:.4} val_loss {val_loss:.4} val_acc {val_acc:.4} ({seconds:.1} s{rate})")
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
    /// Record one epoch: `metrics` are loss, accuracy, validation loss and validation accuracy
    /// (Keras' order), `seconds` its duration.
    pub fn push(&mut self, metrics: [f64; 4], seconds: f64) {
        let [loss, accuracy, val_loss, val_accuracy] = metrics;
        self.loss.push(loss);
        self.accuracy.push(accuracy);
        self.val_loss.push(val_loss);
        self.val_accuracy.push(val_accuracy);
        self.seconds.push(seconds);
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
                let metrics = [at(&self.loss), at(&self.accuracy), at(&self.val_loss), at(&self.val_accuracy)];
                epoch_line(i + 1, n, metrics, at(&self.seconds), None)
            })
            .collect()
    }
    /// `best epoch 15 of 16 (val_loss 0.2347, val_acc 0.9160)`, counting from 1; or
    /// `no validation data`.
    pub fn best_summary(&self) -> String {
        match self.best_epoch() {
            Some(e) => {
                let acc = self.val_accuracy.get(e).copied().unwrap_or(f64::NAN);
                format!("best epoch {} of {} (val_loss {:.4}, val_acc {acc:.4})", e + 1, self.epochs(), self.val_loss[e])
            }
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
