"""Overfitting: polynomial fits of growing capacity on a small noisy sample, and what L2, L1 and early stopping
do to the same fit."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Float, Int, Numbers, ParamSet
from .checks import check

PARTS = ("capacity", "penalties", "early-stopping")

PARAMS = ParamSet(
    (
        Choice("part", "capacity", "what the video shows: capacity (fits of growing degree, train and test loss), "
               "penalties (L2 and L1 on one high-degree fit), early-stopping (gradient descent stopped where the "
               "held-out loss is lowest)", choices=PARTS),
        Int("points", 12, "training cases, x uniform in [-1, 1], t = sin(\u03c0 x) + noise", min=4, max=60),
        Int("test_points", 200, "test cases from the same distribution (the loss on new data)", min=20, max=2000),
        Float("noise", 0.25, "standard deviation of the Gaussian noise on t", min=0.0, max=2.0),
        Int("seed", 0, "seed of the generated cases", min=0, max=1_000_000),
        Int("max_degree", 9, "the largest polynomial degree of the capacity sweep (degrees 0 to it)", min=1, max=15),
        Numbers("degrees", (1.0, 3.0, 9.0), "the three fits the capacity part draws (degrees)", rows=1, cols=3,
                min=0.0, max=15.0),
        Int("degree", 9, "the polynomial degree the penalties and early-stopping parts regularise", min=1, max=15),
        Numbers("l2", (0.0001, 0.01, 1.0), "three L2 strengths \u03bb (loss + \u03bb \u03a3 w\u2096\u00b2)",
                rows=1, cols=3, min=0.0, max=100.0),
        Numbers("l1", (0.001, 0.01, 0.1), "three L1 strengths \u03bb (loss + \u03bb \u03a3 |w\u2096|)", rows=1,
                cols=3, min=0.0, max=100.0),
        Int("steps", 3000, "gradient descent steps of the early-stopping part", min=10, max=20000),
        Float("lr", 0.9, "its learning rate as a fraction of the largest stable rate 2/\u03bbmax", min=0.001,
              max=0.999),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="overfitting",
        title="Overfitting and regularisation",
        summary="Polynomials of growing degree on 12 noisy points: the training loss falls, the test loss is a U; "
                "L2, L1 and early stopping tame the wiggles.",
        description=(
            "A small noisy sample of sin(\u03c0 x) is fitted by polynomials y = \u03a3 w\u2096 P\u2096(x) of growing "
            "degree (P\u2096 the Legendre polynomials, so the weights stay comparable). The training loss can only "
            "fall as the degree grows; the loss on new data falls, then rises: the high-degree fit follows the "
            "noise. An L2 penalty shrinks every weight towards zero, an L1 penalty sets some exactly to zero, and "
            "early stopping ends gradient descent where a held-out set's loss is lowest. Every fit, loss and "
            "weight is computed by PyTorch (least squares, the penalised minimum, torch.optim.SGD's steps)."
        ),
        params=PARAMS,
        presets=(
            Preset("capacity", "degrees 0 to 9 on 12 points: fits of degree 1, 3 and 9, and the U-shaped test "
                               "loss", {}),
            Preset("penalties", "the degree-9 fit with L2 (\u03bb = 0.0001, 0.01, 1) and L1 (\u03bb = 0.001, 0.01, "
                                "0.1): shrinking and exactly-zero weights", {"part": "penalties"}),
            Preset("early-stopping", "3000 gradient descent steps on the degree-9 fit, stopped where the held-out "
                                     "loss is lowest", {"part": "early-stopping"}),
        ),
        compute="deepviz.concepts.overfitting.compute:compute",
        scene="deepviz.concepts.overfitting.scene:OverfittingScene",
    )
)
