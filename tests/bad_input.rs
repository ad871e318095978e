//! Bad input must give a clear error naming the file and the problem, never a panic.
//! Every fixture is generated here, tiny, in a temporary folder.

use cnn_lab::data::{read_digits_csv, read_idx_images, read_idx_labels, read_idx_pair, Dataset, FASHION_CLASSES};
use cnn_lab::inspect::prepare_image;
use cnn_lab::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

fn idx_images(n: u32, r: u32, c: u32, body: usize) -> Vec<u8> {
    let mut b = vec![0, 0, 8, 3];
    for v in [n, r, c] {
        b.extend(v.to_be_bytes());
    }
    b.extend(vec![7u8; body]);
    b
}

fn idx_labels(n: u32, labels: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 8, 1];
    b.extend(n.to_be_bytes());
    b.extend(labels);
    b
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Assert `r` is an error whose message contains every fragment.
fn err_has<T: std::fmt::Debug>(r: Result<T>, fragments: &[&str]) {
    let msg = r.expect_err("expected an error").to_string();
    for f in fragments {
        assert!(msg.contains(f), "message {msg:?} lacks {f:?}");
    }
}

fn csv_row(label: &str, pixel: &str, label_first: bool) -> String {
    let mut cells = vec![pixel.to_string(); 784];
    if label_first {
        cells.insert(0, label.into());
    } else {
        cells.push(label.into());
    }
    cells.join(",")
}

#[test]
fn idx_good_raw_and_gzip_roundtrip() {
    let d = tempfile::tempdir().unwrap();
    let raw = write(d.path(), "i.idx", &idx_images(2, 2, 3, 12));
    let gzp = write(d.path(), "i.idx.gz", &gz(&idx_images(2, 2, 3, 12)));
    assert_eq!(read_idx_images(&raw).unwrap(), read_idx_images(&gzp).unwrap());
    let (n, r, c, px) = read_idx_images(&raw).unwrap();
    assert_eq!((n, r, c, px.len()), (2, 2, 3, 12));
}

#[test]
fn idx_missing_file() {
    err_has(read_idx_images("/nonexistent/x.idx"), &["/nonexistent/x.idx", "No such file"]);
}

#[test]
fn idx_bad_magic() {
    let d = tempfile::tempdir().unwrap();
    let mut b = idx_images(1, 2, 2, 4);
    b[3] = 9;
    let p = write(d.path(), "bad.idx", &b);
    err_has(read_idx_images(&p), &["bad.idx", "bad magic number 0x00000809"]);
}

#[test]
fn idx_labels_file_given_as_images() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "labels.idx", &idx_labels(10, &[0; 10]));
    err_has(read_idx_images(&p), &["labels.idx", "bad magic", "IDX images"]);
}

#[test]
fn idx_truncated_images() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "short.idx", &idx_images(3, 2, 2, 10));
    err_has(read_idx_images(&p), &["short.idx", "truncated", "3 images of 2x2 (12 bytes)", "only 10 bytes"]);
}

#[test]
fn idx_trailing_bytes() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "long.idx", &idx_images(1, 2, 2, 6));
    err_has(read_idx_images(&p), &["long.idx", "2 unexpected trailing bytes"]);
}

#[test]
fn idx_header_too_short() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "tiny.idx", &[0, 0, 8]);
    err_has(read_idx_images(&p), &["tiny.idx", "too short", "3 bytes"]);
}

#[test]
fn idx_zero_dimensions() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "zero.idx", &idx_images(1, 0, 5, 0));
    err_has(read_idx_images(&p), &["zero.idx", "bad image dimensions 0x5"]);
}

#[test]
fn idx_corrupt_gzip() {
    let d = tempfile::tempdir().unwrap();
    let mut b = gz(&idx_images(4, 2, 2, 16));
    let n = b.len();
    b.truncate(n - 12);
    b[12] ^= 0xff;
    let p = write(d.path(), "broken.gz", &b);
    err_has(read_idx_images(&p), &["broken.gz", "corrupt gzip"]);
}

#[test]
fn idx_label_count_mismatch_in_file() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "l.idx", &idx_labels(5, &[1, 2, 3]));
    err_has(read_idx_labels(&p), &["l.idx", "header says 5 labels but 3 bytes follow"]);
}

#[test]
fn idx_images_and_labels_disagree() {
    let d = tempfile::tempdir().unwrap();
    let i = write(d.path(), "img.idx", &idx_images(3, 2, 2, 12));
    let l = write(d.path(), "lab.idx", &idx_labels(2, &[0, 1]));
    err_has(read_idx_pair(&i, &l, &FASHION_CLASSES), &["lab.idx", "2 labels", "img.idx has 3 images"]);
}

