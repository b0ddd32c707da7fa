"""deepviz: visual explanations of deep-learning concepts, computed by PyTorch.

Importing deepviz is light: torch and Manim load only when a trace or render needs them.
"""
from .api import list_concepts, render, trace
from .params import ParamError

__version__ = "0.1.0"
__all__ = ["list_concepts", "render", "trace", "ParamError", "__version__"]
