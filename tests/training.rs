//! Training behaviour on tiny generated data: determinism, continued fits, save/load,
//! the run cache, early stopping and checkpoints; plus checks on real Fashion-MNIST when
//! it is installed.

use cnn_lab::lab::bench::random_dataset;
use cnn_lab::eval::{mistakes, predicted};
use cnn_lab::prelude::*;
use cnn_lab::train::ModelCheckpoint;

/// burn's device RNG is global: tests that train in parallel threads would interleave their
/// draws (weights, dropout masks) and break bit-for-bit determinism. Each test holds this lock.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Histories after a trip through the model file's JSON header: serde_json's default float
/// parser can be one unit in the last place off, so compare to 1e-14 relative.
fn assert_same_history(a: &History, b: &History) {
    let close = |x: &[f64], y: &[f64]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p == q || (p - q).abs() <= 1e-14 * p.abs().max(q.abs()));
    assert!(
        close(&a.loss, &b.loss) && close(&a.accuracy, &b.accuracy) && close(&a.val_loss, &b.val_loss) && close(&a.val_accuracy, &b.val_accuracy) && close(&a.seconds, &b.seconds),
        "{a:?} != {b:?}"
    );
}

fn small_cfg(preset: &str) -> TrainConfig {
    TrainConfig::preset(preset).unwrap().with_batch_size(32).quiet()
}

/// A learnable toy task: the label is which quarter of the image is bright.
fn toy(n: usize, seed: u64) -> Dataset {
    let mut ds = random_dataset(n, seed);
    for i in 0..n {
        let q = (i % 4) as u8;
        ds.labels[i] = q;
        let img = &mut ds.images[i * 784..(i + 1) * 784];
        for (k, p) in img.iter_mut().enumerate() {
            let (r, c) = (k / 28, k % 28);
            let quarter = (r / 14) * 2 + c / 14;
            *p = if quarter == q as usize { 200 + *p % 56 } else { *p % 40 };
        }
    }
    ds
}

#[test]
fn same_seed_same_weights_and_history_bit_for_bit() {
    let _guard = serial();
    let ds = random_dataset(96, 5);
    let val = random_dataset(32, 6);
    let run = || {
        let mut t = Trainer::new(small_cfg("model2"), &cpu()).unwrap();
        t.fit(&ds, &val, 2).unwrap();
        let m = t.model(&ds.class_names);
        (m.history.clone(), m.net.weights("dense").unwrap().0)
    };
    let (h1, w1) = run();
    let (h2, w2) = run();
    assert_eq!(h1.loss, h2.loss);
    assert_eq!(h1.val_accuracy, h2.val_accuracy);
    assert_eq!(w1, w2);
    // A different seed gives different weights (the test can fail).
    let mut t = Trainer::new(small_cfg("model2").with_seed(7), &cpu()).unwrap();
    t.fit(&ds, &val, 2).unwrap();
    assert_ne!(t.model(&ds.class_names).net.weights("dense").unwrap().0, w1);
}

#[test]
fn learns_a_toy_task_and_continues_history() {
    let _guard = serial();
    let train = toy(256, 1);
    let val = toy(64, 2);
    let mut t = Trainer::new(small_cfg("model1"), &cpu()).unwrap();
    let h1 = t.fit(&train, &val, 2).unwrap();
    let h2 = t.fit(&train, &val, 1).unwrap();
    assert_eq!((h1.epochs(), h2.epochs(), t.history.epochs()), (2, 1, 3));
    assert_eq!(t.history.loss[2], h2.loss[0]);
    let m = t.model(&train.class_names);
    let acc = m.evaluate(&val).unwrap().accuracy;
    assert!(acc > 0.9, "toy accuracy {acc}");
}

#[test]
fn save_load_roundtrip_predicts_the_same() {
    let _guard = serial();
    let ds = toy(64, 3);
    let mut t = Trainer::new(small_cfg("gap"), &cpu()).unwrap();
    t.fit(&ds, &ds, 1).unwrap();
    let m = t.model(&ds.class_names);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.cnnlab");
    m.save(&p).unwrap();
    let back = TrainedModel::load(&p, &cpu()).unwrap();
    assert_same_history(&back.history, &m.history);
    assert_eq!(back.class_names, m.class_names);
    assert_eq!(back.predict(&ds).unwrap(), m.predict(&ds).unwrap());
}

