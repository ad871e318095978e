//! Models: a declarative Sequential spec ([`ModelSpec`], with the series' [`presets`]) and the
//! burn module it builds ([`Net`]). Knows the data types, nothing of training.
//!
//! ```no_run
//! use cnn_lab::prelude::*;
//! let spec = ModelSpec::preset("model1").unwrap();
//! assert_eq!(spec.trainable_params(), 93_322);
//! let net = spec.build(&cpu());
//! ```

pub mod net;
pub mod presets;
pub mod sequential;
pub mod spec;
pub mod tensor;

pub use net::{Activation, Layer, Net};
pub use sequential::Sequential;
pub use spec::{group, Act, LayerSpec, ModelSpec, ReceptiveField, Shape, SummaryRow};
pub use tensor::{images_tensor, tensor_to_vec};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keras_param_counts() {
        let n = |p: &str| ModelSpec::preset(p).unwrap().trainable_params();
        assert_eq!(n("model1"), 93_322);
        assert_eq!(n("model2"), 67_786);
        assert_eq!(n("model3"), 104_650);
        assert_eq!(n("digits"), 18_810);
        assert_eq!(n("tfds"), 31_626);
        assert_eq!(n("mlp"), 101_770);
        let t = ModelSpec::preset("tfds").unwrap().summary().unwrap();
        assert!(t.contains("(None, 12, 12, 32)") && t.contains("(None, 512)"), "{t}");
    }

    #[test]
    fn receptive_fields_grow_by_kernel_and_pooling() {
        let rf = ModelSpec::preset("model1").unwrap().receptive_fields().unwrap();
        let got: Vec<(&str, usize, usize)> = rf.iter().map(|r| (r.layer.as_str(), r.size, r.step)).collect();
        assert_eq!(got, vec![
            ("conv2d", 3, 1), ("max_pooling2d", 4, 2), ("conv2d_1", 8, 2),
            ("max_pooling2d_1", 10, 4), ("conv2d_2", 18, 4),
        ]);
    }

    #[test]
    fn summary_has_keras_shapes() {
        let s = ModelSpec::preset("model3").unwrap().summary().unwrap();
        assert!(s.contains("(None, 34, 34, 32)"), "{s}");
        assert!(s.contains("Total params: 104,650"), "{s}");
        let d = ModelSpec::preset("digits").unwrap().summary().unwrap();
        assert!(d.contains("Total params: 18,813") && d.contains("Non-trainable params: 3"), "{d}");
    }

    #[test]
    fn named_parameters_use_keras_names_and_cover_every_weight() {
        let net = ModelSpec::preset("gap").unwrap().build(&crate::util::device::cpu());
        let p = net.named_parameters();
        let names: Vec<&str> = p.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(&names[..6], ["conv2d/kernel", "conv2d/bias", "batch_normalization/gamma", "batch_normalization/beta", "batch_normalization/moving_mean", "batch_normalization/moving_variance"]);
        assert_eq!(p[0].1.len(), 32 * 9);
        assert_eq!(p[4].1, vec![0.0; 32]);
        let trainable: usize = p.iter().filter(|(n, _)| !n.contains("moving_")).map(|(_, v)| v.len()).sum();
        assert_eq!(trainable, ModelSpec::preset("gap").unwrap().trainable_params());
    }

    #[test]
    fn bad_specs_are_errors() {
        let mut s = ModelSpec::preset("model1").unwrap();
        s.layers.insert(0, LayerSpec::Conv { filters: 8, kernel: 40, same: false, act: Act::Relu, l2: 0.0 });
        let e = s.rows().unwrap_err().to_string();
        assert!(e.contains("kernel 40 larger than input 28x28"), "{e}");
        let mut s = ModelSpec::preset("model1").unwrap();
        s.layers.pop();
        s.layers.pop();
        s.layers.pop();
        assert!(s.rows().unwrap_err().to_string().contains("must end in a flat output"));
        assert!(ModelSpec::preset("nope").unwrap_err().to_string().contains("unknown preset"));
    }
}

