//! One colour per model for the whole series: the same network is drawn in the same colour in
//! every figure of every notebook, whatever else the figure shows.

use crate::plot::RGBColor;

/// The series' models, as the notebooks name them, and their colours (matplotlib's tab10, then
/// tab20's lighter shades for variants trained on other data, and black for plain burn).
pub const MODEL_COLOURS: &[(&str, RGBColor)] = &[
    ("model1", RGBColor(31, 119, 180)),
    ("the crate's fit", RGBColor(31, 119, 180)),
    ("model2", RGBColor(255, 127, 14)),
    ("model3", RGBColor(44, 160, 44)),
    ("BN + GAP", RGBColor(214, 39, 40)),
    ("model1 + L2", RGBColor(148, 103, 189)),
    ("model4", RGBColor(140, 86, 75)),
    ("BN + GAP, augmented", RGBColor(227, 119, 194)),
    ("dense only (MLP)", RGBColor(127, 127, 127)),
    ("BN + GAP, mirrored", RGBColor(188, 189, 34)),
    ("VGG blocks", RGBColor(23, 190, 207)),
    ("model1, 1,000 images", RGBColor(174, 199, 232)),
    ("1,000 images", RGBColor(174, 199, 232)),
    ("tfds net, 1,000 images", RGBColor(255, 187, 120)),
    ("plain burn", RGBColor(0, 0, 0)),
    ("model1 + dropout", RGBColor(152, 223, 138)),
    ("model1 + cosine decay", RGBColor(158, 218, 229)),
    ("model3, 50 epochs", RGBColor(0, 100, 0)),
    ("digits", RGBColor(82, 84, 163)),
];

/// The datasets' splits, in colours that no model of the series uses (a histogram of train and
/// test pixels must not look like two models).
pub const SPLIT_COLOURS: &[(&str, RGBColor)] = &[
    ("train", RGBColor(0, 95, 115)),
    ("validation", RGBColor(99, 121, 57)),
    ("test", RGBColor(231, 186, 82)),
];

/// The colour of a dataset split ("train", "validation", "test"); `None` for another name.
pub fn split_colour(name: &str) -> Option<RGBColor> {
    SPLIT_COLOURS.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
}

/// The colour of a model of the series by the name the notebooks give it; `None` for another
/// name (the plot then picks one from the name).
pub fn model_colour(name: &str) -> Option<RGBColor> {
    MODEL_COLOURS.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_model_has_one_colour_and_other_names_none() {
        // Two names share a colour only when they are the same network (model1 under two names,
        // model1 on 1,000 images under two names).
        let same = [("model1", "the crate's fit"), ("model1, 1,000 images", "1,000 images")];
        for (i, (a, ca)) in MODEL_COLOURS.iter().enumerate() {
            for (b, cb) in &MODEL_COLOURS[i + 1..] {
                assert!(a != b, "{a} listed twice");
                if ca == cb {
                    assert!(same.contains(&(*a, *b)), "{a} and {b} share a colour");
                }
            }
        }
        for (s, c) in SPLIT_COLOURS {
            assert!(MODEL_COLOURS.iter().all(|(_, m)| m != c), "split {s} has a model's colour");
        }
        assert_eq!(model_colour("model2"), Some(RGBColor(255, 127, 14)));
        assert_eq!(model_colour("something else"), None);
    }
}
