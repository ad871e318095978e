//! Figures built from a model or a dataset: sizes a blog column can show, the marks they promise
//! (a framed query, a colour bar, one row per layer), and clear errors for bad input.

use cnn_lab::lab::bench::random_dataset;
use cnn_lab::plot::{self, Bins, ColorMap, Grid, Panel, Strip};
use cnn_lab::prelude::*;

fn png_size(f: &plot::Figure) -> (u32, u32) {
    let img = image::load_from_memory(&f.png).unwrap();
    (img.width(), img.height())
}

#[test]
fn every_layer_figure_has_a_row_per_map_layer_and_grids_are_saved_per_layer() {
    let ds = random_dataset(4, 3);
    let t = Trainer::new(TrainConfig::preset("gap").unwrap().quiet(), &cpu()).unwrap();
    let model = t.model(&ds.class_names);
    let f = cnn_lab::figures::every_layer_figure(&model, ds.image(0), "an image", 8).unwrap();
    // gap: 4 conv blocks (conv, BN, ReLU) + 2 pools = 14 map layers; dropout rows are left out.
    let rows = 14;
    assert_eq!(f.width, 760);
    assert!(f.height > rows * 40, "{}", f.height);
    assert_eq!(png_size(&f), (f.width, f.height));
    assert!(f.title.contains("every layer"), "{}", f.title);
    let dir = tempfile::tempdir().unwrap();
    let files = cnn_lab::figures::save_layer_grids(&model, ds.image(0), dir.path().join("maps")).unwrap();
    // Saved grids include the dropout layers (every map layer), in order.
    let names: Vec<String> = files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names.first().map(String::as_str), Some("conv2d.png"));
    assert!(names.contains(&"dropout.png".to_string()) && names.contains(&"activation_3.png".to_string()), "{names:?}");
    assert!(files.iter().all(|p| image::open(p).is_ok()));
    assert!(cnn_lab::figures::every_layer_figure(&model, &[0u8; 10], "", 8).unwrap_err().to_string().contains("pixels"));
}

#[test]
fn neighbours_grid_frames_the_query_and_rejects_bad_indices() {
    let ds = random_dataset(12, 5);
    let f = cnn_lab::figures::neighbours_grid(&ds, 0, &[1, 2, 3, 4, 5, 6, 7, 8, 9], 5).unwrap();
    assert!(f.title.contains("framed") && f.title.contains("9 nearest"), "{}", f.title);
    // The query's frame is red: red pixels run down the left edge of the first image (below its
    // red title), and nowhere in the last cell of the row.
    let img = image::load_from_memory(&f.png).unwrap().to_rgb8();
    let red = |xs: std::ops::Range<u32>, ys: std::ops::Range<u32>| {
        xs.flat_map(|x| ys.clone().map(move |y| (x, y))).filter(|&(x, y)| img.get_pixel(x, y).0 == [214, 39, 40]).count()
    };
    assert!(red(0..8, 70..140) >= 60, "no frame down the query's left edge");
    assert_eq!(red(4 * 130..5 * 130, 30..img.height()), 0);
    let e = cnn_lab::figures::neighbours_grid(&ds, 0, &[99], 5).unwrap_err().to_string();
    assert!(e.contains("12 images"), "{e}");
}

#[test]
fn barcode_figures_fit_a_blog_column_and_reject_ragged_rows() {
    let strips: Vec<Strip> = (0..10).map(|k| (format!("class {k}"), vec![vec![k as f32 - 5.0; 40]; 5])).collect();
    let f = plot::barcode_figure("barcodes", &strips, 2, "value").unwrap();
    assert_eq!(f.width, 760);
    // Five blocks per column of five 14 px rows, plus title, unit numbers and the colour bar.
    assert!(f.height >= 5 * 5 * 14 && f.height < 600, "{}", f.height);
    let ragged: Vec<Strip> = vec![("a".into(), vec![vec![0.0; 4], vec![0.0; 3]])];
    assert!(plot::barcode_figure("x", &ragged, 1, "v").is_err());
    assert!(plot::barcode_figure("x", &[], 1, "v").is_err());
}

#[test]
fn scaled_grids_add_a_colour_bar_strip_and_log_histograms_render_a_spike() {
    let p = Panel::from_values(vec![0.0, 1.0, 2.0, 3.0], 2, 2, "m").with_range(0.0, 3.0);
    let plain = plot::image_grid("maps", &[p.clone(), p.clone()], &Grid::new(2).cmap(ColorMap::Viridis).cell(80)).unwrap();
    let scaled = plot::image_grid("maps", &[p.clone(), p], &Grid::new(2).cmap(ColorMap::Viridis).cell(80).colour_bar("activation")).unwrap();
    assert!(scaled.height > plain.height && scaled.width >= 360, "{:?} {:?}", plain, scaled);
    assert!(scaled.svg.contains("activation") && !plain.svg.contains("activation"));
    let mut v = vec![0.0; 10_000];
    v.extend((0..200).map(|i| i as f64));
    let h = plot::histogram("spike", &[("pixels", &v)], Bins::new(32).range(0.0, 255.0).log_y()).unwrap();
    assert!(h.svg.contains("log scale"));
    assert!(plot::histogram("empty", &[("pixels", &[])], Bins::new(32).log_y()).is_err());
}

#[test]
fn prediction_grids_name_the_classes_beside_the_bars() {
    let ds = random_dataset(6, 9);
    let probs: Vec<Vec<f32>> = (0..6).map(|i| (0..10).map(|k| if k == i { 0.91 } else { 0.01 }).collect()).collect();
    let f = cnn_lab::figures::prediction_grid(&ds, &[0, 1, 2], &probs, 3).unwrap();
    for name in &ds.class_names {
        assert!(f.svg.contains(name.as_str()), "{name} missing");
    }
    assert!(f.svg.contains("0.91"));
    assert!(cnn_lab::figures::prediction_grid(&ds, &[6], &probs, 3).is_err());
}
