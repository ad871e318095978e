//! The run cache: [`train_or_load`] trains a config once and reloads it afterwards, keyed by
//! everything that determines the result; interrupted runs resume from their backup, and two
//! processes asking for one run take turns.

use crate::data::Dataset;
use crate::train::trained::MAGIC_V1;
use crate::train::{TrainConfig, TrainedModel, Trainer, TRAINING_VERSION};
use crate::util::error::{Error, Result};
use crate::util::{hex, relative};
use burn::tensor::Device;
use std::path::{Path, PathBuf};

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
    hex(&h.finalize()[..8])
}

/// The cache key of a run: hash of the training-behaviour version ([`TRAINING_VERSION`]), the
/// config (spec, hyper-parameters, seed) and both datasets.
pub fn run_key(cfg: &TrainConfig, train: &Dataset, val: &Dataset) -> String {
    key(TRAINING_VERSION, cfg, train, val)
}

fn key(version: u32, cfg: &TrainConfig, train: &Dataset, val: &Dataset) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(format!("training-version {version}\n"));
    h.update(serde_json::to_vec(cfg).unwrap_or_default());
    h.update(fingerprint(train));
    h.update(fingerprint(val));
    hex(&h.finalize()[..6])
}

/// Train, or load the identical earlier run from [`runs_dir`] (history included).
pub fn train_or_load(cfg: &TrainConfig, train: &Dataset, val: &Dataset) -> Result<TrainedModel> {
    train_or_load_on(cfg, train, val, &crate::util::device::default_device()?)
}

/// [`train_or_load`] on an explicit device.
///
/// Interrupted runs resume: after every epoch the trainer's state goes to a backup beside the
/// cache entry (`<entry>.backup`), and a later call with the same config continues from it (bit
/// for bit on CPU). Two processes asking for the same run take turns through a lock file
/// (`<entry>.lock`): one trains, the other waits and then loads its result.
pub fn train_or_load_on(cfg: &TrainConfig, train: &Dataset, val: &Dataset, device: &Device) -> Result<TrainedModel> {
    cached_run(cfg, train, val, device, false)
}

/// Train the run now, whether or not the cache holds it, and store the result there (on CPU
/// it is the same model bit for bit as a cached one of the same code: training is
/// deterministic). For watching a short run train in a notebook.
pub fn retrain(cfg: &TrainConfig, train: &Dataset, val: &Dataset) -> Result<TrainedModel> {
    cached_run(cfg, train, val, &crate::util::device::default_device()?, true)
}

/// Whether [`train_or_load`] would load this run rather than train it.
pub fn is_cached(cfg: &TrainConfig, train: &Dataset, val: &Dataset) -> bool {
    entry(cfg, train, val).is_file()
}

/// The model file under which the run of `cfg` on these data is cached (there or not).
pub fn entry(cfg: &TrainConfig, train: &Dataset, val: &Dataset) -> PathBuf {
    runs_dir().join(format!("{}-{}.cnnlab", cfg.spec.name, run_key(cfg, train, val)))
}

fn cached_run(cfg: &TrainConfig, train: &Dataset, val: &Dataset, device: &Device, fresh: bool) -> Result<TrainedModel> {
    let path = entry(cfg, train, val);
    if !fresh {
        if let Some(m) = load_cached(&path, cfg, train.len(), device) {
            return Ok(m);
        }
    }
    let lock = lock_run(&path, cfg.verbose)?;
    // Another process may have finished the run while we waited.
    if !fresh {
        if let Some(m) = load_cached(&path, cfg, train.len(), device) {
            return Ok(m);
        }
    }
    let backup = path.with_extension("backup");
    let mut t = match backup.is_file().then(|| Trainer::from_backup(cfg.clone(), &backup, device)) {
        Some(Ok(t)) => {
            if cfg.verbose {
                println!("resuming {} after epoch {} of {}", relative(&backup).display(), t.epochs_done(), cfg.epochs);
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
    let remaining = if t.stopped() { 0 } else { cfg.epochs.saturating_sub(t.epochs_done()) };
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
fn load_cached(path: &Path, cfg: &TrainConfig, train_len: usize, device: &Device) -> Option<TrainedModel> {
    if !path.is_file() {
        return None;
    }
    match TrainedModel::load(path, device) {
        Ok(m) => {
            // Entries from before checksums get one now (TrainedModel::load has warned once).
            if has_magic(path, MAGIC_V1) {
                if let Err(e) = m.save(path) {
                    eprintln!("could not add a checksum to {}: {e}", relative(path).display());
                }
            }
            if cfg.verbose {
                // One line: the per-epoch log of a run trained earlier is in its history (and
                // its curves), not worth a screen of text each time a notebook reloads it.
                println!(
                    "{} ({} training images): loaded from the run cache, {}, {:.1} s/epoch when trained",
                    cfg.spec.name,
                    train_len,
                    m.history.best_summary(),
                    m.history.seconds_per_epoch()
                );
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
    use crate::lab::bench::random_dataset;

    #[test]
    fn a_new_training_version_gives_every_run_a_new_key() {
        let (train, val) = (random_dataset(8, 1), random_dataset(8, 2));
        let cfg = TrainConfig::preset("model1").unwrap();
        assert_eq!(run_key(&cfg, &train, &val), key(TRAINING_VERSION, &cfg, &train, &val));
        assert_ne!(key(TRAINING_VERSION, &cfg, &train, &val), key(TRAINING_VERSION + 1, &cfg, &train, &val));
        assert_ne!(run_key(&cfg, &train, &val), run_key(&cfg.clone().with_epochs(11), &train, &val));
        assert_ne!(run_key(&cfg, &train, &val), run_key(&cfg, &random_dataset(8, 3), &val));
    }
}