#[test]
fn idx_label_out_of_range() {
    let d = tempfile::tempdir().unwrap();
    let i = write(d.path(), "img.idx", &idx_images(2, 2, 2, 8));
    let l = write(d.path(), "lab.idx", &idx_labels(2, &[3, 12]));
    err_has(read_idx_pair(&i, &l, &FASHION_CLASSES), &["lab.idx", "label 12 at index 1 is outside 0–9"]);
}

#[test]
fn csv_both_layouts_read() {
    let d = tempfile::tempdir().unwrap();
    let header = format!("label,{}", (0..784).map(|i| format!("pixel{i}")).collect::<Vec<_>>().join(","));
    let kaggle = write(d.path(), "k.csv", format!("{header}\n{}\n{}\n", csv_row("3", "0", true), csv_row("7", "255", true)).as_bytes());
    let ds = read_digits_csv(&kaggle).unwrap();
    assert_eq!(ds.labels, vec![3, 7]);
    assert_eq!(ds.image(1)[0], 255);
    let mlx = write(d.path(), "m.csv.gz", &gz(format!("{}\n", csv_row("4", "9", false)).as_bytes()));
    let ds = read_digits_csv(&mlx).unwrap();
    assert_eq!((ds.labels[0], ds.image(0)[783]), (4, 9));
}

#[test]
fn csv_wrong_width() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "w.csv", format!("{}\n1,2,3\n", csv_row("1", "0", false)).as_bytes());
    err_has(read_digits_csv(&p), &["w.csv", "line 2", "expected 785 columns", "found 3"]);
}

#[test]
fn csv_non_numeric_cell() {
    let d = tempfile::tempdir().unwrap();
    let mut row: Vec<String> = csv_row("1", "0", false).split(',').map(String::from).collect();
    row[10] = "abc".into();
    let p = write(d.path(), "n.csv", format!("{}\n", row.join(",")).as_bytes());
    err_has(read_digits_csv(&p), &["n.csv", "line 1, column 11", "not a number: \"abc\""]);
}

#[test]
fn csv_pixel_too_large() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "p.csv", format!("{}\n", csv_row("1", "256", false)).as_bytes());
    err_has(read_digits_csv(&p), &["p.csv", "line 1, column 1", "pixel 256 is not an integer in 0–255"]);
}

#[test]
fn csv_label_out_of_range() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "l.csv", format!("{}\n", csv_row("10", "0", false)).as_bytes());
    err_has(read_digits_csv(&p), &["l.csv", "column 785", "label 10 is outside 0–9"]);
}

#[test]
fn csv_empty_file() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "e.csv", b"\n\n");
    err_has(read_digits_csv(&p), &["e.csv", "empty CSV"]);
}

#[test]
fn csv_header_only() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "h.csv", b"label,pixel0\n");
    err_has(read_digits_csv(&p), &["h.csv", "no data rows"]);
}

#[test]
fn csv_not_utf8() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "b.csv", &[0xff, 0xfe, 0x00, 0x41]);
    err_has(read_digits_csv(&p), &["b.csv", "not UTF-8"]);
}

#[test]
fn dataset_size_mismatch() {
    err_has(Dataset::new(vec![0; 10], vec![0; 3], 2, 2, vec!["a".into()]), &["10 pixel bytes", "3 images of 2x2"]);
}

#[test]
fn split_fraction_out_of_range() {
    let ds = Dataset::new(vec![0; 4], vec![0], 2, 2, vec!["a".into()]).unwrap();
    err_has(ds.split(1.5, 0, false), &["validation fraction must be in [0, 1)", "1.5"]);
}

#[test]
fn image_not_an_image() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "fake.png", b"this is not a png");
    err_has(prepare_image(&p, 28), &["fake.png", "not a readable image"]);
}

#[test]
fn image_too_small() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("dot.png");
    image::GrayImage::from_pixel(1, 1, image::Luma([9])).save(&p).unwrap();
    err_has(prepare_image(&p, 28), &["dot.png", "1x1: too small"]);
}

#[test]
fn model_file_bad_magic() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "m.cnnlab", b"definitely not a model file at all");
    err_has(TrainedModel::load(&p, &cpu()), &["m.cnnlab", "not a cnn_lab model file"]);
}

#[test]
fn model_file_truncated_header() {
    let d = tempfile::tempdir().unwrap();
    let mut b = b"CNNLAB01".to_vec();
    b.extend(1000u64.to_le_bytes());
    b.extend(b"{\"format\":1");
    let p = write(d.path(), "t.cnnlab", &b);
    err_has(TrainedModel::load(&p, &cpu()), &["t.cnnlab", "truncated model file"]);
}

