"""Why a neural network's loss is not convex: swapping two hidden units changes the weights, not the loss."""
from ...catalog import Concept, Preset, register
from ...params import Int, ParamSet
from .data import check

PARAMS = ParamSet(
    (
        Int("hidden", 3, "hidden units of the 2-H-1 network", min=2, max=4),
        Int("unit_a", 1, "the first hidden unit of the swap", min=1, max=4),
        Int("unit_b", 2, "the second hidden unit of the swap", min=1, max=4),
        Int("seed", 1, "seed of the initial weights (the training is deterministic)", min=0, max=10_000),
        Int("steps", 1200, "full-batch Adam steps on the 24 points", min=0, max=5000),
        Int("example", 1, "which point the forward pass shows (1 to 24)", min=1, max=24),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="mlp-convexity",
        title="Why a network's loss is not convex",
        summary="Swapping two hidden units gives the same loss; halfway between the two lies a barrier.",
        description=(
            "A small 2-H-1 tanh network is trained with torch on 24 points in the XOR pattern. Swapping two "
            "hidden units (their columns of W1, entries of b1 and rows of W2) is a different point in weight "
            "space with exactly the same outputs and loss: a second minimum. On the straight line between the "
            "two, the loss rises above the chord (the midpoint averages the two units into one), so the loss "
            "is not convex; around each minimum it dips below a chord, so it is not concave either. Any "
            "ordering of the H hidden units gives such a minimum: H! of them. Every number is computed by "
            "PyTorch and checked against nn.Linear."
        ),
        params=PARAMS,
        presets=(
            # point 15: h1 and h2 have opposite signs there, so the swap is seen in the values
            Preset("swap-hidden-units", "a trained 2-3-1 network; swap h1 and h2, whose values at point 15 "
                                        "differ in sign", {"example": 15}),
        ),
        compute="deepviz.concepts.mlp_convexity.compute:compute",
        scene="deepviz.concepts.mlp_convexity.scene:MlpConvexityScene",
    )
)
