//! Bridges to other tools: TensorBoard event files, and a small HTTP server for the Projector.

pub mod serve;
// Not in the browser build (web/): tfrecord's `hostname` dependency has no wasm32 version.
#[cfg(not(target_arch = "wasm32"))]
pub mod tensorboard;