#[test]
fn model_file_corrupt_header_json() {
    let d = tempfile::tempdir().unwrap();
    let mut b = b"CNNLAB01".to_vec();
    b.extend(5u64.to_le_bytes());
    b.extend(b"{oops");
    let p = write(d.path(), "j.cnnlab", &b);
    err_has(TrainedModel::load(&p, &cpu()), &["j.cnnlab", "corrupt model header"]);
}

fn tiny_trained(spec: &str, dir: &Path) -> PathBuf {
    let ds = cnn_lab::lab::bench::random_dataset(64, 3);
    let cfg = TrainConfig::preset(spec).unwrap().with_epochs(1).with_batch_size(32).quiet();
    let mut t = Trainer::new(cfg, &cpu()).unwrap();
    t.fit(&ds, &ds.subset(16), 1).unwrap();
    let p = dir.join(format!("{spec}.cnnlab"));
    t.model(&ds.class_names).save(&p).unwrap();
    p
}

#[test]
fn model_file_weights_corrupt_or_mismatched() {
    let d = tempfile::tempdir().unwrap();
    let p = tiny_trained("model2", d.path());
    let b = std::fs::read(&p).unwrap();
    let cut = write(d.path(), "cut.cnnlab", &b[..b.len() - 100]);
    err_has(TrainedModel::load(&cut, &cpu()), &["cut.cnnlab", "checksum mismatch"]);
    // Files without a checksum (format 1) are still parsed with care: magic, header, weights.
    let n = u64::from_le_bytes(b[8..16].try_into().unwrap()) as usize;
    let (header, weights) = (String::from_utf8(b[16..16 + n].to_vec()).unwrap(), &b[16 + n + 8..b.len() - 32]);
    let v1 = |header: &str, weights: &[u8]| {
        let mut v = b"CNNLAB01".to_vec();
        v.extend((header.len() as u64).to_le_bytes());
        v.extend(header.as_bytes());
        v.extend(weights);
        v
    };
    let cut = write(d.path(), "cut1.cnnlab", &v1(&header, &weights[..weights.len() - 100]));
    err_has(TrainedModel::load(&cut, &cpu()), &["cut1.cnnlab", "weights"]);
    // Another model's spec in the header: the weights no longer fit.
    let s = write(d.path(), "swap.cnnlab", &v1(&header.replace("\"filters\":48", "\"filters\":40"), weights));
    err_has(TrainedModel::load(&s, &cpu()), &["swap.cnnlab", "weights do not match the model spec"]);
}

#[test]
fn unknown_preset_and_device() {
    err_has(TrainConfig::preset("model9"), &["unknown preset \"model9\"", "model1"]);
    err_has(device("tpu"), &["unknown device \"tpu\""]);
    #[cfg(not(feature = "wgpu"))]
    err_has(device("wgpu"), &["not compiled in", "--features wgpu"]);
}

#[test]
fn fit_rejects_mismatched_data() {
    let ds = cnn_lab::lab::bench::random_dataset(8, 1);
    let mut spec = ModelSpec::preset("model1").unwrap();
    spec.input = (32, 32);
    let mut t = Trainer::new(TrainConfig::new(spec).quiet(), &cpu()).unwrap();
    err_has(t.fit(&ds, &ds, 1), &["model expects (32, 32) images", "28x28"]);
    err_has(Trainer::new(TrainConfig::preset("model1").unwrap().with_batch_size(0), &cpu()).map(|_| ()), &["batch_size"]);
}

#[test]
fn explicit_dataset_dir_that_is_wrong() {
    // A wrong explicit setting is reported, never silently skipped.
    let d = tempfile::tempdir().unwrap();
    std::env::set_var("FASHION_MNIST_DIR", d.path());
    let r = cnn_lab::data::locate_fashion_mnist();
    std::env::remove_var("FASHION_MNIST_DIR");
    err_has(r, &["Fashion-MNIST not found", "FASHION_MNIST_DIR", "apt-get install dataset-fashion-mnist"]);
}

#[test]
fn csv_fractional_pixel_is_refused_not_rounded() {
    let d = tempfile::tempdir().unwrap();
    let rows = format!("{}\n{}\n", csv_row("3", "0", false), csv_row("4", "0.5", false));
    let p = write(d.path(), "frac.csv", rows.as_bytes());
    err_has(read_digits_csv(&p), &["frac.csv", "line 2, column 1", "pixel 0.5 is not an integer in 0–255", "multiply them by 255"]);
    let p = write(d.path(), "frac2.csv", csv_row("3", "17.25", true).as_bytes());
    err_has(read_digits_csv(&p), &["frac2.csv", "line 1, column 2", "pixel 17.25 is not an integer"]);
}

