"""A training run as a video: any TensorBoard logdir's curves, gradient norms and histograms, and the diagnosis."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Float, ParamSet, Str

PARAMS = ParamSet(
    (
        Str("logdir", "", "a TensorBoard logdir (a folder of event files, e.g. written by deepviz.watch); empty = "
            "the example run, a tiny MLP trained with a learning rate far too high, recorded at first use",
            max_length=400, names_files=True),
        Str("run", "", "the run (a folder under logdir holding event files); empty = the first by name",
            max_length=200),
        Float("smoothing", 0.6, "TensorBoard's smoothing of the curves (0 = none)", min=0.0, max=0.99),
        Choice("histogram", "weights", "which histograms of a layer evolve", choices=("weights", "grads",
                                                                                     "activations")),
        Str("layer", "", "the layer whose histograms evolve; empty = the first the diagnosis names, else the first",
            max_length=200),
    ),
)

CONCEPT = register(
    Concept(
        name="training",
        title="A training run, diagnosed",
        summary="Any TensorBoard run: the loss curves drawing themselves, gradient norms and a histogram over "
                "steps, and what went wrong.",
        description=(
            "deepviz reads a run's TensorBoard event files (written by deepviz.watch, torch's SummaryWriter or "
            "any other writer) with TensorBoard's own reader. The video draws the recorded curves with "
            "TensorBoard's smoothing, each layer's gradient norm over the steps, and one layer's histogram "
            "evolving; then it marks each problem deepviz's diagnosis finds (divergence, exploding or vanishing "
            "gradients, dead ReLUs, a plateau, overfitting, update/weight ratios) at the step it began, with a "
            "suggestion. Every number comes from the event files."
        ),
        params=PARAMS,
        presets=(
            Preset("lr-too-high", "the example run: SGD with a learning rate far too high kills the ReLUs", {}),
            Preset("gradients", "the same run, with the gradient histograms of the layer that exploded",
                   {"histogram": "grads"}),
        ),
        compute="deepviz.concepts.training.compute:compute",
        scene="deepviz.concepts.training.scene:TrainingScene",
    )
)
