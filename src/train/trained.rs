//! A trained model: the network with everything needed to use it later (input normalisation,
//! class names, history, config), saved to and loaded from one checksummed file.

use super::{History, TrainConfig};
use crate::data::Normalization;
use crate::model::{tensor_to_vec, ModelSpec, Net};
use crate::util::catch_panic;
use crate::util::error::{Error, Result};
use burn::module::Module;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A trained model ready for inference: network, input normalisation, class names, history.
#[derive(Clone, Debug)]
pub struct TrainedModel {
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
pub(crate) const MAGIC_V1: &[u8; 8] = b"CNNLAB01";
/// Model files and run-cache entries: a [`crate::util::store`] container with the weights.
pub(crate) const MAGIC: &[u8; 8] = b"CNNLAB02";

/// A network's weights (and BatchNorm statistics) as bytes; parameter ids included.
pub(crate) fn net_bytes(net: &Net, path: &Path) -> Result<Vec<u8>> {
    let bytes = net.clone().into_record().into_bytes().map_err(|e| Error::format(path, format!("cannot serialise weights: {e}")))?;
    Ok(bytes.to_vec())
}

/// Load `weights` (from [`net_bytes`]) into a fresh `spec` network on `device`.
pub(crate) fn net_from_bytes(spec: &ModelSpec, weights: Vec<u8>, device: &Device, path: &Path) -> Result<Net> {
    // Every stored number takes 4 bytes: a spec that asks for more weights than the file holds
    // is refused before the network is built (a damaged header must not allocate gigabytes).
    let numbers: usize = spec.rows().map_err(|e| Error::format(path, e.to_string()))?.iter().map(|r| r.trainable + r.non_trainable).sum();
    if numbers.saturating_mul(4) > weights.len() {
        return Err(Error::format(path, format!("weights do not match the model spec: it needs {numbers} numbers, the file holds {} bytes", weights.len())));
    }
    let net = spec.try_build(device).map_err(|e| Error::format(path, e.to_string()))?;
    let record = burn::store::ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(weights))
        .map_err(|e| Error::format(path, format!("corrupt weights: {e}")))?;
    catch_panic(|| net.try_load_record(record))
        .map_err(|e| Error::format(path, format!("weights do not match the model spec: {e}")))?
        .map_err(|e| Error::format(path, format!("weights do not match the model spec: {e}")))
}

impl TrainedModel {
    /// Save to one file: a JSON header (spec, normalisation, class names, history) and the
    /// weights, with a SHA-256 checksum that [`TrainedModel::load`] verifies. Written atomically.
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
        crate::util::store::write(path, MAGIC, &json, &[&net_bytes(&self.net, path)?])
    }

    /// Load a file written by [`TrainedModel::save`] onto `device`. A file whose checksum does not
    /// match is an error; files from before checksums load with a warning.
    pub fn load(path: impl AsRef<Path>, device: &Device) -> Result<TrainedModel> {
        let path = path.as_ref();
        Self::from_bytes(path, &std::fs::read(path).map_err(|e| Error::io(path, e))?, device)
    }

    /// [`TrainedModel::load`] on the file's bytes (`path` names them in errors).
    pub fn from_bytes(path: &Path, bytes: &[u8], device: &Device) -> Result<TrainedModel> {
        let (header, weights) = if bytes.starts_with(MAGIC_V1) {
            eprintln!("warning: {}: model file without a checksum (written before format 2); save it again to add one", path.display());
            split_v1(path, bytes)?
        } else {
            let mut c = crate::util::store::parse(path, bytes, MAGIC, 1, "model file")?;
            (c.header, c.sections.pop().unwrap_or_default())
        };
        let header: Header = serde_json::from_slice(&header).map_err(|e| Error::format(path, format!("corrupt model header: {e}")))?;
        if !(1..=2).contains(&header.format) {
            return Err(Error::format(path, format!("unsupported model format version {}", header.format)));
        }
        let net = net_from_bytes(&header.config.spec, weights, device, path)?.with_pad_value(header.normalization.background());
        Ok(TrainedModel {
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
        crate::util::hex(&h.0.finalize())
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
