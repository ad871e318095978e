//! `cnn-lab serve`: a minimal static file server for a Projector export, so that
//! projector.tensorflow.org can load it from this machine. The online Projector fetches every
//! path in the config as a URL, relative to its own page, so the served `projector_config.json`
//! has each path turned into an absolute `http://127.0.0.1:<port>/…` URL (as the TF demo's config
//! does), and every response allows any origin (CORS).

use crate::util::error::{Error, Result};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

/// Serve `dir` on `127.0.0.1:port` until the process ends (`port` 0 picks a free one); prints
/// the address and the Projector link first.
pub fn serve(dir: &Path, port: u16) -> Result<()> {
    let root = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| Error::invalid(format!("port {port}: {e}")))?;
    let port = listener.local_addr().map_err(|e| Error::invalid(format!("port {port}: {e}")))?.port();
    let base = format!("http://127.0.0.1:{port}/");
    println!("serving {} on {base}", root.display());
    println!("open https://projector.tensorflow.org/?config={base}projector_config.json");
    // Output may be a pipe (a test, a notebook): the address must reach it now.
    let _ = std::io::stdout().flush();
    for mut stream in listener.incoming().flatten() {
        let mut line = String::new();
        if BufReader::new(&stream).read_line(&mut line).is_err() {
            continue;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/").trim_start_matches('/').to_string();
        let file = root.join(&path);
        let (status, body, kind) = match (!path.contains("..") && file.is_file()).then(|| std::fs::read(&file)) {
            Some(Ok(bytes)) => {
                let body = if path.ends_with("projector_config.json") { absolute_paths(&bytes, &base) } else { bytes };
                ("200 OK", body, content_type(&file))
            }
            _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
        };
        let head = format!("HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n", body.len());
        let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&body));
    }
    Ok(())
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("tsv") => "text/tab-separated-values",
        _ => "application/octet-stream",
    }
}

/// A Projector config with every relative `tensorPath`, `metadataPath` and sprite `imagePath`
/// prefixed by `base`; anything that is not such a config is returned unchanged.
pub fn absolute_paths(config: &[u8], base: &str) -> Vec<u8> {
    let Ok(mut cfg) = serde_json::from_slice::<serde_json::Value>(config) else { return config.to_vec() };
    let fix = |v: &mut serde_json::Value| {
        if let Some(p) = v.as_str().filter(|p| !p.contains("://")) {
            *v = serde_json::Value::String(format!("{base}{}", p.trim_start_matches('/')));
        }
    };
    for e in cfg.get_mut("embeddings").and_then(|e| e.as_array_mut()).into_iter().flatten() {
        for key in ["tensorPath", "metadataPath"] {
            if let Some(v) = e.get_mut(key) {
                fix(v);
            }
        }
        if let Some(v) = e.get_mut("sprite").and_then(|s| s.get_mut("imagePath")) {
            fix(v);
        }
    }
    serde_json::to_vec_pretty(&cfg).unwrap_or_else(|_| config.to_vec())
}

#[cfg(test)]
mod tests {
    #[test]
    fn relative_paths_become_urls_and_absolute_ones_stay() {
        let cfg = br#"{"embeddings":[{"tensorPath":"tensors.tsv","metadataPath":"/metadata.tsv","sprite":{"imagePath":"sprite.png"}},{"tensorPath":"https://x.org/t.tsv"}]}"#;
        let out: serde_json::Value = serde_json::from_slice(&super::absolute_paths(cfg, "http://127.0.0.1:8000/")).unwrap();
        let e = &out["embeddings"];
        assert_eq!(e[0]["tensorPath"], "http://127.0.0.1:8000/tensors.tsv");
        assert_eq!(e[0]["metadataPath"], "http://127.0.0.1:8000/metadata.tsv");
        assert_eq!(e[0]["sprite"]["imagePath"], "http://127.0.0.1:8000/sprite.png");
        assert_eq!(e[1]["tensorPath"], "https://x.org/t.tsv");
        assert_eq!(super::absolute_paths(b"not json", "http://h/"), b"not json");
    }
}