#[test]
fn train_or_load_reuses_the_cached_run() {
    let _guard = serial();
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("CNN_LAB_RUNS", dir.path());
    let ds = toy(64, 4);
    let cfg = small_cfg("model2").with_epochs(1);
    let a = cnn_lab::lab::train_or_load_on(&cfg, &ds, &ds, &cpu()).unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1);
    let b = cnn_lab::lab::train_or_load_on(&cfg, &ds, &ds, &cpu()).unwrap();
    // Same history, including the recorded seconds: it was loaded, not retrained.
    assert_same_history(&a.history, &b.history);
    let c = cnn_lab::lab::train_or_load_on(&cfg.clone().with_seed(9), &ds, &ds, &cpu()).unwrap();
    assert_ne!(c.history.seconds, a.history.seconds);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    // Retrained on purpose: the same weights (training is deterministic), a new entry.
    let r = cnn_lab::lab::retrain(&cfg, &ds, &ds).unwrap();
    assert_eq!(r.weights_sha256(), a.weights_sha256());
    assert_ne!(r.history.seconds, a.history.seconds);
    let again = cnn_lab::lab::train_or_load_on(&cfg, &ds, &ds, &cpu()).unwrap();
    assert_eq!(again.history.seconds, r.history.seconds, "the cache now holds the retrained run");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    let log = r.history.log_lines();
    assert_eq!(log.len(), 1);
    assert!(log[0].starts_with("epoch 1/1: loss ") && log[0].contains(" val_acc "), "{log:?}");
    std::env::remove_var("CNN_LAB_RUNS");
}

#[test]
fn early_stopping_and_best_only_checkpoints() {
    let _guard = serial();
    let dir = tempfile::tempdir().unwrap();
    let train = random_dataset(64, 8); // random labels: validation loss will not keep improving
    let val = random_dataset(64, 9);
    let cfg = small_cfg("model1").with_lr(0.01).with_early_stopping(1, true);
    let mut t = Trainer::new(cfg, &cpu()).unwrap();
    t.add_callback(ModelCheckpoint::new(dir.path(), true));
    let h = t.fit(&train, &val, 12).unwrap();
    assert!(h.epochs() < 12, "early stopping never triggered: {:?}", h.val_loss);
    // Keras' rule: stop once `patience` (1) epochs in a row fail to improve on the best.
    let best_epoch = h.best_epoch().unwrap() + 1;
    assert_eq!(h.epochs(), best_epoch + 1, "{:?}", h.val_loss);
    assert!(t.stopped());
    let saved = std::fs::read_dir(dir.path()).unwrap().count();
    let improvements = (0..h.epochs()).filter(|&i| h.val_loss[..i].iter().all(|&v| h.val_loss[i] < v)).count();
    assert_eq!(saved, improvements);
    // Restore-best: the model now scores the best validation loss seen.
    let best = h.val_loss.iter().cloned().fold(f64::INFINITY, f64::min);
    let now = t.model(&train.class_names).evaluate(&val).unwrap().loss;
    assert!((now - best).abs() < 1e-5, "{now} vs {best}");
}

#[test]
fn l2_penalty_only_where_asked() {
    let _guard = serial();
    let d = ModelSpec::preset("digits").unwrap().build(&cpu());
    let p = cnn_lab::model::tensor_to_vec(d.l2_penalty().unwrap())[0];
    assert!(p > 0.0);
    assert!(ModelSpec::preset("model1").unwrap().build(&cpu()).l2_penalty().is_none());
}

#[test]
fn built_modules_have_the_spec_parameter_counts() {
    let _guard = serial();
    use burn::module::Module;
    for p in ModelSpec::PRESETS {
        let spec = ModelSpec::preset(p).unwrap();
        // burn counts BatchNorm's running statistics too (Keras' "non-trainable"); the
        // Normalization numbers live in the input pipeline, not in the module.
        let expected: usize = spec.rows().unwrap().iter().filter(|r| r.kind != "normalization").map(|r| r.trainable + r.non_trainable).sum();
        assert_eq!(spec.build(&cpu()).num_params(), expected, "{p}");
    }
}

