"""The examples in the public API's docstrings run and say what they print."""
import doctest
import importlib

import pytest

PUBLIC = ["deepviz", "deepviz.api", "deepviz.catalog", "deepviz.params", "deepviz.trace", "deepviz.diagrams"]


@pytest.mark.parametrize("name", PUBLIC)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
