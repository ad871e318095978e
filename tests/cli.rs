//! The `cnn-lab` binary as a user runs it from a shell.

use std::process::Command;

#[cfg(unix)]
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    // `true` quits without reading; the summaries are written after it is gone (the sleep), so
    // the first println! meets a pipe with no reader, as `| head` does to a long output.
    let bin = env!("CARGO_BIN_EXE_cnn-lab");
    let out = Command::new("sh").arg("-c").arg(format!("(sleep 0.5; '{bin}' summary --preset all) | true")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn unknown_preset_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_cnn-lab")).args(["summary", "--preset", "nope"]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: ") && stderr.contains("nope"), "{stderr}");
}