#[test]
fn classify_light_and_dark_backgrounds() {
    let _guard = serial();
    let dir = tempfile::tempdir().unwrap();
    // A dark bar on white, and the same bar light on black: both become light-on-black.
    let mut light = image::GrayImage::from_pixel(60, 40, image::Luma([250]));
    let mut dark = image::GrayImage::from_pixel(60, 40, image::Luma([5]));
    for y in 10..30 {
        for x in 25..35 {
            light.put_pixel(x, y, image::Luma([10]));
            dark.put_pixel(x, y, image::Luma([245]));
        }
    }
    let (pl, pd) = (dir.path().join("light.png"), dir.path().join("dark.jpg"));
    light.save(&pl).unwrap();
    dark.save(&pd).unwrap();
    let a = cnn_lab::inspect::prepare_image(&pl, 28).unwrap();
    let b = cnn_lab::inspect::prepare_image(&pd, 28).unwrap();
    assert!(a.inverted && !b.inverted);
    assert_eq!(a.pixels.len(), 784);
    // Centre is bright, corner is dark, in both.
    for img in [&a, &b] {
        assert!(img.pixels[14 * 28 + 14] > 180, "centre {}", img.pixels[14 * 28 + 14]);
        assert!(img.pixels[0] < 40);
    }
}

/// Real Fashion-MNIST, when installed (`make test` installs the Debian package).
#[test]
fn real_fashion_mnist_when_installed() {
    let _guard = serial();
    let Ok(dir) = cnn_lab::data::locate_fashion_mnist() else {
        eprintln!("Fashion-MNIST not installed: skipping");
        return;
    };
    let train = cnn_lab::data::read_idx_pair(
        dir.join("train-images-idx3-ubyte.gz"),
        dir.join("train-labels-idx1-ubyte.gz"),
        &cnn_lab::data::FASHION_CLASSES,
    )
    .unwrap();
    assert_eq!(train.len(), 60_000);
    assert_eq!((train.rows, train.cols), (28, 28));
    assert!(train.class_counts().iter().all(|&c| c == 6_000));
    // A short real training run learns far beyond chance (10 %).
    let small = train.subset(3_000);
    let (tr, val) = small.split(0.2, 1, true).unwrap();
    let mut t = Trainer::new(small_cfg("model1"), &cpu()).unwrap();
    t.fit(&tr, &val, 1).unwrap();
    let acc = t.model(&tr.class_names).evaluate(&val).unwrap().accuracy;
    assert!(acc > 0.6, "accuracy {acc}");
}

#[test]
fn tensorboard_event_log_holds_every_epoch() {
    let _guard = serial();
    let dir = tempfile::tempdir().unwrap();
    let (train, val) = (toy(64, 1), toy(32, 2));
    let cfg = small_cfg("model1").quiet();
    let mut t = Trainer::new(cfg, &cpu()).unwrap();
    t.add_callback(cnn_lab::integrations::tensorboard::TensorBoard::new(dir.path(), "model1").unwrap());
    t.fit(&train, &val, 2).unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("model1.out.tfevents."), "{name}");
    let bytes = std::fs::read(&files[0]).unwrap();
    // TFRecord framing: u64 length, u32 masked CRC, payload, u32 masked CRC. Per epoch 5 scalars, 10 histograms (model1: 5 layers with kernel and bias) and one
    // image. (`make test` also reads such a file with TensorBoard's own reader.)
    let (mut off, mut records) = (0usize, 0usize);
    while off < bytes.len() {
        let len = u64::from_le_bytes(bytes[off..off + 8].try_into().unwrap()) as usize;
        off += 12 + len + 4;
        records += 1;
    }
    assert_eq!(off, bytes.len());
    assert_eq!(records, 2 * (5 + 10 + 1));
    let text = String::from_utf8_lossy(&bytes);
    for tag in ["val_accuracy", "conv2d_2/kernel", "dense_1/bias", "predictions", "PNG"] {
        assert!(text.contains(tag), "{tag} missing");
    }
    // Read back by kind, checksums verified.
    let sum = cnn_lab::integrations::tensorboard::EventSummary::read(&files[0]).unwrap();
    assert_eq!(sum, cnn_lab::integrations::tensorboard::EventSummary::read_dir(dir.path()).unwrap());
    let empty = tempfile::tempdir().unwrap();
    assert!(cnn_lab::integrations::tensorboard::EventSummary::read_dir(empty.path()).unwrap_err().to_string().contains("no TensorBoard event file"));
    assert_eq!(sum.last_step, 2);
    assert_eq!(sum.scalars, ["loss", "accuracy", "val_loss", "val_accuracy", "seconds"]);
    assert_eq!(sum.histograms.len(), 10);
    assert_eq!(sum.images, ["predictions"]);
    // A damaged file is an error naming it, not a panic.
    let bad = dir.path().join("bad.tfevents");
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    let mut flipped = bytes.clone();
    flipped[20] ^= 0xff;
    std::fs::write(dir.path().join("flipped.tfevents"), &flipped).unwrap();
    for f in [bad, dir.path().join("flipped.tfevents")] {
        let e = cnn_lab::integrations::tensorboard::EventSummary::read(&f).unwrap_err().to_string();
        assert!(e.contains(&*f.file_name().unwrap().to_string_lossy()), "{e}");
    }
}

