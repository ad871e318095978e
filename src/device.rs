//! Picking where tensors live: CPU (`flex`, default), or a GPU through the `wgpu` / `cuda`
//! cargo features. `CNN_LAB_DEVICE=cpu|wgpu|cuda` chooses at run time; a GPU that was asked for
//! but is not compiled in (or not present) is an error unless `CNN_LAB_FALLBACK=cpu` is set.

use crate::error::{Error, Result};
use burn::tensor::Device;

/// The pure-Rust CPU device (burn's `flex` backend).
pub fn cpu() -> Device {
    Device::flex()
}

/// The device named `name` (`cpu`, `wgpu`, `cuda`).
pub fn device(name: &str) -> Result<Device> {
    match name {
        "cpu" | "flex" => Ok(cpu()),
        #[cfg(feature = "wgpu")]
        "wgpu" | "gpu" => Ok(Device::wgpu(Default::default())),
        #[cfg(feature = "cuda")]
        "cuda" => Ok(Device::cuda(0)),
        "wgpu" | "gpu" | "cuda" => Err(Error::invalid(format!(
            "device {name:?} is not compiled in: rebuild with `--features {}` \
             (or set CNN_LAB_FALLBACK=cpu to run on the CPU instead)",
            if name == "cuda" { "cuda" } else { "wgpu" }
        ))),
        other => Err(Error::invalid(format!(
            "unknown device {other:?}: use cpu, wgpu or cuda"
        ))),
    }
}

/// The device from `CNN_LAB_DEVICE` (default `cpu`), honouring `CNN_LAB_FALLBACK=cpu`.
pub fn default_device() -> Result<Device> {
    let name = std::env::var("CNN_LAB_DEVICE").unwrap_or_else(|_| "cpu".into());
    match device(&name) {
        Ok(d) => Ok(d),
        Err(e) if std::env::var("CNN_LAB_FALLBACK").as_deref() == Ok("cpu") => {
            eprintln!("{e}\nfalling back to the CPU");
            Ok(cpu())
        }
        Err(e) => Err(e),
    }
}
