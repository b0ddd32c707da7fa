import shutil

import pytest


def pytest_collection_modifyitems(config, items):
    if shutil.which("chromium") is None:
        skip = pytest.mark.skip(reason="Debian's chromium is not installed (scripts/setup.sh installs it)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """Every transposed-conv preset rendered once at the test quality, with the frame check on."""
    from deepviz import catalog
    from deepviz.render import render_concept

    out = tmp_path_factory.mktemp("renders")
    concept = catalog.get("transposed-conv")
    return {p.name: render_concept(concept.name, p.name, quality="test", output=out, check_frame=True)
            for p in concept.presets}
