"""A weight matrix moves space: y = W x (+ b) applied to the whole plane."""
from ...catalog import Concept, Preset, register
from ...params import Numbers, ParamSet

PARAMS = ParamSet(
    (
        Numbers("matrix", ((1.0, 2.0), (2.0, 1.0)), "the 2x2 weight matrix W, rows 'a,b;c,d' (its columns are "
                "where i-hat and j-hat land)", rows=2, cols=2, min=-3.0, max=3.0),
        Numbers("bias", (0.0, 0.0), "the bias b added after W (non-zero: an affine map)", rows=1, cols=2,
                min=-3.0, max=3.0),
        Numbers("vector", (1.0, 1.0), "an input vector x followed through the map", rows=1, cols=2,
                min=-2.0, max=2.0),
    ),
)

CONCEPT = register(
    Concept(
        name="linear-map",
        title="A weight matrix moves space",
        summary="The columns of W are where i-hat and j-hat land; the whole grid follows; a bias shifts it.",
        description=(
            "The weight matrix W of a layer sends every input x of the plane to W x. Its first column is where the "
            "basis vector i-hat = (1, 0) lands, its second where j-hat = (0, 1) lands; every other point follows "
            "as the same mix of the two, so grid lines stay straight, parallel and evenly spaced and the origin "
            "stays put. The unit square becomes a parallelogram whose signed area is det W (zero: the plane "
            "collapses onto a line or a point). Adding a bias b shifts everything, the origin too: an affine map. "
            "Every image point is computed by PyTorch as W p + b."
        ),
        params=PARAMS,
        presets=(
            Preset("columns", "W = [[1, 2], [2, 1]]: the columns are where i-hat and j-hat land", {}),
            Preset("rotation", "a rotation by 90 degrees", {"matrix": ((0.0, -1.0), (1.0, 0.0))}),
            Preset("scaling", "stretch x by 2, squash y by half", {"matrix": ((2.0, 0.0), (0.0, 0.5))}),
            Preset("shear", "a shear: j-hat leans over to (1, 1)", {"matrix": ((1.0, 1.0), (0.0, 1.0))}),
            Preset("reflection", "a mirror across the vertical axis", {"matrix": ((-1.0, 0.0), (0.0, 1.0)),
                                                                       "vector": (1.0, 0.5)}),
            Preset("affine", "a linear map, then a bias b = (1, 0.5) shifts everything",
                   {"matrix": ((1.0, -0.5), (0.5, 1.0)), "bias": (1.0, 0.5)}),
        ),
        compute="deepviz.concepts.linear_map.compute:compute",
        scene="deepviz.concepts.linear_map.scene:LinearMapScene",
    )
)
