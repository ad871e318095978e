//! The GPU's way of feeding batches ([`Feed::Resident`]: training set kept on the device, loss
//! summed there, few reads), checked on the CPU against the host feed whose results are the
//! committed ones: the same pixels and so the same weights, and far fewer device reads.

use cnn_lab::lab::bench::random_dataset;
use cnn_lab::model::tensor::device_reads;
use cnn_lab::prelude::*;
use cnn_lab::train::feed::{AugmentOn, Feed, READ_EVERY};
use std::sync::Mutex;

/// The read counter is process-wide: tests that count take turns.
static COUNTING: Mutex<()> = Mutex::new(());

struct Run {
    weights: String,
    loss: Vec<f64>,
    accuracy: Vec<f64>,
    val_loss: Vec<f64>,
    reads: usize,
}

fn train(cfg: TrainConfig, feed: Feed, train: &Dataset, val: &Dataset, epochs: usize) -> Run {
    let _turn = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
    let mut t = Trainer::new(cfg.quiet(), &cpu()).unwrap();
    t.set_feed(feed);
    let before = device_reads();
    t.fit(train, val, epochs).unwrap();
    let reads = device_reads() - before;
    let m = t.model(&train.class_names);
    Run { weights: m.weights_sha256(), loss: m.history.loss, accuracy: m.history.accuracy, val_loss: m.history.val_loss, reads }
}

#[test]
fn the_resident_feed_trains_the_same_weights_as_the_host_feed() {
    let (tr, val) = (random_dataset(96, 1), random_dataset(40, 2));
    let configs = [
        // Keras-style augmentation (interpolated), cosine schedule.
        TrainConfig::preset("gap").unwrap().with_cosine_decay(0.0).with_augment(Augment::KERAS),
        // Dropout (the device's random stream) and mirror/crop augmentation.
        TrainConfig::preset("model2").unwrap().with_augment(Augment::MIRROR_CROP),
        // No augmentation: batches gathered and unpacked on the device.
        TrainConfig::preset("model1").unwrap(),
    ];
    for cfg in configs {
        let cfg = cfg.with_batch_size(16).with_epochs(2);
        let host = train(cfg.clone(), Feed::Host, &tr, &val, 2);
        for augment in [AugmentOn::Thread, AugmentOn::Device] {
            let resident = train(cfg.clone(), Feed::Resident { augment }, &tr, &val, 2);
            let what = format!("{} augmented on the {augment:?}", cfg.spec.name);
            assert_eq!(host.weights, resident.weights, "{what}: the two feeds trained different weights");
            assert_eq!(host.val_loss, resident.val_loss, "{what}");
            // The training loss is summed in f32 on the device instead of f64 on the host.
            for (h, r) in host.loss.iter().zip(&resident.loss) {
                assert!((h - r).abs() < 1e-5 * h.abs().max(1.0), "{what}: loss {h} vs {r}");
            }
            assert_eq!(host.accuracy, resident.accuracy, "{what}");
        }
    }
}

#[test]
fn the_resident_feed_reads_from_the_device_once_per_read_interval() {
    let (tr, val) = (random_dataset(16 * (READ_EVERY + 5), 3), random_dataset(30, 4));
    let cfg = TrainConfig::preset("model1").unwrap().with_batch_size(16).with_epochs(1);
    let batches = tr.len() / 16;
    // Validation: one read per inference batch (all 30 images in one).
    let host = train(cfg.clone(), Feed::Host, &tr, &val, 1);
    assert_eq!(host.reads, 2 * batches + 1, "host feed: loss and logits after every step");
    let resident = train(cfg, Feed::RESIDENT, &tr, &val, 1);
    assert_eq!(resident.reads, batches.div_ceil(READ_EVERY) + 1, "resident feed: every {READ_EVERY} steps and at the end");
}

#[test]
fn auto_means_the_host_feed_on_the_cpu() {
    assert_eq!(Feed::Auto.resolve(&cpu()), Feed::Host);
    assert_eq!(Feed::Auto.resolve(&cpu().autodiff()), Feed::Host);
    assert_eq!(Feed::RESIDENT.resolve(&cpu()), Feed::RESIDENT);
}
