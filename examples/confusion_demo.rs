//! Render a confusion-matrix heatmap from made-up counts: `cargo run --release --example confusion_demo`.
fn main() -> cnn_lab::Result<()> {
    let names: Vec<String> = cnn_lab::data::FASHION_CLASSES.iter().map(|s| s.to_string()).collect();
    let m: Vec<Vec<usize>> = (0..10).map(|r| (0..10).map(|c| if r == c { 90 } else { (r * 7 + c * 3) % 9 }).collect()).collect();
    cnn_lab::figures::confusion_heatmap(&m, &names, false)?.save("target/confusion_demo.png")
}