#[test]
fn sample_images_are_prepared_with_the_right_inversion() {
    let _guard = serial();
    let files = cnn_lab::data::sample_images().unwrap();
    assert!(files.len() >= 9, "{files:?}");
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let img = cnn_lab::inspect::prepare_image(&f, 28).unwrap();
        assert_eq!(img.inverted, name.contains("on_white"), "{name}");
        assert_eq!(img.pixels.len(), 784);
        // After preparation the drawings' borders are dark, like the datasets' backgrounds (the
        // photographs' backgrounds are textured: sky and grass, a purple cloth).
        if !name.starts_with("photo_") {
            assert!(img.pixels[0] < 40 && img.pixels[783] < 40, "{name}");
        }
    }
}

#[test]
fn restore_best_brings_back_that_epochs_batchnorm_statistics() {
    let _guard = serial();
    // Random labels: validation loss is best early and then worsens, so the restored epoch is not
    // the last one; the restored model must then equal the best-only checkpoint, BatchNorm
    // running statistics included.
    let train = random_dataset(128, 11);
    let val = random_dataset(64, 12);
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_cfg("gap").with_lr(3e-3).with_early_stopping(10, true);
    let mut t = Trainer::new(cfg, &cpu()).unwrap();
    t.add_callback(ModelCheckpoint::new(dir.path(), true));
    let h = t.fit(&train, &val, 6).unwrap();
    let best = h.best_epoch().unwrap();
    assert!(best + 1 < h.epochs(), "best epoch {best} of {}: the test needs an earlier best", h.epochs());
    let ck = dir.path().join(format!("gap_epoch{:03}.cnnlab", best + 1));
    let from_ck = TrainedModel::load(&ck, &cpu()).unwrap().evaluate(&val).unwrap();
    let restored = t.model(&train.class_names).evaluate(&val).unwrap();
    assert_eq!(restored, from_ck);
    assert!((restored.loss - h.val_loss[best]).abs() < 1e-9);
}

#[test]
fn cosine_decay_changes_training_and_a_flat_one_does_not() {
    let _guard = serial();
    let train = toy(128, 3);
    let val = toy(32, 4);
    let run = |cfg: TrainConfig| {
        let mut t = Trainer::new(cfg, &cpu()).unwrap();
        t.fit(&train, &val, 2).unwrap();
        t.model(&train.class_names).net.weights("dense").unwrap().0
    };
    let constant = run(small_cfg("model1").with_epochs(2));
    // Decaying from lr to lr is the constant schedule, step for step.
    assert_eq!(run(small_cfg("model1").with_epochs(2).with_cosine_decay(1e-3)), constant);
    let decayed = run(small_cfg("model1").with_epochs(2).with_cosine_decay(0.0));
    assert_ne!(decayed, constant);
}

