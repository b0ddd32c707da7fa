"""The optimiser page's export: the standalone script, run in a fresh interpreter, prints the page's paths."""
import ast
import json
import subprocess
import sys

import pytest
import torch
from fastapi.testclient import TestClient

from deepviz.studio.optimise import Settings, path
from deepviz.studio.optimise_export import script

CASES = {
    # sgd diverges here (the page stops it; the script runs on), its racers converge
    "quadratic": Settings(optimizer="sgd", alpha=2.5, beta=0.9, condition=50, rotation=-20,
                          race=["momentum", "adam", "rmsprop"]),
    "rosenbrock": Settings(surface="rosenbrock", optimizer="adamw", alpha=0.05, decay=0.1, start=(-1.5, 2.5),
                           race=["momentum", "adamw"]),
    "network": Settings(surface="network", optimizer="sgd", alpha=0.1, start=(-0.8, 0.6), steps=60, race=["adam"]),
}


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Each case's script written and run, all at once."""
    folder = tmp_path_factory.mktemp("optimise-scripts")
    procs = {}
    for name, s in CASES.items():
        file = folder / f"{name}.py"
        file.write_text(script(s), encoding="utf-8")
        procs[name] = subprocess.Popen([sys.executable, str(file)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True, cwd=folder)
    out = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        out[name] = json.loads(stdout)
    return out


@pytest.mark.parametrize("name", CASES)
def test_the_script_prints_the_pages_paths(ran, name):
    page = path(CASES[name])
    runs = [{"optimizer": CASES[name].optimizer, **page}, *page.get("race", [])]
    assert [r["optimizer"] for r in ran[name]] == [r["optimizer"] for r in runs]
    for got, want in zip(ran[name], runs):
        # the page stops a diverging path at its last point in bounds; the script runs every step
        n = len(want["points"])
        assert len(got["points"]) == CASES[name].steps + 1
        torch.testing.assert_close(torch.tensor(got["points"][:n], dtype=torch.float64),
                                   torch.tensor(want["points"], dtype=torch.float64), rtol=1e-12, atol=1e-15)
    assert (page["diverged"] is not None) == (name == "quadratic")


def test_the_script_needs_torch_only_and_says_what_it_runs():
    text = script(CASES["network"])
    imports = {n.names[0].name for n in ast.walk(ast.parse(text)) if isinstance(n, (ast.Import, ast.ImportFrom))}
    assert imports == {"json", "torch"}
    assert "Surface: network" in text and "sgd (step size 0.1); adam (step size 0.02)" in text


def test_the_script_route_answers_a_script_or_a_field_error():
    from deepviz.studio.server import create_app

    client = TestClient(create_app(), base_url="http://127.0.0.1")
    r = client.post("/api/optimise/script", json={"optimizer": "adam", "alpha": 0.1})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/x-python")
    assert "torch.optim.Adam([w], lr=0.1" in r.text
    bad = client.post("/api/optimise/script", json={"race": ["lbfgs"]})
    assert bad.status_code == 422 and bad.json()["field"] == "race"
