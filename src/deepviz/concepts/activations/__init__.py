"""Activation functions: the non-linearities that keep a network from collapsing into one linear map."""
from ...catalog import Concept, Preset, register
from ...params import Float, Int, Numbers, ParamSet, Str
from .data import ALL, check

PARAMS = ParamSet(
    (
        Str("functions", ALL, "which functions to plot, in order, separated by commas (step, sigmoid, tanh, relu, "
            "leaky_relu, gelu, silu)", max_length=80),
        Float("slope", 0.1, "the leaky ReLU's slope a for negative x", min=0.01, max=0.5),
        Float("x_max", 4.0, "the plots show x from -x_max to x_max", min=2.0, max=6.0),
        Float("z", 1.2, "the logit z whose sigmoid is read as a probability", min=-6.0, max=6.0),
        Int("seed", 3, "seed of the two small linear layers that collapse into one", min=0, max=10_000),
        Numbers("point", (1.0, -1.0), "the input x sent through both linear layers", rows=1, cols=2,
                min=-3.0, max=3.0),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="activations",
        title="Activation functions",
        summary="Step, sigmoid, tanh, ReLU, leaky ReLU, GELU, SiLU with their derivatives; why linear layers "
                "alone collapse.",
        description=(
            "An activation function bends the weighted sum of each neuron. The Heaviside step is the one of the "
            "perceptron; "
            "the sigmoid is the step with its two ends joined smoothly, and its output reads as a probability; "
            "tanh is a centred sigmoid; ReLU, leaky ReLU, GELU and SiLU keep positive values and treat negative "
            "ones differently. Each is plotted with its derivative, the slope that backpropagation multiplies "
            "by. Without them, two linear layers are one: W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2). Values "
            "come from torch.nn.functional, derivatives from torch.autograd."
        ),
        params=PARAMS,
        presets=(
            Preset("tour", "all seven functions, the sigmoid as a joined step and a probability, the collapse", {}),
            Preset("negative-logit", "four functions on a wider range, a steeper leaky ReLU, a negative logit",
                   {"functions": "sigmoid,tanh,relu,leaky_relu", "slope": 0.2, "x_max": 5.0, "z": -1.5,
                    "seed": 7, "point": (1.0, 1.0)}),
        ),
        compute="deepviz.concepts.activations.compute:compute",
        scene="deepviz.concepts.activations.scene:ActivationsScene",
    )
)
