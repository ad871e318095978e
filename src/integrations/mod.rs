//! Bridges to other tools: TensorBoard event files, and a small HTTP server for the Projector.

pub mod serve;
pub mod tensorboard;
