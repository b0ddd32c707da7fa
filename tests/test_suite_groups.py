"""make test relies on pytest-xdist's groups (one simulated Ray cluster, one render of every preset): check
that the installed pytest and pytest-xdist still honour them (pytest 9.2 with xdist 3.8 silently did not)."""
import subprocess
import sys
import textwrap


def test_an_xdist_group_runs_on_one_worker(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent("""
        import pytest
        @pytest.hookimpl(tryfirst=True)
        def pytest_collection_modifyitems(config, items):
            for item in items:
                if "shared" in item.fixturenames:
                    item.add_marker(pytest.mark.xdist_group("late"))
        @pytest.fixture(scope="session")
        def shared():
            return 1
    """))
    (tmp_path / "test_g.py").write_text(textwrap.dedent("""
        import os, time, pytest
        def _log(kind):
            time.sleep(0.2)
            with open("workers.txt", "a") as f:
                f.write(f"{kind} {os.environ['PYTEST_XDIST_WORKER']}\\n")
        @pytest.mark.xdist_group("marked")
        @pytest.mark.parametrize("i", range(4))
        def test_marked(i): _log("marked")
        @pytest.mark.parametrize("i", range(4))
        def test_late(i, shared): _log("late")
        @pytest.mark.parametrize("i", range(4))
        def test_free(i): _log("free")
    """))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                          "--dist", "loadgroup", "test_g.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    seen: dict[str, set[str]] = {}
    for line in (tmp_path / "workers.txt").read_text().splitlines():
        kind, worker = line.split()
        seen.setdefault(kind, set()).add(worker)
    assert len(seen["marked"]) == 1 and len(seen["late"]) == 1, seen
