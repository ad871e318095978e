//! The autodiff side of our ops: each forward records its handwritten backward pass.

use super::*;

#[derive(Debug)]
struct BatchNormBackward;

impl Backward<Flex, 3> for BatchNormBackward {
    /// Input, gamma, batch mean, batch variance, epsilon, and the output when a ReLU was fused.
    type State = (FlexTensor, FlexTensor, FlexTensor, FlexTensor, f32, Option<FlexTensor>);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_gamma, node_beta] = ops.parents;
        let mut dy = contiguous(grads.consume::<Flex>(&ops.node));
        let (x, gamma, mean, var, eps, relu_out) = ops.state;
        if let Some(y) = relu_out {
            // Through the ReLU first: no gradient where its output was zero.
            let mut g = slice(&dy).to_vec();
            g.iter_mut().zip(slice(&y)).for_each(|(g, &y)| *g = if y > 0.0 { *g } else { 0.0 });
            dy = flex_tensor(g, dy.shape());
        }
        let [n, c, h, w] = dims4(&x, "batch_norm input");
        let (dx, dgamma, dbeta) =
            norm::backward(slice(&x), slice(&dy), n, c, h * w, slice(&mean), slice(&var), slice(&gamma), eps);
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, flex_tensor(dx, [n, c, h, w]));
        }
        if let Some(node) = node_gamma {
            grads.register::<Flex>(node.id, flex_tensor(dgamma, [c]));
        }
        if let Some(node) = node_beta {
            grads.register::<Flex>(node.id, flex_tensor(dbeta, [c]));
        }
    }
}

/// Pooled tensor and the position of each maximum in its window.
pub(super) fn max_pool_with_arg(x: FlexTensor, size: usize) -> (FlexTensor, Vec<u8>) {
    let x = contiguous(x);
    let [n, c, h, w] = dims4(&x, "max_pool2d input");
    let (y, arg) = pool::max_pool_forward(slice(&x), n * c, h, w, size);
    (flex_tensor(y, [n, c, pool::pooled(h, size), pool::pooled(w, size)]), arg)
}

#[derive(Debug)]
struct MaxPoolBackward;

impl Backward<Flex, 1> for MaxPoolBackward {
    /// Input shape, window size, argmax positions.
    type State = ([usize; 4], usize, std::sync::Arc<Vec<u8>>);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node] = ops.parents;
        let dy = contiguous(grads.consume::<Flex>(&ops.node));
        let ([n, c, h, w], size, arg) = ops.state;
        if let Some(node) = node {
            let dx = pool::max_pool_backward(slice(&dy), &arg, n * c, h, w, size);
            grads.register::<Flex>(node.id, flex_tensor(dx, [n, c, h, w]));
        }
    }
}

#[derive(Debug)]
struct ConvBiasActBackward;

impl Backward<Flex, 3> for ConvBiasActBackward {
    /// Input, weight, forward output, padding, activation.
    type State = (FlexTensor, FlexTensor, FlexTensor, usize, FusedAct);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_w, node_b] = ops.parents;
        let dy = contiguous(grads.consume::<Flex>(&ops.node));
        let (x, weight, y, pad, act) = ops.state;
        let g = geometry(&x, &weight, pad);
        let (dx, dw, db) = conv::conv2d_backward(slice(&x), slice(&weight), slice(&y), slice(&dy), &g, act, node_x.is_some());
        if let (Some(node), Some(dx)) = (node_x, dx) {
            grads.register::<Flex>(node.id, flex_tensor(dx, [g.n, g.c, g.h, g.w]));
        }
        if let Some(node) = node_w {
            grads.register::<Flex>(node.id, flex_tensor(dw, [g.k, g.c, g.kh, g.kw]));
        }
        if let Some(node) = node_b {
            grads.register::<Flex>(node.id, flex_tensor(db, [g.k]));
        }
    }
}

impl<C: CheckpointStrategy> FastConv for Autodiff<Flex, C> {
    fn conv2d_bias_act(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        pad: usize,
        act: u8,
        slope: f32,
    ) -> FloatTensor<Self> {
        match ConvBiasActBackward.prepare::<C>([x.node(), weight.node(), bias.node()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let (xp, wp) = (contiguous(x.into_primitive()), contiguous(weight.into_primitive()));
                let y = Flex::conv2d_bias_act(xp.clone(), wp.clone(), bias.into_primitive(), pad, act, slope);
                prep.finish((xp, wp, y.clone(), pad, decode(act, slope)), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::conv2d_bias_act(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
                pad,
                act,
                slope,
            )),
        }
    }

    fn max_pool2d(x: FloatTensor<Self>, size: usize) -> FloatTensor<Self> {
        match MaxPoolBackward.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let xp = x.into_primitive();
                let shape = dims4(&xp, "max_pool2d input");
                let (y, arg) = max_pool_with_arg(xp, size);
                prep.finish((shape, size, std::sync::Arc::new(arg)), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::max_pool2d(x.into_primitive(), size)),
        }
    }

    fn batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let prep = BatchNormBackward.prepare::<C>([x.node(), gamma.node(), beta.node()]).compute_bound().stateful();
        let (xp, gp) = (contiguous(x.into_primitive()), contiguous(gamma.into_primitive()));
        let (y, mean, var) = Flex::batch_norm_train(xp.clone(), gp.clone(), beta.into_primitive(), epsilon, relu);
        let stats = (FloatTensor::<Self>::new(mean.clone()), FloatTensor::<Self>::new(var.clone()));
        let y = match prep {
            OpsKind::Tracked(prep) => prep.finish((xp, gp, mean, var, epsilon as f32, relu.then(|| y.clone())), y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        };
        (y, stats.0, stats.1)
    }

    fn dropout_mask(x: FloatTensor<Self>, rate: f32, seed: u64) -> FloatTensor<Self> {
        FloatTensor::<Self>::new(Flex::dropout_mask(x.into_primitive(), rate, seed))
    }

    fn batch_norm_eval(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        mean: FloatTensor<Self>,
        var: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self> {
        // `batch_norm` calls this only on devices without autodiff; were it reached with a
        // tracked input, the result must not pretend to carry its gradient.
        assert!(!x.is_tracked() && !gamma.is_tracked() && !beta.is_tracked(), "batch_norm_eval: inference only");
        let [x, gamma, beta, mean, var] = [x, gamma, beta, mean, var].map(|t| t.into_primitive());
        FloatTensor::<Self>::new(Flex::batch_norm_eval(x, gamma, beta, mean, var, epsilon, relu))
    }
}
