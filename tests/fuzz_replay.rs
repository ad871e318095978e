//! Replays what the fuzzers found (fuzz/regressions: inputs that once crashed, hung or
//! over-allocated) and their minimised corpora (fuzz/corpus/TARGET.tar.gz, packed so that
//! thousands of small files stay out of the tree) through the same entry points the fuzz targets
//! call, so `cargo test` keeps every fix without fuzzing. `make fuzz` fuzzes.

use cnn_lab::lab::fuzz::{run, seeds, Target};
use std::path::Path;

fn fuzz_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every file under `fuzz/regressions/<target>/`.
fn regressions(t: Target) -> Vec<(String, Vec<u8>)> {
    let dir = fuzz_dir().join("regressions").join(t.name());
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files.into_iter().map(|p| (p.display().to_string(), std::fs::read(&p).unwrap())).collect()
}

/// Every file in `fuzz/corpus/<target>.tar.gz`.
fn corpus(t: Target) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let pack = fuzz_dir().join("corpus").join(format!("{}.tar.gz", t.name()));
    let Ok(file) = std::fs::File::open(&pack) else { return Vec::new() };
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.header().entry_type().is_file() {
            let name = format!("{}:{}", pack.display(), entry.path().unwrap().display());
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            out.push((name, bytes));
        }
    }
    out
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
    for t in Target::ALL {
        let corpus = corpus(t);
        assert!(!corpus.is_empty(), "no corpus for {} in fuzz/corpus", t.name());
        for (name, bytes) in regressions(t).into_iter().chain(corpus) {
            // A panic here fails the test; the name says which input it was.
            let r = std::panic::catch_unwind(|| run(t, &bytes));
            assert!(r.is_ok(), "{name} panicked");
        }
    }
}
