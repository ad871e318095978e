//! The crate's layers (see `src/lib.rs`): a module may use modules of lower layers only, and the
//! modules of one layer do not use each other. This test reads every file under `src/` and fails
//! on a `crate::` path that goes the wrong way, naming the file and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level modules from the bottom up. `plot` draws generic charts and knows nothing of the
/// domain, so it sits just above `util`; the binary and `lib.rs` (the prelude) may use anything.
const LAYERS: &[&[&str]] = &[
    &["util"],
    &["kernels", "plot"],
    &["data"],
    &["model"],
    &["train"],
    &["eval", "inspect", "embed"],
    &["figures"],
    &["integrations"],
    &["lab"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a source file belongs to (`src/train/trainer.rs` → `train`), or `None`
/// for `lib.rs` and the binaries.
fn module_of(rel: &Path) -> Option<String> {
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
    let first = parts.next()?;
    if first == "bin" || first == "lib.rs" {
        return None;
    }
    Some(first.trim_end_matches(".rs").to_string())
}

/// Code without comments (a doc link is not an import) and without string literals.
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        match (in_str, c) {
            (false, '/') if chars.peek() == Some(&'/') => break,
            (false, '"') => in_str = true,
            (true, '\\') => {
                chars.next();
            }
            (true, '"') => in_str = false,
            (false, _) => out.push(c),
            (true, _) => {}
        }
    }
    out
}

/// The top-level modules named after `crate::` on a line, `crate::{a::X, b}` groups included.
fn used_modules(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `cnn_lab_crate::`, `$crate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                out.push(name);
            }
        } else {
            out.push(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
        }
    }
    out.retain(|m| !m.is_empty() && m != "self");
    out
}

/// Every import that goes up a layer or sideways within one, as `file:line: a -> b`.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    collect_rs(src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap().to_path_buf();
        let Some(from) = module_of(&rel) else { continue };
        let Some(from_layer) = layer_of(&from) else {
            out.push(format!("src/{}: module `{from}` is in no layer (add it to LAYERS and to src/lib.rs)", rel.display()));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for to in used_modules(&code_of(line)) {
                if to == from {
                    continue;
                }
                let bad = match layer_of(&to) {
                    Some(l) => l >= from_layer,
                    // Re-exports at the crate root (`crate::Result`) are fine; anything else is an
                    // unknown module.
                    None => !matches!(to.as_str(), "Result" | "Error" | "prelude"),
                };
                if bad {
                    out.push(format!("src/{}:{}: `{from}` uses `{to}`", rel.display(), n + 1));
                }
            }
        }
    }
    out
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_rs(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_import_goes_down_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(bad.is_empty(), "imports against the layers of src/lib.rs:\n{}", bad.join("\n"));
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut seen = BTreeMap::new();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().trim_end_matches(".rs").to_string();
        if name != "bin" && name != "lib" {
            seen.insert(name.clone(), layer_of(&name));
        }
    }
    let missing: Vec<&String> = seen.iter().filter(|(_, l)| l.is_none()).map(|(m, _)| m).collect();
    assert!(missing.is_empty(), "modules in no layer: {missing:?}");
    let named: usize = LAYERS.iter().map(|l| l.len()).sum();
    assert_eq!(named, seen.len(), "LAYERS names a module that src/ does not have: {seen:?}");
}

/// The check itself fails on a planted upward import, a sideways one and a grouped one, and
/// passes comments, strings and downward imports.
#[test]
fn a_planted_upward_import_is_caught() {
    let dir = std::env::temp_dir().join(format!("cnn_lab_layers_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("train")).unwrap();
    std::fs::write(dir.join("lib.rs"), "pub mod train;\nuse crate::lab::x;\n").unwrap();
    std::fs::write(
        dir.join("train/mod.rs"),
        "use crate::model::Net; // crate::figures in a comment\nlet s = \"crate::lab\";\nuse crate::{data::Dataset, plot::Figure};\n",
    )
    .unwrap();
    std::fs::write(dir.join("data.rs"), "use crate::util::Error;\n").unwrap();
    assert!(violations(&dir).is_empty(), "{:?}", violations(&dir));
    std::fs::write(dir.join("data.rs"), "use crate::util::Error;\nfn f() { crate::train::fit(); }\n").unwrap();
    std::fs::write(dir.join("eval.rs"), "use crate::{model::Net, inspect::x};\n").unwrap();
    let v = violations(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(v, ["src/data.rs:2: `data` uses `train`", "src/eval.rs:1: `eval` uses `inspect`"], "{v:?}");
}
