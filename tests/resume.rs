//! Interrupted runs resume to the same result, and concurrent runs never mix: real child
//! processes (this test binary re-run as `child`) train through `train_or_load`, are killed with
//! SIGKILL at chosen points, and are started again.

use cnn_lab::lab::bench::random_dataset;
use cnn_lab::prelude::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const EPOCHS: usize = 6;

/// The run every child trains: BatchNorm, dropout, augmentation and a cosine schedule, so the
/// optimiser state, running statistics and every random stream must survive a restart.
fn config() -> TrainConfig {
    TrainConfig::preset("gap")
        .unwrap()
        .with_epochs(EPOCHS)
        .with_batch_size(64)
        .with_augment(Augment::KERAS)
        .with_cosine_decay(1e-5)
        .with_early_stopping(EPOCHS, true)
}

/// A learnable toy task: the label is which quarter of the image is bright.
fn toy(n: usize, seed: u64) -> Dataset {
    let mut ds = random_dataset(n, seed);
    for i in 0..n {
        let q = (i % 4) as u8;
        ds.labels[i] = q;
        for (k, p) in ds.images[i * 784..(i + 1) * 784].iter_mut().enumerate() {
            let quarter = (k / 28 / 14) * 2 + (k % 28) / 14;
            *p = if quarter == q as usize { 200 + *p % 56 } else { *p % 40 };
        }
    }
    ds
}

/// Run in a child process by the tests below (`CNN_LAB_RUNS` names its run cache): trains or
/// loads the run and prints its weights' hash and history.
#[test]
#[ignore = "started as a child process by the other tests"]
fn child() {
    let (train, val) = (toy(512, 1), toy(128, 2));
    let m = cnn_lab::lab::train_or_load_on(&config(), &train, &val, &cpu()).unwrap();
    let h = &m.history;
    println!("weights-sha256 {}", m.weights_sha256());
    println!("history {:?} {:?} {:?} {:?}", h.loss, h.accuracy, h.val_loss, h.val_accuracy);
}

/// Start `child` with its run cache in `runs`.
fn spawn(runs: &Path) -> Child {
    spawn_with(runs, Stdio::inherit())
}

fn spawn_with(runs: &Path, stderr: Stdio) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--ignored", "--nocapture", "--test-threads", "1"])
        .env("CNN_LAB_RUNS", runs)
        .env("RAYON_NUM_THREADS", "2")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// Read the child's lines until one contains `prefix`; returns everything read so far.
fn read_until(child: &mut Child, prefix: &str) -> Vec<String> {
    let out = child.stdout.as_mut().unwrap();
    let mut seen = Vec::new();
    for line in BufReader::new(out).lines() {
        let line = line.unwrap();
        let done = line.contains(prefix);
        seen.push(line);
        if done {
            return seen;
        }
    }
    panic!("child ended before printing {prefix:?}: {seen:?}");
}

/// Let the child finish; returns its `weights` and `history` lines and all of its output.
fn finish(child: Child) -> (String, String, String) {
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "child failed: {text}");
    let line = |p: &str| text.lines().find(|l| l.contains(p)).unwrap_or_else(|| panic!("no {p:?} in {text}")).to_string();
    (line("weights-sha256 "), line("history "), text)
}

fn kill(mut child: Child) {
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir).map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == ext)).collect()).unwrap_or_default()
}

#[test]
fn killed_runs_resume_to_the_same_weights() {
    let d = tempfile::tempdir().unwrap();
    let (whole, cut) = (d.path().join("whole"), d.path().join("cut"));
    let (w_ref, h_ref, _) = finish(spawn(&whole));

    // Killed right after epoch 2's line: its backup is written, epoch 3 has begun.
    let mut c = spawn(&cut);
    read_until(&mut c, "epoch 2/6:");
    kill(c);
    assert_eq!(files(&cut, "backup").len(), 1, "a backup after epoch 2");
    assert!(files(&cut, "cnnlab").is_empty(), "no cache entry from a killed run");

    // Resumed, then killed again in the middle of an epoch (half an epoch after epoch 3 ended).
    let mut c = spawn(&cut);
    let lines = read_until(&mut c, "epoch 3/6:");
    assert!(lines.iter().any(|l| l.contains("resuming") && l.contains("after epoch 2 of 6")), "{lines:?}");
    let secs: f64 = lines.last().unwrap().split('(').nth(1).and_then(|s| s.split(' ').next()).and_then(|s| s.parse().ok()).unwrap();
    std::thread::sleep(Duration::from_secs_f64(secs / 2.0));
    kill(c);

    let (w, h, text) = finish(spawn(&cut));
    assert!(text.contains("resuming"), "{text}");
    assert_eq!(w, w_ref, "resumed weights differ from the uninterrupted run's");
    assert_eq!(h, h_ref, "resumed history differs");
    assert!(files(&cut, "backup").is_empty(), "the backup is removed when the run completes");
    assert_eq!(files(&cut, "cnnlab").len(), 1);
}

#[test]
fn two_processes_asking_for_one_run_train_it_once() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (spawn(d.path()), spawn(d.path()));
    let ((wa, ha, ta), (wb, hb, tb)) = (finish(a), finish(b));
    assert_eq!((wa, ha), (wb, hb));
    // Training prints `epoch 1/6: …`; loading prints the stored log indented by two spaces.
    let trained = [&ta, &tb].iter().filter(|t| t.lines().any(|l| l.contains("epoch 1/6:") && !l.starts_with("  "))).count();
    assert_eq!(trained, 1, "exactly one process trains:\n{ta}\n---\n{tb}");
    assert!([&ta, &tb].iter().any(|t| t.contains("loaded from the run cache")), "the other loads its result");
    assert_eq!(files(d.path(), "cnnlab").len(), 1);
    assert!(files(d.path(), "backup").is_empty() && files(d.path(), "lock").is_empty(), "backup and lock file removed");
}

#[test]
fn a_corrupt_backup_is_reported_and_training_starts_over() {
    let d = tempfile::tempdir().unwrap();
    let mut c = spawn(d.path());
    read_until(&mut c, "epoch 1/6:");
    kill(c);
    let backup = files(d.path(), "backup").pop().expect("a backup");
    let mut b = std::fs::read(&backup).unwrap();
    let mid = b.len() / 2;
    b[mid] ^= 1;
    std::fs::write(&backup, b).unwrap();
    let e = Trainer::from_backup(config(), &backup, &cpu()).err().expect("a corrupt backup is refused");
    assert!(e.to_string().contains("corrupt resume backup: checksum mismatch") && e.to_string().contains(".backup"), "{e}");
    let out = spawn_with(d.path(), Stdio::piped()).wait_with_output().unwrap();
    let (text, err) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}{err}");
    assert!(err.contains("ignoring unusable resume backup") && err.contains("checksum mismatch"), "{err}");
    assert!(text.contains("epoch 1/6:") && !text.contains("resuming"), "{text}");
    assert!(files(d.path(), "backup").is_empty());
}