#[test]
fn fashion_folder_with_wrong_image_size_is_reported_at_load() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "train-images-idx3-ubyte", &idx_images(2, 32, 32, 2 * 32 * 32));
    write(d.path(), "train-labels-idx1-ubyte", &idx_labels(2, &[0, 1]));
    write(d.path(), "t10k-images-idx3-ubyte", &idx_images(1, 32, 32, 32 * 32));
    write(d.path(), "t10k-labels-idx1-ubyte", &idx_labels(1, &[2]));
    err_has(cnn_lab::data::fashion_mnist_from(d.path()), &["train-images-idx3-ubyte", "Fashion-MNIST images are 28x28", "32x32"]);
}

/// A saved model's bytes and where its weights section starts.
fn saved_model(dir: &Path) -> (PathBuf, Vec<u8>, usize) {
    let p = tiny_trained("model1", dir);
    let b = std::fs::read(&p).unwrap();
    let header = u64::from_le_bytes(b[8..16].try_into().unwrap()) as usize;
    (p, b, 16 + header + 8)
}

#[test]
fn model_file_flipped_byte_in_weights_is_a_checksum_error() {
    let d = tempfile::tempdir().unwrap();
    let (_, b, weights) = saved_model(d.path());
    assert_eq!(&b[..8], b"CNNLAB02");
    for at in [weights + 100, (weights + b.len()) / 2, b.len() - 40] {
        let mut bad = b.clone();
        bad[at] ^= 0x04;
        let p = write(d.path(), "flipped.cnnlab", &bad);
        err_has(TrainedModel::load(&p, &cpu()), &["flipped.cnnlab", "corrupt model file: checksum mismatch"]);
    }
}

#[test]
fn model_file_flipped_byte_in_header_or_checksum_is_caught() {
    let d = tempfile::tempdir().unwrap();
    let (_, b, weights) = saved_model(d.path());
    // A digit of the stored history: still valid JSON, so only the checksum can tell.
    let digit = (16..weights - 8).find(|&i| b[i] == b'3').unwrap();
    let mut bad = b.clone();
    bad[digit] = b'4';
    let p = write(d.path(), "header.cnnlab", &bad);
    err_has(TrainedModel::load(&p, &cpu()), &["header.cnnlab", "checksum mismatch"]);
    let mut bad = b.clone();
    *bad.last_mut().unwrap() ^= 1;
    let p = write(d.path(), "sum.cnnlab", &bad);
    err_has(TrainedModel::load(&p, &cpu()), &["sum.cnnlab", "checksum mismatch"]);
    let p = write(d.path(), "short.cnnlab", &b[..b.len() - 1000]);
    err_has(TrainedModel::load(&p, &cpu()), &["short.cnnlab", "checksum mismatch"]);
}

#[test]
fn model_file_without_checksum_still_loads() {
    // A format-1 file (before checksums): magic, header length, header, weights.
    let d = tempfile::tempdir().unwrap();
    let (p, b, weights) = saved_model(d.path());
    let good = TrainedModel::load(&p, &cpu()).unwrap();
    let header = String::from_utf8(b[16..weights - 8].to_vec()).unwrap().replace("\"format\":2", "\"format\":1");
    let mut v1 = b"CNNLAB01".to_vec();
    v1.extend((header.len() as u64).to_le_bytes());
    v1.extend(header.as_bytes());
    v1.extend(&b[weights..b.len() - 32]);
    let p1 = write(d.path(), "v1.cnnlab", &v1);
    let old = TrainedModel::load(&p1, &cpu()).unwrap();
    assert_eq!(old.weights_sha256(), good.weights_sha256());
    assert_eq!(old.history, good.history);
}

#[test]
fn resume_backup_of_another_run_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let ds = cnn_lab::lab::bench::random_dataset(64, 3);
    let cfg = TrainConfig::preset("model1").unwrap().with_batch_size(32).with_epochs(2).quiet();
    let backup = d.path().join("run.resume");
    let mut t = Trainer::new(cfg.clone(), &cpu()).unwrap().with_backup(&backup);
    t.fit(&ds, &ds.subset(16), 1).unwrap();
    err_has(Trainer::from_backup(cfg.clone().with_lr(5e-4), &backup, &cpu()).map(|_| ()), &["run.resume", "different run"]);
    let p = write(d.path(), "junk.resume", b"CNNLABRS but nothing else");
    err_has(Trainer::from_backup(cfg.clone(), &p, &cpu()).map(|_| ()), &["junk.resume", "corrupt resume backup"]);
    err_has(Trainer::from_backup(cfg, d.path().join("missing.resume"), &cpu()).map(|_| ()), &["missing.resume"]);
}

