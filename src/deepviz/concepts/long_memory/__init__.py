"""Why gates: a vanilla RNN, a GRU and an LSTM on a task whose answer is the first token of a long sequence."""
from ...catalog import Concept, Preset, register
from ...params import Int, ParamSet

PARAMS = ParamSet(
    (
        Int("hidden", 8, "hidden size of each of the three readers", min=4, max=12),
        Int("seed", 1, "seed of the readers' initial weights and of the sequences", min=0, max=2**31 - 1),
    ),
)

CONCEPT = register(
    Concept(
        name="long-memory",
        title="Long memory: why gates",
        summary="A vanilla RNN, a GRU and an LSTM must remember the first token: gradients over time and accuracy "
                "as the gap grows.",
        description=(
            "The task: a sequence of A's and B's whose answer is its first letter; every later letter is filler "
            "the reader must ignore. A vanilla RNN, a GRU and an LSTM of the same hidden size are trained at first "
            "use for gaps of 2, 5, 10, 20 and 40 letters (seeded, cached, seconds on a CPU). Before training, the "
            "size of the loss's gradient at each step, |dL/dh(t)| on a log scale, shows how little of it reaches "
            "the first letter; after training, the accuracy on new sequences shows which cells learned to keep "
            "it. Every number comes from PyTorch (nn.RNN, nn.GRU, nn.LSTM and autograd)."
        ),
        params=PARAMS,
        presets=(
            Preset("gaps", "hidden size 8, gaps 2 to 40: the gradient before training and the accuracy after", {}),
        ),
        compute="deepviz.concepts.long_memory.compute:compute",
        scene="deepviz.concepts.long_memory.scene:LongMemoryScene",
    )
)
