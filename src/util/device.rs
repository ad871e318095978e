//! Picking where tensors live: CPU (`flex`, default), or a GPU through the `wgpu` / `cuda`
//! cargo features. `CNN_LAB_DEVICE=cpu|wgpu|cuda` chooses at run time; a GPU that was asked for
//! but is not compiled in (or not present) is an error unless `CNN_LAB_FALLBACK=cpu` is set.
//!
//! `wgpu` takes the best adapter there is: a GPU, or else a CPU adapter such as Mesa's lavapipe
//! (software Vulkan: slow, but it runs the same shaders, which is how the tests check the GPU
//! path on a machine without one). `CUBECL_WGPU_DEFAULT_DEVICE=Cpu` forces the CPU adapter.

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
        "wgpu" | "gpu" => {
            gpu_cache::configure();
            Ok(Device::wgpu(Default::default()))
        }
        #[cfg(feature = "cuda")]
        "cuda" => Ok(Device::cuda(0)),
        // Reached for whichever of these is not compiled in.
        #[allow(unreachable_patterns)]
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

/// Whether `device` is burn's CPU backend (where our kernels run and a host copy is free).
pub fn is_cpu(device: &Device) -> bool {
    // Equality compares the compute resource and ignores the autodiff wrapper.
    *device == Device::flex()
}

/// Where the GPU backend keeps what it learns about a machine: the autotuner's choices (and, on
/// the SPIR-V path, compiled kernels). By default cubecl keeps them under the `target/` folder
/// above the working directory, so every clone, and a notebook started from another folder,
/// pays the tuning again; keeping them in the user's cache folder makes a restarted notebook
/// start warm. `CNN_LAB_GPU_CACHE` chooses another folder.
#[cfg(feature = "wgpu")]
pub mod gpu_cache {
    use burn::cubecl::config::cache::CacheConfig;
    use burn::cubecl::config::{CubeClRuntimeConfig, RuntimeConfig};
    use std::path::PathBuf;

    /// `$CNN_LAB_GPU_CACHE`, else `$XDG_CACHE_HOME/cnn_lab/gpu`, else `~/.cache/cnn_lab/gpu`.
    pub fn folder() -> PathBuf {
        if let Some(p) = std::env::var_os("CNN_LAB_GPU_CACHE") {
            return PathBuf::from(p);
        }
        let base = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| ".".into())).join(".cache")
        });
        base.join("cnn_lab").join("gpu")
    }

    /// Point cubecl's cache at [`folder`], once, before the first GPU device exists (cubecl reads
    /// its configuration once; after that this is a no-op). A `cubecl.toml` and cubecl's
    /// environment variables still apply; only the folder is ours.
    pub fn configure() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let dir = folder();
            if let Err(e) = std::fs::create_dir_all(&dir) {
                eprintln!("GPU cache folder {}: {e}; the GPU tunes again in every process", dir.display());
                return;
            }
            let mut cfg = CubeClRuntimeConfig::from_current_dir().override_from_env();
            cfg.environment.path = CacheConfig::Directory(dir);
            cfg.compilation.cache = true;
            // false when a GPU device was made before: it keeps the configuration it read.
            let _ = CubeClRuntimeConfig::try_set(cfg);
        });
    }
}
