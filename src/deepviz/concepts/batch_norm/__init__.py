"""Batch normalisation: the forward pass of a BatchNorm1d layer inside a 2-2-1 network."""
from ...catalog import Concept, Preset, register
from ...params import Bool, Float, Int, ParamSet, Str
from .data import check

PARAMS = ParamSet(
    (
        Str("data", "preset", "the data set: 'preset' (9 examples), rows 'x1,x2;x1,x2;...', or a CSV file path "
            "with two columns", names_files=True),
        Int("batch_size", 3, "examples per batch (the last batch may be smaller, not below 2)", min=2, max=6),
        Int("batch", 1, "which batch to show in detail (1 = the first)", min=1, max=20),
        Float("momentum", 0.1, "weight of the new batch in the running statistics", min=0.0, max=1.0),
        Float("eps", 1e-5, "epsilon added to the variance", min=1e-12, max=1.0),
        Bool("affine", True, "scale and shift the normalised values with gamma and beta"),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="batch-norm",
        title="Batch normalisation",
        summary="A BatchNorm1d layer normalises a batch's hidden activations, step by step.",
        description=(
            "Batch normalisation rescales each hidden unit so that, over the examples of a mini-batch, it "
            "has mean 0 and variance 1; then it scales and shifts the result with learned gamma and beta. "
            "The statistics are those of the hidden activations (not of the inputs), with the biased "
            "variance and epsilon exactly as torch.nn.BatchNorm1d computes them in training mode. Each "
            "batch has its own statistics; running averages of them, updated with momentum, replace them "
            "in evaluation mode. Every number is computed by PyTorch and checked against nn.BatchNorm1d."
        ),
        params=PARAMS,
        presets=(
            Preset("three-batches", "9 examples, 3 batches of 3; the first batch in detail", {}),
            Preset("second-batch", "the same data, the second batch in detail, momentum 0.5",
                   {"batch": 2, "momentum": 0.5}),
        ),
        compute="deepviz.concepts.batch_norm.compute:compute",
        scene="deepviz.concepts.batch_norm.scene:BatchNormScene",
    )
)
