//! Figures of datasets: example grids, class counts, mean images, pixel histograms,
//! augmentations, nearest neighbours.

use crate::data::{Augment, Dataset};
use crate::plot::{bar_chart, histogram, image_grid, Bins, ColorMap, Figure, Grid, Panel, RED};
use crate::util::error::{Error, Result};

/// Labelled example images from a dataset (`indices`), titled with their class names.
pub fn dataset_grid(ds: &Dataset, indices: &[usize], ncols: usize) -> Result<Figure> {
    let panels: Vec<Panel> = indices
        .iter()
        .map(|&i| Panel::from_bytes(ds.image(i), ds.rows, ds.cols, ds.class_names[ds.labels[i] as usize].clone()))
        .collect();
    image_grid("", &panels, &Grid::new(ncols).cell(grid_cell(ncols.min(indices.len()))))
}

/// Cell width of a dataset grid: 110 px, larger for a few images so that a figure of two or
/// three is not a thumbnail.
fn grid_cell(ncols: usize) -> u32 {
    (440 / ncols.max(1) as u32).clamp(110, 180)
}

/// A query image (framed in red, titled "query: `<class>`") followed by its neighbours, titled
/// with their rank and class.
pub fn neighbours_grid(ds: &Dataset, query: usize, neighbours: &[usize], ncols: usize) -> Result<Figure> {
    if std::iter::once(&query).chain(neighbours).any(|&i| i >= ds.len()) {
        return Err(Error::invalid(format!("neighbours_grid: an index is past the {} images", ds.len())));
    }
    let name = |i: usize| ds.class_names[ds.labels[i] as usize].clone();
    let mut panels = vec![Panel::from_bytes(ds.image(query), ds.rows, ds.cols, format!("query: {}", name(query))).with_frame(RED).with_title_color(RED)];
    panels.extend(neighbours.iter().enumerate().map(|(k, &i)| Panel::from_bytes(ds.image(i), ds.rows, ds.cols, format!("{}. {}", k + 1, name(i)))));
    let title = format!("A {} (framed) and its {} nearest neighbours", name(query), neighbours.len());
    image_grid(&title, &panels, &Grid::new(ncols).cell(130))
}

/// Images per class as bars.
pub fn class_counts(ds: &Dataset, title: &str) -> Result<Figure> {
    let names: Vec<&str> = ds.class_names.iter().map(|s| s.as_str()).collect();
    let counts: Vec<f64> = ds.class_counts().iter().map(|&c| c as f64).collect();
    bar_chart(title, &names, &counts)
}

/// The first `per_class` images of every class, one class per row.
pub fn examples_per_class(ds: &Dataset, per_class: usize) -> Result<Figure> {
    let idx: Vec<usize> = (0..ds.num_classes()).flat_map(|c| ds.indices_of(c).into_iter().take(per_class)).collect();
    dataset_grid(ds, &idx, per_class.max(1))
}

/// The mean image of each class.
pub fn mean_images(ds: &Dataset) -> Result<Figure> {
    let panels: Vec<Panel> = (0..ds.num_classes())
        .map(|c| Panel::from_values(ds.mean_image(c), ds.rows, ds.cols, ds.class_names[c].clone()).with_range(0.0, 255.0))
        .collect();
    image_grid("Mean image per class", &panels, &Grid::new(5).cmap(ColorMap::Viridis).cell(120).colour_bar("mean pixel value"))
}

/// Pixel-intensity histograms (density on a log axis, 0–255) of one or more datasets, over at
/// most 5,000 images each.
pub fn pixel_histogram(sets: &[(&str, &Dataset)]) -> Result<Figure> {
    let vals: Vec<(String, Vec<f64>)> = sets
        .iter()
        .map(|(n, ds)| (n.to_string(), ds.images[..ds.pixels() * ds.len().min(5_000)].iter().map(|&v| v as f64).collect()))
        .collect();
    let series: Vec<(&str, &[f64])> = vals.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
    histogram("Pixel intensities (log scale: the black background is one huge bin)", &series, Bins::new(32).range(0.0, 255.0).log_y().colours(sets.iter().map(|(n, _)| super::colours::split_colour(n)).collect()).x_desc("pixel value (0 black to 255 white)"))
}

/// Image `index` of `ds` followed by `n` random variants for each named augmentation (one row
/// per augmentation, named in the title), drawn with a seeded generator.
pub fn augmentation_grid(ds: &Dataset, index: usize, augs: &[(&str, Augment)], n: usize, seed: u64) -> Result<Figure> {
    use rand::SeedableRng;
    if index >= ds.len() {
        return Err(Error::invalid(format!("augmentation_grid: image {index} of {}", ds.len())));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let img = ds.image(index);
    let mut panels = Vec::new();
    for (_, a) in augs {
        // "original (±36°, ±10 %)" is wider than a cell: the rows are named in the grid's title.
        panels.push(Panel::from_bytes(img, ds.rows, ds.cols, "original"));
        for k in 0..n {
            panels.push(Panel::from_bytes(&a.apply(img, ds.rows, ds.cols, &mut rng), ds.rows, ds.cols, format!("variant {}", k + 1)));
        }
    }
    let rows: Vec<String> = augs.iter().enumerate().map(|(i, (name, _))| format!("row {}: {name}", i + 1)).collect();
    image_grid(&rows.join(" · "), &panels, &Grid::new(n + 1).cell(110))
}
