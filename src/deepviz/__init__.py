"""deepviz: visual explanations of deep-learning concepts, computed by PyTorch.

Importing deepviz is light: torch and Manim load only when a trace or render needs them.

Examples:
    >>> import deepviz
    >>> t = deepviz.trace("batch-norm", batch_size=3, momentum=0.5)
    >>> t.concept, t.params["momentum"], len(t["batches"])
    ('batch-norm', '0.5', 3)
"""
# the render module is loaded first (it is light), so that importing the submodule later cannot rebind
# `deepviz.render` from the function below to the module
from . import render as _render_module  # noqa: F401
from .api import list_concepts, render, trace
from .params import ParamError


def diagram(model, example_input=None, style: str = "block", **options):
    """Draw ``model`` (block, node-link or volumes); see :func:`deepviz.diagrams.diagram`.

    ``example_input`` is a tensor or a shape, a list of them for a model that takes a list
    (``[torch.randn(3, 320, 320)]``), or a tuple of them for several inputs; keyword inputs go in
    ``inputs={"attention_mask": torch.ones(1, 128, dtype=torch.long)}``.
    """
    from .diagrams import diagram as draw

    return draw(model, example_input, style=style, **options)


def widget(concept: str, preset: str | None = None, **options):
    """A Jupyter widget for ``concept``: controls from its parameters, its narration, a still and the video.

    Needs ipywidgets (``pip install 'deepviz[notebook]'``); see :mod:`deepviz.notebook`.
    """
    from .notebook import widget as make

    return make(concept, preset, **options)


def show_studio(page: str = "", **options):
    """The studio's ``page`` in a Jupyter cell (an IFrame to a studio this kernel starts and stops).

    (Not ``deepviz.studio``: that name is the studio's package.)
    """
    from .notebook import studio as frame

    return frame(page, **options)


def watch(model, optimizer=None, logdir="runs/run", every: int = 50, histograms: bool = True):
    """Record your own training into TensorBoard event files; see :mod:`deepviz.runs.watch`.

    Every ``every``-th ``w.step(...)`` writes the scalars given, the learning rate, per-layer weight and
    gradient norms, update/weight ratios, activation statistics, dead ReLU fractions and (with
    ``histograms``) histograms; a NaN or inf is recorded and warned about at once.

    Examples:
        >>> with deepviz.watch(model, optimizer, logdir="runs/cnn") as w:  # doctest: +SKIP
        ...     for x, y in loader:
        ...         loss = loss_fn(model(x), y); loss.backward(); optimizer.step(); optimizer.zero_grad()
        ...         w.step(loss=loss)
    """
    from .runs.watch import watch as start  # torch and tensorboard load only when a run is recorded

    return start(model, optimizer, logdir=logdir, every=every, histograms=histograms)


__version__ = "0.1.0"
__all__ = ["diagram", "watch", "widget", "show_studio", "list_concepts", "render", "trace", "ParamError", "__version__"]