#[test]
fn mirror_averaging_sees_mirror_images() {
    let _guard = serial();
    let train = toy(256, 1);
    let mut t = Trainer::new(small_cfg("model1"), &cpu()).unwrap();
    t.fit(&train, &toy(64, 2), 2).unwrap();
    let m = t.model(&train.class_names);
    // Mirroring swaps the left and right quarters (0 <-> 1, 2 <-> 3), and the network says so.
    let val = toy(64, 3);
    let swapped = predicted(&m.predict(&val.mirrored()).unwrap());
    let agree = swapped.iter().zip(&val.labels).filter(|(p, &l)| **p == (l ^ 1) as usize).count();
    assert!(agree > 57, "{agree} of 64 mirrored images read as the mirrored quarter");
    // On images that are their own mirror image, averaging changes nothing.
    let mut sym = val.clone();
    for row in sym.images.chunks_mut(28) {
        for c in 0..14 {
            row[27 - c] = row[c];
        }
    }
    let (plain, avg) = (m.predict(&sym).unwrap(), m.predict_with(&sym, PredictOptions { mirror: true }).unwrap());
    assert!(plain.iter().flatten().zip(avg.iter().flatten()).all(|(a, b)| (a - b).abs() < 1e-6));
    assert_eq!(m.evaluate(&sym).unwrap().accuracy, m.evaluate_with(&sym, PredictOptions { mirror: true }).unwrap().accuracy);
    // On the toy images themselves, the two views disagree: averaging costs accuracy.
    assert!(m.evaluate_with(&val, PredictOptions { mirror: true }).unwrap().accuracy < m.evaluate(&val).unwrap().accuracy);
}

#[test]
fn ensemble_averages_its_members() {
    let _guard = serial();
    let train = toy(256, 1);
    let fit = |seed| {
        let mut t = Trainer::new(small_cfg("model1").with_seed(seed), &cpu()).unwrap();
        t.fit(&train, &toy(64, 2), 1).unwrap();
        t.model(&train.class_names)
    };
    let (a, b) = (fit(1), fit(2));
    let val = toy(64, 3);
    let (pa, pb) = (a.predict(&val).unwrap(), b.predict(&val).unwrap());
    assert_eq!(predict_ensemble(&[&a], &val).unwrap(), pa);
    let both = predict_ensemble(&[&a, &b], &val).unwrap();
    assert_ne!(pa, pb, "different seeds, different networks");
    for ((x, y), z) in pa.iter().flatten().zip(pb.iter().flatten()).zip(both.iter().flatten()) {
        assert!((0.5 * (x + y) - z).abs() < 1e-6);
    }
    // The ensemble is wrong only where at least one member is.
    let (ma, mb) = (mistakes(&pa, &val.labels), mistakes(&pb, &val.labels));
    assert!(mistakes(&both, &val.labels).iter().all(|i| ma.contains(i) || mb.contains(i)));
    // A dataset that does not fit a member is an error, not a panic.
    let small = Dataset::new(vec![0; 20 * 20], vec![0], 20, 20, val.class_names.clone()).unwrap();
    assert!(predict_ensemble(&[&a, &b], &small).is_err());
    assert!(predict_ensemble(&[], &val).is_err());
}

/// Records what a user's callback sees.
#[derive(Default)]
struct Seen {
    begins: Vec<(usize, usize, usize)>,
    batches: usize,
    epochs: Vec<(usize, f64, bool)>,
    ends: usize,
}

struct Recorder(std::rc::Rc<std::cell::RefCell<Seen>>);

impl cnn_lab::train::Callback for Recorder {
    fn on_epoch_begin(&mut self, epoch: usize, epochs: usize, batches: usize) {
        self.0.borrow_mut().begins.push((epoch, epochs, batches));
    }
    fn on_batch_end(&mut self, b: &cnn_lab::train::BatchEnd) {
        assert!(b.batch >= 1 && b.batch <= b.batches && b.loss.is_finite());
        self.0.borrow_mut().batches += 1;
    }
    fn on_epoch_end(&mut self, t: &mut Trainer, e: &cnn_lab::train::EpochEnd) -> Result<()> {
        assert_eq!(t.epochs_done(), e.epoch);
        self.0.borrow_mut().epochs.push((e.epoch, e.val_loss, e.improved));
        if e.epoch == 3 {
            t.request_stop();
        }
        Ok(())
    }
    fn on_train_end(&mut self, _: &mut Trainer) -> Result<()> {
        self.0.borrow_mut().ends += 1;
        Ok(())
    }
}

