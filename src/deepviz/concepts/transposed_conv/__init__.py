"""Transposed convolution: a direct convolution and its transpose, cell by cell."""
from ...catalog import Concept, Preset, register
from ...params import Bool, Int, Pair, ParamSet
from .arithmetic import check

PARAMS = ParamSet(
    (
        Pair("input", (5, 5), "input height x width", min=1, max=12),
        Pair("kernel", (3, 3), "kernel height x width", min=1, max=5),
        Pair("stride", (1, 1), "step of the kernel", min=1, max=4),
        Pair("padding", (0, 0), "zeros added on each side of the input", min=0, max=6),
        Pair("dilation", (1, 1), "spacing between kernel taps", min=1, max=3),
        Pair("output_padding", None, "extra rows/columns on the bottom/right of the transposed output "
             "(auto: the remainder that recovers the input size)", min=0, max=3),
        Int("seed", 0, "seed of the example's input values and kernel weights", min=0, max=2**31 - 1),
        Bool("matrix_view", False, "also show the convolution as a sparse matrix C and the transpose as C^T"),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="transposed-conv",
        title="Transposed convolution",
        summary="A convolution and its transpose, cell by cell, with the shape arithmetic.",
        description=(
            "A convolution slides a kernel over a (padded) input and sums the products under it; its "
            "output is smaller. The transposed convolution goes back to the input's shape: it is the "
            "same kind of sliding sum over a modified input, with zeros inserted between the cells "
            "(stride minus one), a border of zeros (kernel minus padding minus one; a crop of the result when "
            "the padding is larger, as conv_transpose2d does), and the kernel "
            "rotated by 180 degrees. When the stride does not divide evenly, several input sizes give "
            "the same output size, and an additional padding on the bottom/right recovers the one you "
            "started from. Every number is computed by PyTorch and checked against conv2d and "
            "conv_transpose2d."
        ),
        params=PARAMS,
        presets=(
            Preset("no-padding-unit-strides", "5x5 input, 3x3 kernel, no padding, stride 1",
                   {"input": (5, 5), "kernel": (3, 3), "padding": (0, 0), "stride": (1, 1)}),
            Preset("no-padding-strided", "4x4 input, 2x2 kernel, no padding, stride 2",
                   {"input": (4, 4), "kernel": (2, 2), "padding": (0, 0), "stride": (2, 2)}),
            Preset("padding-unit-strides", "3x4 input, 2x2 kernel, padding 1, stride 1",
                   {"input": (3, 4), "kernel": (2, 2), "padding": (1, 1), "stride": (1, 1)}),
            Preset("padding-strided", "3x4 input, 3x3 kernel, padding 1, stride 2 (needs output padding 0x1)",
                   {"input": (3, 4), "kernel": (3, 3), "padding": (1, 1), "stride": (2, 2)}),
            Preset("matrix-view", "4x4 input, 3x3 kernel: the convolution as a sparse matrix and its transpose",
                   {"input": (4, 4), "kernel": (3, 3), "matrix_view": True}),
        ),
        compute="deepviz.concepts.transposed_conv.compute:compute",
        scene="deepviz.concepts.transposed_conv.scene:TransposedConvScene",
    )
)