/// Serve `body` over HTTP on a free loopback port for `requests` connections; returns the URL.
fn serve_once(body: &'static [u8], requests: usize) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/file.gz", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut s = stream.unwrap();
            let mut req = [0u8; 1024];
            let _ = s.read(&mut req);
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = s.write_all(head.as_bytes()).and_then(|_| s.write_all(body));
        }
    });
    url
}

#[test]
fn download_with_wrong_checksum_leaves_no_file() {
    let d = tempfile::tempdir().unwrap();
    let body: &'static [u8] = b"pretend this is a gzip file";
    let url = serve_once(body, 2);
    let dest = d.path().join("images.gz");
    err_has(cnn_lab::data::download(&url, &dest, Some("00000000000000000000000000000000")), &["images.gz", "checksum mismatch", "expected 00000000"]);
    assert!(!dest.exists(), "a file that failed its checksum was left behind");
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0, "no temporary file either");
    // The right checksum: the file appears whole.
    use md5::Digest;
    let good: String = md5::Md5::digest(body).iter().map(|b| format!("{b:02x}")).collect();
    cnn_lab::data::download(&url, &dest, Some(&good)).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), body);
}

#[test]
fn image_too_large_is_refused_before_padding() {
    // 2×20000 px is a small file; padding it to a square would take 400 MB.
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("strip.png");
    image::GrayImage::from_pixel(2, 20_000, image::Luma([9])).save(&p).unwrap();
    assert!(std::fs::metadata(&p).unwrap().len() < 100_000);
    err_has(prepare_image(&p, 28), &["strip.png", "image too large", "8192 px"]);
}

#[test]
fn cmyk_jpeg_and_16_bit_png_are_prepared_like_8_bit_grey() {
    // tests/fixtures/cmyk.jpg (Pillow): a black square on white paper, 12×10, in CMYK.
    let cmyk = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cmyk.jpg");
    let d = tempfile::tempdir().unwrap();
    let p16 = d.path().join("sixteen.png");
    image::ImageBuffer::<image::Luma<u16>, _>::from_fn(12, 10, |x, y| image::Luma([if (3..=8).contains(&x) && (2..=7).contains(&y) { 0 } else { 65535 }]))
        .save(&p16)
        .unwrap();
    for p in [&cmyk, &p16] {
        let img = prepare_image(p, 28).unwrap();
        assert!(img.inverted, "{}: a light background is inverted", p.display());
        let (corner, centre) = (img.pixels[0], img.pixels[14 * 28 + 14]);
        assert!(corner < 30 && centre > 220, "{}: corner {corner}, centre {centre}", p.display());
    }
}

#[test]
fn model_header_asking_for_huge_layers_is_refused_before_building() {
    let d = tempfile::tempdir().unwrap();
    let p = tiny_trained("model1", d.path());
    let b = std::fs::read(&p).unwrap();
    let n = u64::from_le_bytes(b[8..16].try_into().unwrap()) as usize;
    let (header, weights) = (String::from_utf8(b[16..16 + n].to_vec()).unwrap(), &b[16 + n + 8..b.len() - 32]);
    let v1 = |header: &str| {
        let mut v = b"CNNLAB01".to_vec();
        v.extend((header.len() as u64).to_le_bytes());
        v.extend(header.as_bytes());
        v.extend(weights);
        v
    };
    // 10^12 filters would need terabytes; overflowing sizes and giant inputs are refused too.
    let huge = write(d.path(), "huge.cnnlab", &v1(&header.replacen("\"filters\":32", "\"filters\":1000000000000", 1)));
    err_has(TrainedModel::load(&huge, &cpu()), &["huge.cnnlab", "weights do not match the model spec", "numbers"]);
    let over = write(d.path(), "over.cnnlab", &v1(&header.replacen("\"filters\":32", "\"filters\":18446744073709551615", 1)));
    err_has(TrainedModel::load(&over, &cpu()), &["over.cnnlab", "sizes too large"]);
    let wide = write(d.path(), "wide.cnnlab", &v1(&header.replacen("\"input\":[28,28]", "\"input\":[28,100000]", 1)));
    err_has(TrainedModel::load(&wide, &cpu()), &["wide.cnnlab", "input 28x100000 outside 1–4096 px"]);
}
