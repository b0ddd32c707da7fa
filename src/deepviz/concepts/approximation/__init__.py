"""Approximation: simple neurons combine into complex functions (and into a digit classifier)."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Int, ParamSet, Str
from .data import check

PARAMS = ParamSet(
    (
        Choice("show", "curves", "curves: one neuron, then sums of sigmoid units fitting a curve; digits: an MLP "
               "classifying 8x8 handwritten digits", choices=("curves", "digits")),
        Str("units", "2,4,8", "hidden sigmoid units of each network fitted to the curve, increasing (such as 2,4,8)",
            max_length=20),
        Choice("target", "wave", "the curve the sums of sigmoids fit", choices=("wave", "bump", "steps")),
        Int("steps", 1500, "full-batch Adam steps of every curve fit", min=0, max=5000),
        Int("hidden", 16, "hidden sigmoid units of the digit classifier", min=4, max=32),
        Int("digit_steps", 300, "full-batch Adam steps of the digit classifier", min=0, max=2000),
        Int("digits", 3, "test digits shown going through the classifier", min=1, max=5),
        Int("seed", 0, "seed of the initial weights, the curve's noise and the digits' train/test split", min=0,
            max=10_000),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="approximation",
        title="Combining simple neurons into complex functions",
        summary="One neuron fits a line or one bend; sums of sigmoid units fit any curve; an MLP reads digits.",
        description=(
            "A single linear neuron can only draw a line through curved data; a single sigmoid neuron bends once. "
            "A hidden layer of n sigmoid units, each scaled by its output weight, adds n bends: trained with "
            "torch on a curve, the sum of 2, 4, 8 units comes ever closer to it. The same pieces classify: a "
            "small MLP trained on scikit-learn's 8x8 handwritten digits lights up its hidden units and its 10 "
            "outputs for each test digit, and the largest output is its answer. Every curve, activation and "
            "accuracy is computed by PyTorch and checked against nn.Linear."
        ),
        params=PARAMS,
        presets=(
            Preset("sum-of-sigmoids", "a line and a sigmoid fitted to curved data, then 2, 4 and 8 sigmoid units "
                                      "fitting a wave", {}),
            Preset("digits", "a 64-16-10 MLP trained on 8x8 digits reads three test digits", {"show": "digits"}),
        ),
        compute="deepviz.concepts.approximation.compute:compute",
        scene="deepviz.concepts.approximation.scene:ApproximationScene",
    )
)
