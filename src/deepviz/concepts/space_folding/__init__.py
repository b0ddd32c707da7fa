"""Space folding: a cloud of points flows through a network, one operation at a time."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Int, ParamSet, Str
from .data import check

PARAMS = ParamSet(
    (
        Str("layers", "2-2-2", "sizes of the spaces: the input plane 2, hidden layers of 2 or 3 units, the last 2 "
            "(such as 2-3-2 or 2-3-2-2)", max_length=20),
        Choice("activation", "relu", "the hidden layers' activation", choices=("relu", "tanh", "sigmoid",
                                                                                "leaky_relu")),
        Choice("dataset", "square", "square: a filled square through random weights; circles or moons: two "
               "classes through a network trained on them", choices=("square", "circles", "moons")),
        Int("seed", 0, "seed of the weights (and of the data set's noise)", min=0, max=10_000),
        Int("steps", 0, "full-batch Adam steps of the training (0 for the square)", min=0, max=2000),
        Int("points", 240, "how many points (the square uses the largest k x k lattice that fits)", min=36,
            max=400),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="space-folding",
        title="How a network folds space",
        summary="A cloud of points passes through a network: linear map, shift, activation, layer by layer.",
        description=(
            "Each layer of a network is a linear map (W x: the plane is rotated, stretched and sheared, lines "
            "stay lines), a shift (+ b) and an activation. ReLU folds everything outside the first quadrant "
            "(or octant) onto the axes (or faces); a sigmoid squeezes every point into the unit square. A "
            "network trained on two classes that no line separates (two circles, two moons) moves the points "
            "until its last layer separates them with a line; drawn back in the input plane, that line is a "
            "bent decision boundary (straight pieces with ReLU, curved with tanh or a sigmoid). "
            "Every point's position after every stage is computed by PyTorch and checked against nn.Linear."
        ),
        params=PARAMS,
        presets=(
            Preset("2-2-2", "a filled square through a random 2-2-2 ReLU network and a sigmoid", {"seed": 6}),
            Preset("2-3-2", "the same in 3D: the plane is mapped into space and ReLU folds it onto the octant's "
                            "faces", {"layers": "2-3-2", "seed": 24}),
            Preset("trained", "two circles through a trained 2-3-2-1 ReLU network (a logistic output on 2-3-2); "
                                "the last hidden layer separates them with a line",
                   {"layers": "2-3-2", "dataset": "circles", "seed": 1, "steps": 400, "points": 200}),
        ),
        compute="deepviz.concepts.space_folding.compute:compute",
        scene="deepviz.concepts.space_folding.scene:SpaceFoldingScene",
    )
)