#[test]
fn user_callbacks_see_every_hook_and_can_stop_training() {
    let _guard = serial();
    let ds = toy(96, 5);
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Seen::default()));
    let mut t = Trainer::new(small_cfg("model1"), &cpu()).unwrap();
    t.add_callback(Recorder(seen.clone()));
    let h = t.fit(&ds, &ds.subset(32), 5).unwrap();
    {
        let s = seen.borrow();
        assert_eq!(s.begins, vec![(1, 5, 3), (2, 5, 3), (3, 5, 3)]);
        assert_eq!((s.batches, s.ends), (9, 1));
        assert_eq!(s.epochs.iter().map(|e| e.1).collect::<Vec<_>>(), h.val_loss);
        assert!(s.epochs[0].2, "the first epoch is always an improvement");
    }
    assert!(t.stopped() && h.epochs() == 3);
    // The callback stays for the next fit, which continues the epoch count.
    t.fit(&ds, &ds.subset(32), 1).unwrap();
    assert_eq!(seen.borrow().begins.last(), Some(&(4, 4, 3)));
    assert_eq!(seen.borrow().ends, 2);
}

/// A padded network pads with what a black pixel becomes under its normalisation, trained and
/// after a save and load: a black image stays one value through the `Pad` layer.
#[test]
fn padding_uses_the_background_of_every_normalisation() {
    let _guard = serial();
    let black = Dataset::new(vec![0; 784], vec![0], 28, 28, FASHION_CLASSES.iter().map(|s| s.to_string()).collect()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for norm in [Normalization::Unit, Normalization::Centered, Normalization::Standardize { mean: 33.0, std: 77.0 }] {
        let t = Trainer::new(TrainConfig::preset("model3").unwrap().with_normalization(norm).quiet(), &cpu()).unwrap();
        let path = dir.path().join("m.cnnlab");
        t.model(&black.class_names).save(&path).unwrap();
        for m in [t.model(&black.class_names), TrainedModel::load(&path, &cpu()).unwrap()] {
            let padded = m.layer_vectors(&black, 0).unwrap().remove(0);
            assert_eq!(padded.len(), 36 * 36);
            let bg = norm.apply(0.0);
            assert!(padded.iter().all(|&v| v == bg), "{norm:?}: padded with {:?}, background {bg}", padded.iter().find(|&&v| v != bg));
        }
    }
}

#[test]
fn comparison_tables_count_and_average_what_they_show() {
    let _guard = serial();
    let train = toy(256, 1);
    let val = toy(64, 3);
    let models: Vec<TrainedModel> = [1u64, 2]
        .iter()
        .map(|&seed| {
            let mut t = Trainer::new(small_cfg("model1").with_seed(seed), &cpu()).unwrap();
            t.fit(&train, &toy(64, 2), 1).unwrap();
            t.model(&train.class_names)
        })
        .collect();
    let acc: Vec<f64> = models.iter().map(|m| 100.0 * m.evaluate(&val).unwrap().accuracy).collect();
    let loss: Vec<f64> = models.iter().map(|m| m.evaluate(&val).unwrap().loss).collect();
    let (mean, sd) = cnn_lab::eval::stats::mean_sd(&acc);
    let (lm, ls) = cnn_lab::eval::stats::mean_sd(&loss);
    let seeds = cnn_lab::lab::results::seeds_table(&[("toy", &models[..])], &val).unwrap().0;
    assert!(seeds.contains(&format!("| toy | 2 | {:.2} %, {:.2} % | {mean:.2} ± {sd:.2} % | {lm:.3} ± {ls:.3} |", acc[0], acc[1])), "{seeds}");
    let t = Interpretation::new(&models[1], &val).unwrap().mcnemar(&Interpretation::new(&models[0], &val).unwrap()).unwrap();
    let table = cnn_lab::eval::mcnemar_table("first", &models[0], &[("second", &models[1])], &val).unwrap().0;
    assert!(table.contains(&format!("| second | {} | {} | {} |", t.only_a, t.only_b, cnn_lab::eval::stats::format_p(t.p_value))), "{table}");
}
