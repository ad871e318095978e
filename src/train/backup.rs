//! Resume backups: everything that decides the rest of a run, written after every epoch, so an
//! interrupted run continues where it stopped and ends with the same weights, bit for bit on CPU.

use super::callback::{Callback, CallbackState};
use super::trained::{net_bytes, net_from_bytes};
use super::{History, TrainConfig, Trainer};
use crate::util::catch_panic;
use crate::util::error::{Error, Result};
use burn::optim::AdamConfig;
use serde::{Deserialize, Serialize};
use std::path::Path;

const MAGIC: &[u8; 8] = b"CNNLABRS";
const FORMAT: u32 = 2;

/// A backup's JSON header; the sections are the weights, the optimiser state and the callbacks'
/// bytes one after the other (`CallbackHeader::bytes` long each).
#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    config: TrainConfig,
    epochs_done: usize,
    history: History,
    stopped: bool,
    callbacks: Vec<CallbackHeader>,
}

#[derive(Serialize, Deserialize)]
struct CallbackHeader {
    name: String,
    header: serde_json::Value,
    bytes: usize,
}

impl Trainer {
    /// Save everything that decides the rest of the run: weights and BatchNorm statistics, Adam's
    /// moments and step counts, the history, and the callbacks' state (early stopping's best
    /// epoch and its weights). The data order, augmentation and dropout streams are functions of
    /// seed and epoch, so they need no saving.
    pub fn save_backup(&self, path: impl AsRef<Path>) -> Result<()> {
        self.write_backup(path.as_ref(), &self.callbacks)
    }

    /// [`Trainer::save_backup`] with the callbacks `fit` holds while it runs.
    pub(super) fn write_backup(&self, path: &Path, cbs: &[Box<dyn Callback>]) -> Result<()> {
        let mut callbacks = Vec::new();
        let mut blob = Vec::new();
        for c in cbs {
            if let Some(s) = c.state()? {
                callbacks.push(CallbackHeader { name: c.name().to_string(), header: s.header, bytes: s.bytes.len() });
                blob.extend_from_slice(&s.bytes);
            }
        }
        let header = Header { format: FORMAT, config: self.config.clone(), epochs_done: self.epochs_done, history: self.history.clone(), stopped: self.stopped, callbacks };
        let json = serde_json::to_vec(&header).map_err(|e| Error::format(path, e.to_string()))?;
        let optim = self.optim.into_bytes().map_err(|e| Error::format(path, format!("cannot serialise the optimiser state: {e}")))?;
        crate::util::store::write(path, MAGIC, &json, &[&net_bytes(self.net(), path)?, &optim, &blob])
    }

    /// Continue the run saved by [`Trainer::save_backup`] at `path`; `config` must describe the
    /// same run (its serialised form, which leaves out logging settings). Training it to the end
    /// gives the same weights, bit for bit on CPU, as a run that never stopped.
    pub fn from_backup(config: TrainConfig, path: impl AsRef<Path>, device: &burn::tensor::Device) -> Result<Self> {
        let path = path.as_ref();
        let c = crate::util::store::read(path, MAGIC, 3, "resume backup")?;
        let h: Header = serde_json::from_slice(&c.header).map_err(|e| Error::format(path, format!("corrupt resume backup header: {e}")))?;
        if h.format != FORMAT {
            return Err(Error::format(path, format!("unsupported resume backup version {}", h.format)));
        }
        let same = |a: &TrainConfig, b: &TrainConfig| serde_json::to_vec(a).ok() == serde_json::to_vec(b).ok();
        if !same(&h.config, &config) {
            return Err(Error::format(path, "resume backup of a different run (its config differs)"));
        }
        let mut t = Trainer::new(config, device)?;
        let [weights, optim, blob]: [Vec<u8>; 3] = c.sections.try_into().map_err(|_| Error::format(path, "corrupt resume backup"))?;
        let pad = t.net().pad_value;
        t.slot = Some(net_from_bytes(&t.config.spec, weights, &t.device, path)?.with_pad_value(pad));
        let fresh = std::mem::replace(&mut t.optim, AdamConfig::new().init());
        t.optim = catch_panic(|| fresh.from_bytes(burn::tensor::Bytes::from_bytes_vec(optim)))
            .map_err(|e| Error::format(path, format!("corrupt optimiser state: {e}")))?
            .map_err(|e| Error::format(path, format!("corrupt optimiser state: {e}")))?;
        t.epochs_done = h.epochs_done;
        t.history = h.history;
        t.stopped = h.stopped;
        let mut at = 0;
        let mut cbs = std::mem::take(&mut t.callbacks);
        for ch in h.callbacks {
            let bytes = blob.get(at..at + ch.bytes).ok_or_else(|| Error::format(path, "corrupt resume backup: callback state runs past the end"))?.to_vec();
            at += ch.bytes;
            let cb = cbs.iter_mut().find(|c| c.name() == ch.name).ok_or_else(|| Error::format(path, format!("resume backup holds the state of a callback this run does not have ({})", ch.name)))?;
            cb.restore_state(&t, CallbackState { header: ch.header, bytes }).map_err(|e| Error::format(path, e.to_string()))?;
        }
        t.callbacks = cbs;
        Ok(t)
    }
}
