//! The series' figures of data, training, predictions and network internals, drawn with the
//! generic charts of `plot`.

pub mod colours;
pub mod data;
pub mod explain;
pub mod model;
pub mod eval;
pub mod inspect;
pub mod training;

pub use colours::{model_colour, split_colour, MODEL_COLOURS, SPLIT_COLOURS};
pub use data::{augmentation_grid, class_counts, dataset_grid, examples_per_class, mean_images, neighbours_grid, pixel_histogram};
pub use explain::{convolution_figure, relu_pool_figure, receptive_field_figure, softmax_table};
pub use eval::{confusion, confusion_heatmap, model_confusion, prediction_grid, probability_bars};
pub use inspect::{
    barcode_strips_figure, cam_figure, cam_panel, class_mean_figure, every_layer_figure, feature_maps_figure, kernels_figure, FeatureMaps,
    preparation_figure, save_layer_grids,
};
pub use model::model_diagram;
pub use training::{confidence_histogram, training_curves, weight_histograms};
