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

/// A line of the server's output that starts with `prefix`.
fn read_line_starting(r: &mut impl std::io::BufRead, prefix: &str) -> String {
    let mut line = String::new();
    while r.read_line(&mut line).unwrap() > 0 {
        if line.starts_with(prefix) {
            return line;
        }
        line.clear();
    }
    panic!("no line starting with {prefix:?}");
}

#[test]
fn serve_hands_the_projector_absolute_urls_it_can_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let ds = cnn_lab::lab::bench::random_dataset(20, 1);
    let vectors: Vec<Vec<f32>> = (0..20).map(|i| vec![i as f32, 1.0, -2.5]).collect();
    let predicted: Vec<usize> = ds.labels.iter().map(|&l| l as usize).collect();
    cnn_lab::embed::export_projector(dir.path(), &vectors, &ds, &predicted).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_cnn-lab"))
        .args(["serve", "--port", "0"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(server.stdout.take().unwrap());
    let line = read_line_starting(&mut out, "serving ");
    let base = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:") && base.ends_with('/'), "{line}");
    let get = |url: &str| {
        let r = ureq::get(url).set("Origin", "https://projector.tensorflow.org").call().unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(r.header("Access-Control-Allow-Origin"), Some("*"), "{url}: no CORS header");
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut r.into_reader(), &mut body).unwrap();
        body
    };
    let cfg: serde_json::Value = serde_json::from_slice(&get(&format!("{base}projector_config.json"))).unwrap();
    let embeddings = cfg["embeddings"].as_array().unwrap();
    assert_eq!(embeddings.len(), 2, "embeddings and raw pixels");
    for e in embeddings {
        for url in [&e["tensorPath"], &e["metadataPath"], &e["sprite"]["imagePath"]] {
            let url = url.as_str().unwrap();
            assert!(url.starts_with(&base), "{url} is not an absolute URL on {base}");
            assert!(!get(url).is_empty(), "{url} is empty");
        }
    }
    let rows = String::from_utf8(get(embeddings[1]["tensorPath"].as_str().unwrap())).unwrap();
    assert_eq!(rows.lines().count(), 20);
    assert_eq!(rows.lines().next().unwrap().split('\t').count(), 784);
    assert!(ureq::get(&format!("{base}../etc/passwd")).call().is_err(), "paths outside the folder are refused");
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn classify_saves_a_figure_and_the_preparation_steps_per_image() {
    use cnn_lab::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let ds = cnn_lab::lab::bench::random_dataset(2, 4);
    let model = Trainer::new(TrainConfig::preset("gap").unwrap().quiet(), &cpu()).unwrap().model(&ds.class_names);
    let model_path = dir.path().join("gap.cnnlab");
    model.save(&model_path).unwrap();
    let image = dir.path().join("shirt_on_white.png");
    image::GrayImage::from_fn(40, 30, |x, _| image::Luma([if (10..30).contains(&x) { 40 } else { 250 }])).save(&image).unwrap();
    let plots = dir.path().join("plots");
    let run = |img: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_cnn-lab"))
            .arg("classify")
            .arg(img)
            .arg("--model")
            .arg(&model_path)
            .arg("--save-plots")
            .arg(&plots)
            .output()
            .unwrap()
    };
    let out = run(&image);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("(light background: inverted)") && stdout.contains("saved"), "{stdout}");
    for name in ["shirt_on_white.png", "shirt_on_white-steps.png"] {
        let img = image::open(plots.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(img.width() >= 500, "{name} is {}x{}", img.width(), img.height());
    }
    // Not an image: an error that names the file, and no figure for it.
    let bad = dir.path().join("notes.png");
    std::fs::write(&bad, b"not a picture").unwrap();
    let out = run(&bad);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("notes.png") && stderr.contains("not a readable image"), "{stderr}");
    assert!(!plots.join("notes.png").exists());
}
