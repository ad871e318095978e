//! The golden training run: a tiny fixed run whose final weights' hash is recorded, per
//! training-behaviour version, in `tests/golden/training.tsv`. When a change to the code makes
//! the same config train differently, this test fails until
//! [`TRAINING_VERSION`](cnn_lab::train::TRAINING_VERSION) is bumped and the new hash appended,
//! and the bump changes every run-cache key, so no cached run of the old code is served again.

use cnn_lab::lab::bench::random_dataset;
use cnn_lab::prelude::*;
use cnn_lab::train::TRAINING_VERSION;
use sha2::{Digest, Sha256};

const LIST: &str = "tests/golden/training.tsv";

/// Two short runs that between them touch every part of training that a recipe uses: conv,
/// BatchNorm, pooling, global average pooling, dropout, dense layers, Adam, the cosine schedule,
/// shuffling, Keras-style and mirror/crop augmentation, validation.
fn golden_hash() -> String {
    let (train, val) = (random_dataset(64, 1), random_dataset(32, 2));
    let runs = [
        TrainConfig::preset("gap").unwrap().with_epochs(2).with_cosine_decay(0.0).with_augment(Augment::KERAS),
        TrainConfig::preset("model2").unwrap().with_epochs(2).with_augment(Augment::MIRROR_CROP),
    ];
    let mut h = Sha256::new();
    for cfg in runs {
        let cfg = cfg.with_batch_size(16).quiet();
        let mut t = Trainer::new(cfg, &cpu()).unwrap();
        t.fit(&train, &val, 2).unwrap();
        let m = t.model(&train.class_names);
        h.update(m.weights_sha256());
        for series in [&m.history.loss, &m.history.accuracy, &m.history.val_loss, &m.history.val_accuracy] {
            for v in series.iter() {
                h.update(v.to_le_bytes());
            }
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The recorded (version, hash) pairs, oldest first.
fn recorded() -> Vec<(u32, String)> {
    let text = std::fs::read_to_string(LIST).unwrap_or_else(|e| panic!("{LIST}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (v, h) = l.split_once('\t').unwrap_or_else(|| panic!("{LIST}: not `version<TAB>hash`: {l:?}"));
            (v.trim().parse().unwrap_or_else(|_| panic!("{LIST}: bad version {v:?}")), h.trim().to_string())
        })
        .collect()
}

#[test]
fn the_golden_run_matches_the_hash_recorded_for_this_training_version() {
    let list = recorded();
    assert!(list.windows(2).all(|w| w[0].0 < w[1].0), "{LIST}: versions must increase (the list is append-only)");
    let hash = golden_hash();
    let (last, want) = list.last().unwrap_or_else(|| panic!("{LIST} is empty: append `{TRAINING_VERSION}\t{hash}`"));
    assert!(
        *last == TRAINING_VERSION,
        "TRAINING_VERSION is {TRAINING_VERSION} but the last version in {LIST} is {last}: append `{TRAINING_VERSION}\t{hash}`"
    );
    assert!(
        *want == hash,
        "training behaviour changed: the golden run now hashes to {hash}, version {TRAINING_VERSION} recorded {want}.\n\
         If the change is intended, bump TRAINING_VERSION in src/train/version.rs and append \
         `{}\t{hash}` to {LIST} (this also gives every cached run a new key).",
        TRAINING_VERSION + 1
    );
}

/// Runs `f` on a rayon pool of `threads` threads (our kernels and burn's CPU ops use the pool
/// they are called from).
fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

/// model1 at the recipes' batch size, on real-sized batches, so that every operation sees the
/// shapes at which a parallel split could change the order of a sum.
fn model1_hash() -> String {
    let (train, val) = (random_dataset(384, 3), random_dataset(128, 4));
    let mut t = Trainer::new(TrainConfig::preset("model1").unwrap().with_epochs(1).quiet(), &cpu()).unwrap();
    t.fit(&train, &val, 1).unwrap();
    t.model(&train.class_names).weights_sha256()
}

#[test]
fn training_gives_the_same_weights_on_one_two_and_three_threads() {
    let one = on_threads(1, || (golden_hash(), model1_hash()));
    for n in [2, 3] {
        assert_eq!(on_threads(n, || (golden_hash(), model1_hash())), one, "{n} threads differ from one");
    }
}

/// burn's CPU backend has one random stream per process; two trainings at once must still each
/// give their solo result (the trainer takes turns on the stream).
#[test]
fn trainings_in_parallel_threads_give_their_solo_results() {
    let solo = (golden_hash(), model1_hash());
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(golden_hash);
        let b = s.spawn(model1_hash);
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!((a, b), solo);
}
