//! Picking where tensors live: CPU (`flex`, default), or a GPU through the `wgpu` / `cuda`
//! cargo features. `CNN_LAB_DEVICE=cpu|wgpu|cuda` chooses at run time; a GPU that was asked for
//! but is not compiled in (or not present) is an error unless `CNN_LAB_FALLBACK=cpu` is set.

use crate::util::error::{Error, Result};
use burn::tensor::Device;

/// The pure-Rust CPU device (burn's `flex` backend), with the allocator tuned for training.
pub fn cpu() -> Device {
    tune_allocator();
    Device::flex()
}

/// Keep glibc's allocator from handing big tensors back to the kernel after every step.
///
/// A training step allocates and frees tensors of several MB (model1's first activation is
/// 11 MB at batch 128). By default glibc serves those with fresh `mmap`s, or trims the heap
/// when they are freed, so every step pays page faults and TLB shoot-downs for memory it just
/// released: a model1 step spent about 40 % of its time there. Serving blocks up to 32 MiB from
/// the heap and trimming only above 1 GiB of free heap removes that (measured: model1 training
/// ~3,000 → ~5,000 img/s on two cores). Idempotent; a no-op on other C libraries.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: mallopt only changes allocator parameters; it is thread-safe in glibc.
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
                libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
            }
        });
    }
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
