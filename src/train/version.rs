//! The training-behaviour version: part of every run-cache key, so a cache never serves a run
//! that the current code would train differently.

/// Bumped whenever the same [`TrainConfig`](super::TrainConfig) on the same data would train to
/// different weights: a change of initialisation, of the random streams (shuffling, dropout,
/// augmentation), of a layer's arithmetic, of the optimiser or of the schedule.
///
/// `tests/golden.rs` trains a tiny fixed run and compares its weights' hash with the one
/// recorded for this version in `tests/golden/training.tsv` (an append-only list): a change in
/// behaviour fails that test until this number is bumped and the new hash appended, and the
/// bump gives every cached run a new key.
///
/// 1: the runs cached before versions existed (one random stream for the whole run).
/// 2: the random stream reseeded at every epoch from the seed and the epoch number.
pub const TRAINING_VERSION: u32 = 2;
