"""Ravines: how inputs on different scales stretch the error surface, and how normalising them helps."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Float, Int, ParamSet, Str
from .data import check

PARAMS = ParamSet(
    (
        Str("data", "preset", "the training cases: 'preset' (the seed's 3), rows 'x1,x2,t;x1,x2,t;...', or a CSV "
            "file path with three columns (3 to 8 rows)", names_files=True),
        Float("lr", 0.8, "learning rate of gradient descent, as a fraction of each problem's largest stable rate "
              "2/lambda_max (the same fraction for the raw and the normalised inputs; below 1 converges)",
              min=0.01, max=2.0),
        Int("steps", 30, "gradient descent steps on each problem", min=1, max=200),
        Str("start", "0,0.2", "the weights 'w1,w2' both descents start from"),
        Str("contours", "5", "which contour lines of J to draw: a count (1 to 8, spread from the start's J down "
            "towards the minimum) or the levels of J themselves, e.g. '1,5,20,80'"),
        Choice("std", "biased", "the standard deviation that normalises: biased (divide by N) or unbiased "
               "(divide by N - 1), as torch.std with correction 0 or 1", choices=("biased", "unbiased")),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="ravines",
        title="Ravines in weight space",
        summary="Unnormalised inputs make a long thin ravine in J(w1, w2); normalising them rounds it out.",
        description=(
            "The squared error of a linear neuron over three training cases is a quadratic bowl in its two weights. "
            "When one input is many times larger than the other, the bowl's contour lines are long thin "
            "ellipses (a ravine): the Hessian 2/N X^T X has a large condition number, and gradient descent "
            "zig-zags across the ravine while it crawls along it. Normalising each input to mean 0 and "
            "standard deviation 1 rounds the ellipses, and the same descent goes almost straight to the "
            "minimum. Every number is computed by PyTorch: J, the normalisation, the Hessians' eigenvalues "
            "and condition numbers, the contour lines and each descent step."
        ),
        params=PARAMS,
        presets=(
            Preset("three-points", "(x1, x2, t) = (2, 40, 5), (4, 80, 7), (8, -160, 0); 30 steps at 0.8 of the "
                                   "largest stable rate", {}),
        ),
        compute="deepviz.concepts.ravines.compute:compute",
        scene="deepviz.concepts.ravines.scene:RavinesScene",
    )
)
