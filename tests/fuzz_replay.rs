//! Replays what the fuzzers found (fuzz/regressions: inputs that once crashed, hung or
//! over-allocated) and their minimised corpora (fuzz/corpus) through the same entry points the
//! fuzz targets call, so `cargo test` keeps every fix without fuzzing. `make fuzz` fuzzes.

use cnn_lab::lab::fuzz::{run, seeds, Target};
use std::path::Path;

/// Every file under `fuzz/<kind>/<target>/`.
fn inputs(kind: &str, t: Target) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(kind).join(t.name());
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files.into_iter().map(|p| (p.display().to_string(), std::fs::read(&p).unwrap())).collect()
}

#[test]
fn seeds_are_accepted() {
    // A seed the reader refuses would start the fuzzer from the error path only.
    for t in Target::ALL {
        for (name, bytes) in seeds(t).unwrap() {
            if let Err(e) = run(t, &bytes) {
                panic!("{} seed {name} refused: {e}", t.name());
            }
        }
    }
}

#[test]
fn regressions_and_corpus_replay_without_panics() {
    let mut n = 0;
    for t in Target::ALL {
        for kind in ["regressions", "corpus"] {
            for (name, bytes) in inputs(kind, t) {
                // A panic here fails the test and names the file (the harness prints it).
                eprintln!("{name}");
                let _ = run(t, &bytes);
                n += 1;
            }
        }
    }
    assert!(n > 0, "no fuzz inputs found under fuzz/corpus or fuzz/regressions");
}
