"""The classroom on a cluster: ``deepviz studio --cluster`` trains the playground sessions as Ray actors."""
import subprocess
import sys

import pytest

from deepviz.cli import main
from deepviz.studio.server import create_app

pytestmark = pytest.mark.xdist_group("ray")  # one simulated cluster, on one worker


def test_the_studio_command_refuses_a_bad_cluster_address_or_a_missing_ray_in_one_line(capsys, monkeypatch):
    assert main(["studio", "--cluster", "ray://head"]) == 2
    assert capsys.readouterr().err.strip() == ("deepviz: error: --cluster: must be 'ray' (a local Ray instance) or "
                                               "'ray://HOST:PORT', got 'ray://head'")
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails
    assert main(["studio", "--cluster", "ray"]) == 2
    assert capsys.readouterr().err.strip() == "deepviz: error: --cluster: needs Ray: pip install 'deepviz[cluster]'"


def test_without_cluster_the_studio_keeps_its_local_pool_and_never_imports_ray():
    code = ("import sys; from deepviz.studio.server import create_app; app = create_app(); "
            "sys.exit(app.state.cluster is not None or 'ray' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
