//! Progress display: an indicatif bar in a terminal; throttled plain-text lines elsewhere
//! (a notebook cell, a CI log), at most one every 30 s, so long work shows it is alive without
//! flooding the output.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// True when stderr is a terminal (then bars are drawn).
pub fn is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// A byte-count bar for downloads (hidden off a terminal).
pub fn bytes_bar(len: Option<u64>, msg: &str) -> ProgressBar {
    if !is_terminal() {
        eprintln!("{msg}");
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len.unwrap_or(0));
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(msg.to_string());
    bar
}

/// Progress of one training epoch, shown as a bar or as a text line at most every few seconds.
pub struct EpochProgress {
    bar: Option<ProgressBar>,
    last: Instant,
    every: Duration,
    total: usize,
    done: usize,
    prefix: String,
}

impl EpochProgress {
    /// `total` batches in epoch `epoch` of `epochs`; `enabled = false` shows nothing.
    pub fn new(epoch: usize, epochs: usize, total: usize, enabled: bool) -> Self {
        let prefix = format!("epoch {epoch}/{epochs}");
        let bar = (enabled && is_terminal()).then(|| {
            let b = ProgressBar::new(total as u64);
            b.set_style(
                ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} [{elapsed}<{eta}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b.set_prefix(prefix.clone());
            b
        });
        Self {
            bar,
            last: Instant::now(),
            // 30 s: epochs shorter than that (most of the series) print only their summary line.
            every: Duration::from_secs(if enabled { 30 } else { u64::MAX / 4 }),
            total,
            done: 0,
            prefix,
        }
    }

    /// One more batch done, with the running loss and accuracy.
    pub fn step(&mut self, loss: f64, acc: f64) {
        self.done += 1;
        match &self.bar {
            Some(b) => {
                b.inc(1);
                b.set_message(format!("loss {loss:.4} acc {acc:.4}"));
            }
            None if self.last.elapsed() >= self.every && self.done < self.total => {
                self.last = Instant::now();
                println!(
                    "{} batch {}/{} loss {loss:.4} acc {acc:.4}",
                    self.prefix, self.done, self.total
                );
            }
            None => {}
        }
    }

    /// Clear the bar (the caller prints the epoch summary).
    pub fn finish(self) {
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}
