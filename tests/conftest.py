import os
import shutil
import tempfile
from pathlib import Path

import pytest


def _test_cache() -> str:
    """The tests' cache (LaTeX, trained models, voices), not the user's: fresh for each run, and one for all the
    pytest-xdist workers of a run (named by its random id, set before this file loads), so each tiny model
    trains once per run, not once per worker. Sharing is safe: every cache write is a temporary file, then
    os.replace (deepviz.cache, models.cached)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        return tempfile.mkdtemp(prefix="deepviz-test-cache-")
    shared = Path(tempfile.gettempdir()) / f"deepviz-test-cache-{run}"
    shared.mkdir(mode=0o700, exist_ok=True)
    return str(shared)


os.environ["DEEPVIZ_CACHE_DIR"] = _test_cache()


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's hook reads the groups into the node ids
def pytest_collection_modifyitems(config, items):
    # every preset is rendered once per process that asks: keep the tests that ask on one xdist worker
    for item in items:
        if "rendered_all" in getattr(item, "fixturenames", ()):  # its closure: the tests using `rendered` too
            item.add_marker(pytest.mark.xdist_group("rendered_all"))
    if shutil.which("chromium") is None:
        skip = pytest.mark.skip(reason="Debian's chromium is not installed (scripts/setup.sh installs it)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def rendered_all(tmp_path_factory):
    """Every preset of every concept rendered once at the test quality, with the frame check on."""
    from deepviz import catalog
    from deepviz.render import render_concept

    out = tmp_path_factory.mktemp("renders")
    return {(c.name, p.name): render_concept(c.name, p.name, quality="test", output=out, check_frame=True)
            for c in catalog.concepts() for p in c.presets}


@pytest.fixture(scope="session")
def rendered(rendered_all):
    """The transposed-conv renders, by preset name."""
    return {p: r for (c, p), r in rendered_all.items() if c == "transposed-conv"}


@pytest.fixture(scope="session")
def ray_cluster():
    """Ray's simulation of two nodes (one CPU each) on this machine, this process connected to it, so
    ``cluster="ray"`` uses it. One start for every Ray test (they share the xdist group "ray")."""
    ray = pytest.importorskip("ray", reason="Ray is the extra deepviz[cluster] (make test installs it)")
    from deepviz.cluster import simulated_cluster

    c = simulated_cluster(nodes=2)
    ray.init(address=c.address, include_dashboard=False, log_to_driver=False)
    yield c
    ray.shutdown()
    c.shutdown()
