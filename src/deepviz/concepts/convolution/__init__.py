"""Convolution over channels: one filter position's dot product, activation maps, output size, max pooling."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Int, ParamError, ParamSet


def check(values: dict) -> None:
    """Cross-parameter limits: every filter and pooling window fits its input."""
    n, f, p = values["input"], values["kernel"], values["padding"]
    if f > n + 2 * p:
        raise ParamError("kernel", f"the {f}x{f} filter is larger than the padded {n + 2 * p}x{n + 2 * p} input")
    out = (n + 2 * p - f) // values["stride"] + 1
    if values["pool"] > out:
        raise ParamError("pool", f"the {values['pool']}x{values['pool']} window is larger than the {out}x{out} map")
    if values["image_kernel"] > values["image"]:
        raise ParamError("image_kernel", f"larger than the {values['image']}x{values['image']} image")


PARAMS = ParamSet(
    (
        Choice("part", "channels", "what the video shows", choices=("channels", "output-size", "pooling", "real-image")),
        Int("input", 7, "side N of the small example's input (the photo shrunk to N x N)", min=3, max=9),
        Int("channels", 3, "input channels (3: red, green, blue; 2: red, green; 1: grey)", min=1, max=3),
        Int("kernel", 3, "side F of the small example's filters (each spans every channel)", min=1, max=5),
        Int("stride", 1, "step of the filter", min=1, max=3),
        Int("padding", 0, "zeros added on each side of the input", min=0, max=2),
        Int("filters", 6, "number K of filters (and activation maps)", min=1, max=8),
        Int("image", 32, "side of the full-size photo the K filters also run over", min=8, max=64),
        Int("image_kernel", 5, "side of the filters on the full-size photo", min=1, max=9),
        Int("pool", 2, "side of the max-pooling window", min=1, max=4),
        Int("pool_stride", 2, "step of the max-pooling window", min=1, max=4),
        Int("seed", 0, "seed of the random filter weights and biases", min=0, max=2**31 - 1),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="convolution",
        title="Convolution layer",
        summary="A filter through the full depth of an image: dot products, activation maps, output size, pooling.",
        description=(
            "A convolution layer slides small filters over an image. A filter always spans the full depth "
            "of its input (a 5x5x3 filter on a 32x32x3 image); at each position it gives one number, the "
            "dot product of the filter with the chunk under it plus a bias, and all positions make one "
            "activation map. K filters make K maps. The output is (N - F)/stride + 1 wide, when that is a "
            "whole number; padding keeps the size. Max pooling shrinks each map on its own. The image is a "
            "photo scikit-learn ships; the filters are random (seeded), or on the real photo hand-made and the "
            "first-layer filters the digits CNN learned on handwritten digits. Every number is computed by "
            "PyTorch and checked against F.conv2d and F.max_pool2d."
        ),
        params=PARAMS,
        presets=(
            Preset("channels", "one position's dot product over 3 channels, the whole map, then K maps",
                   {"part": "channels"}),
            Preset("output-size", "N = 7, F = 3 with strides 1, 2 and 3 (which does not fit), then padding",
                   {"part": "output-size"}),
            Preset("pooling", "2x2 max pooling, stride 2, on each of two 4x4 activation maps",
                   {"part": "pooling", "input": 6, "filters": 2}),
            Preset("real-image", "the photo's brightness through hand-made edge, blur and sharpen filters, then through "
                   "the digits CNN's learned first-layer filters",
                   {"part": "real-image", "image": 48}),
        ),
        compute="deepviz.concepts.convolution.compute:compute",
        scene="deepviz.concepts.convolution.scene:ConvolutionScene",
    )
)
