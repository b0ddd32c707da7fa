"""Automatic differentiation: the forward and backward pass on a computational graph."""
from ...catalog import Concept, Preset, register
from .params import MLP_2_2_1, PARAMS

CONCEPT = register(
    Concept(
        name="autodiff",
        title="Automatic differentiation",
        summary="Reverse-mode autodiff on a computational graph: forward values, then the chain rule backwards.",
        description=(
            "A loss is broken into named elementary operations, drawn as a graph (one node per quantity, one "
            "edge per dependency, laid out by Graphviz). The forward pass computes each node's value in "
            "topological order; the backward pass applies the chain rule from the output to the inputs, "
            "summing the contributions of every path where a node feeds several others. Pass your own "
            "expression with --expr and --values; every value and gradient is computed by PyTorch and "
            "checked against torch.autograd.grad."
        ),
        params=PARAMS,
        presets=(
            Preset("softmax-squared-error", "L = (t - y)^2 with y the softmax of (h1, h2); h1 = 0, h2 = 3, t = 1",
                   {}),
            Preset("mlp-2-2-1", "the squared error of a 2-2-1 network with sigmoid hidden units",
                   {"expr": MLP_2_2_1,
                    "values": "x1=1, x2=-2, w1=0.5, w2=-0.3, w3=0.8, w4=0.2, w5=1.2, w6=-0.7, t=1"}),
        ),
        compute="deepviz.concepts.autodiff.compute:compute",
        scene="deepviz.concepts.autodiff.scene:AutodiffScene",
    )
)
