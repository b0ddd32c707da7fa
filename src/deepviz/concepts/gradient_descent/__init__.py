"""Gradient descent on the loss surface of a one-neuron regression: the gradient, learning rates, mini-batches,
momentum and Adam."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Float, Int, Numbers, ParamSet
from .checks import check

PARTS = ("descent", "learning-rates", "batches", "momentum")

PARAMS = ParamSet(
    (
        Choice("part", "descent", "what the video shows: descent (the gradient and each step), learning-rates "
               "(four rates side by side), batches (full batch against mini-batches), momentum (SGD, momentum and "
               "Adam on a ravine)", choices=PARTS),
        Int("points", 24, "training cases (x, t) generated", min=4, max=200),
        Int("seed", 0, "seed of the generated data and of the mini-batches' shuffling", min=0, max=1_000_000),
        Float("slope", 2.0, "the true slope: t = slope x + intercept + noise", min=-5.0, max=5.0),
        Float("intercept", -1.0, "the true intercept", min=-5.0, max=5.0),
        Float("noise", 0.3, "standard deviation of the Gaussian noise on t", min=0.0, max=3.0),
        Float("x_mean", 0.0, "the centre of the inputs x (uniform over x_mean \u00b1 1); the further from 0, the "
              "longer and thinner the loss's ravine", min=-5.0, max=5.0),
        Numbers("start", (-1.0, 2.0), "the weights 'w,b' every descent starts from", rows=1, cols=2,
                min=-20.0, max=20.0),
        Float("lr", 0.3, "the learning rate of SGD (descent, batches, momentum parts) as a fraction of the largest "
              "stable full-batch rate 2/\u03bbmax", min=0.001, max=3.0),
        Int("steps", 12, "steps of each descent (descent, learning-rates and momentum parts)", min=1, max=300),
        Numbers("rates", (0.05, 0.45, 0.9, 1.3), "the four learning rates of the learning-rates part, as fractions "
                "of 2/\u03bbmax (below 0.5 no overshoot, 0.5 to 1 oscillation, above 1 divergence)", rows=1, cols=4,
                min=0.001, max=10.0),
        Numbers("batches", (1.0, 6.0), "the two mini-batch sizes the batches part runs beside the full batch",
                rows=1, cols=2, min=1.0, max=200.0),
        Int("epochs", 4, "passes over the data in the batches part (the same work for every batch size)",
            min=1, max=30),
        Float("momentum", 0.9, "momentum \u03b2 of SGD with momentum (momentum part)", min=0.0, max=0.99),
        Float("adam_lr", 0.5, "Adam's learning rate (momentum part; Adam's steps are about this long)",
              min=0.001, max=5.0),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="gradient-descent",
        title="Gradient descent on a loss surface",
        summary="The loss over two weights of a real neuron, the gradient, learning rates, mini-batches, momentum "
                "and Adam.",
        description=(
            "A one-neuron regression y = w x + b on a small generated data set has a loss J(w, b), the mean "
            "squared error, over its two weights: a bowl whose contour lines are ellipses. The gradient is the two "
            "partial derivatives \u2202J/\u2202w and \u2202J/\u2202b, and each step moves the weights against it: "
            "w \u2190 w \u2212 \u03b7 \u2202J/\u2202w. Too small a learning rate crawls, a large one oscillates "
            "across the bowl, one above 2/\u03bbmax diverges. Mini-batches take cheaper, noisier steps; momentum "
            "and Adam cross a ravine faster than plain SGD. Every path is torch.optim's (SGD, SGD with momentum, "
            "Adam), every number computed by PyTorch."
        ),
        params=PARAMS,
        presets=(
            Preset("descent", "the gradient's two partial derivatives and 12 steps at 0.3 of the largest stable "
                              "rate", {}),
            Preset("learning-rates", "rates of 0.05, 0.45, 0.9 and 1.3 times 2/\u03bbmax side by side: crawl, "
                                     "converge, oscillate, diverge",
                   {"part": "learning-rates", "x_mean": 0.6, "steps": 20}),
            Preset("batches", "full batch against mini-batches of 1 and 6 over 4 epochs: the noisy path and the "
                              "loss per sample of work", {"part": "batches", "lr": 0.2}),
            Preset("momentum", "plain SGD, SGD with momentum 0.9 and Adam on a ravine (x centred at 2.5)",
                   {"part": "momentum", "x_mean": 2.5, "lr": 0.9, "steps": 40, "start": (-1.0, 5.0)}),
        ),
        compute="deepviz.concepts.gradient_descent.compute:compute",
        scene="deepviz.concepts.gradient_descent.scene:GradientDescentScene",
    )
)
