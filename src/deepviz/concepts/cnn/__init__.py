"""A trained digits CNN: every activation map of a forward pass, its filters, features, saliency and dreams."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Float, Int, ParamSet

TEST_DIGITS = 359  # every fifth of scikit-learn's 1,797 digits is held out (deepviz.models.digits_cnn)
CONV2_CHANNELS = 12

PARAMS = ParamSet(
    (
        Choice("part", "forward", "what the video shows",
               choices=("forward", "filters", "features", "saliency", "dream")),
        Int("digit", 97, "which held-out test digit (an index into the test set)", min=0, max=TEST_DIGITS - 1),
        Int("target", -1, "the class whose score the saliency map and the dream explain "
                          "(-1: the digit's predicted class)", min=-1, max=9),
        Int("channel", 1, "the conv2 channel the features part details and a channel dream maximises",
            min=1, max=CONV2_CHANNELS),
        Int("patches", 5, "top-activating test patches shown per conv2 channel", min=1, max=8),
        Int("occlusion", 4, "side of the grey occlusion patch, in input pixels", min=1, max=8),
        Int("occlusion_stride", 1, "step of the occlusion patch", min=1, max=4),
        Choice("dream_of", "class", "what the dream maximises: a class score or a conv2 channel's mean",
               choices=("class", "channel")),
        Int("steps", 120, "gradient-ascent steps of the dream", min=10, max=400),
        Float("lr", 0.1, "step size of the dream's gradient ascent", min=0.001, max=1.0),
        Float("l2", 0.02, "weight of the dream's L2 penalty on the input", min=0.0, max=1.0),
        Float("blur", 0.2, "how much of a 3x3 blur mixes into the dream after each step", min=0.0, max=1.0),
    ),
)

CONCEPT = register(
    Concept(
        name="cnn",
        title="A trained CNN",
        summary="A digits CNN trained here: every activation map, its filters, features, saliency and dreams.",
        description=(
            "A small convolutional network (conv, ReLU, max pool twice, then one linear layer) trained at "
            "first use on scikit-learn's handwritten digits, upsampled to 16x16. A held-out digit goes "
            "through every channel of every layer to the softmax; the learned first-layer filters and what "
            "each does to the digit; the test patches each second-layer channel responds to most (a larger "
            "receptive field: the feature hierarchy); a saliency map (the gradient of the class score with "
            "respect to the input) and an occlusion map; and activation maximisation, gradient ascent from a "
            "blank input. Every number is computed by PyTorch and checked against F.conv2d and autograd."
        ),
        params=PARAMS,
        presets=(
            Preset("forward", "a held-out digit through every channel of every layer to the softmax",
                   {"part": "forward"}),
            Preset("filters", "the six learned 3x3 filters and what each does to the digit", {"part": "filters"}),
            Preset("features", "the test patches each conv2 channel responds to most", {"part": "features"}),
            Preset("saliency", "the gradient of the class score and an occlusion map", {"part": "saliency"}),
            Preset("dream", "gradient ascent from a blank input to each class's ideal digit", {"part": "dream"}),
        ),
        compute="deepviz.concepts.cnn.compute:compute",
        scene="deepviz.concepts.cnn.scene:CnnScene",
    )
)
