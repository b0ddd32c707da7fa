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


__version__ = "0.1.0"
__all__ = ["diagram", "widget", "show_studio", "list_concepts", "render", "trace", "ParamError", "__version__"]
