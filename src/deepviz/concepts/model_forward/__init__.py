"""Your model's forward pass, animated with its real activations."""
from ...catalog import Concept, Preset, register
from ...params import Int, ParamSet, Str


def _check(values):
    from ...diagrams.loader import parse_input  # torch loads only when a command needs it

    parse_input(values["input"])


PARAMS = ParamSet(
    (
        Str("model", "deepviz.diagrams.examples:small_cnn", "the model: path/to/file.py:NAME or module:NAME, a "
            "function or class that builds it (called with no arguments)", max_length=400, names_files=True),
        Str("input", "1,1,12,12", "the example input's shape, e.g. 1,3,32,32 or 1,16:long (values are random, "
            "from --seed)", max_length=60),
        Int("seed", 0, "seed of the model's initial weights and of the example input", min=0, max=2**31 - 1),
        Int("depth", 0, "how deep the module hierarchy unfolds; 0 = the deepest with at most 8 boxes",
            min=0, max=12),
    ),
    cross_check=_check,
)

CONCEPT = register(
    Concept(
        name="model-forward",
        title="Your model's forward pass",
        summary="Any nn.Module: its layers as a diagram, and each layer's real activations as the data flows.",
        description=(
            "deepviz imports your model from a file (or a module), runs one forward pass on an example input "
            "and records every layer and the data flow between them, the same capture as 'deepviz diagram'. "
            "The video draws the diagram, then follows the data box by box: each layer's output shape, a "
            "heatmap of its values (negative blue, positive orange) and their statistics, all computed by "
            "PyTorch in that pass."
        ),
        params=PARAMS,
        presets=(
            Preset("small-cnn", "a digit-sized CNN: convolutions, pooling, a linear head", {}),
            Preset("mlp", "a 2-16-1 multilayer perceptron", {"model": "deepviz.diagrams.examples:mlp",
                                                               "input": "1,2"}),
        ),
        compute="deepviz.concepts.model_forward.compute:compute",
        scene="deepviz.concepts.model_forward.scene:ModelForwardScene",
    )
)
