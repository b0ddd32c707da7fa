"""Shared visuals: themes, palette, number formatting and Manim building blocks.

``theme`` and ``numbers`` are plain Python; ``mobjects``, ``layout`` and ``scene`` import
Manim and are loaded only by scenes.
"""
