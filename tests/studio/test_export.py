"""The playground's exports: the exact run log and restore, the weights, the standalone script, the movie."""
import io
import json
import math
import re
import subprocess
import sys

import pytest
import torch
from torch import nn

from deepviz.studio import export
from deepviz.studio.engine import (
    ACTIVATIONS,
    FEATURES,
    INITS,
    OPTIMIZERS,
    REGULARIZATION,
    Config,
    Playground,
    build,
    make_optimizer,
)

RESULT = re.compile(r"final train loss (\S+) test loss (\S+)")


def params(pg: Playground) -> list[torch.Tensor]:
    return [p.detach().clone() for p in pg.net.parameters()]


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


# -- the run log and an exact restore ---------------------------------------------------------------------
ADAM_DROPOUT = Config(dataset="spiral", hidden=(6, 4), activation="relu", optimizer="adam", dropout=0.2,
                      batch_size=7, points=200)


def test_restoring_and_training_on_is_the_same_as_never_having_trained_past_it():
    fresh, back = Playground(ADAM_DROPOUT), Playground(ADAM_DROPOUT)
    for _ in range(10):
        fresh.train_epoch()
        back.train_epoch()
    back.restore(5)
    assert back.epoch == 5 and [h[0] for h in back.history] == list(range(6)) and len(back.tape) == 6
    for _ in range(5):
        back.train_epoch()
    assert same(params(back), params(fresh)) and back.history == fresh.history and back.log == fresh.log


def test_restore_drops_the_later_changes_and_goes_back_to_that_epochs_settings():
    pg = Playground(ADAM_DROPOUT)
    for _ in range(3):
        pg.train_epoch()
    at3 = (params(pg), pg.cfg, len(pg.log))
    pg.update(learning_rate=0.1, regularization="l2", reg_rate=0.01)
    pg.step_batch()
    assert pg.set_weight(0, (1, 0), 0.5) is None
    pg.train_epoch()
    pg.restore(3)
    assert same(params(pg), at3[0]) and pg.cfg == at3[1] and len(pg.log) == at3[2]


def test_live_changes_batches_and_edits_are_logged_and_no_op_changes_are_not():
    pg = Playground(Config())
    pg.train_epoch()
    pg.update(learning_rate=pg.cfg.learning_rate)  # nothing changes
    pg.update(learning_rate=0.1, batch_size=5)
    pg.step_batch()
    pg.set_weight(1, (0,), 0.25)
    assert [e.kind for e in pg.log] == ["epoch", "set", "batch", "weight"]
    assert dict(pg.log[1].changes) == {"learning_rate": 0.1, "batch_size": 5}
    assert pg.linears()[1].bias[0].item() == 0.25
    pg.update(hidden=(3,))  # not live: a new run
    assert pg.log == [] and pg.start_cfg.hidden == (3,)


def test_set_weight_errors_name_layer_or_index_and_change_nothing():
    pg = Playground(Config(hidden=(4, 2)))
    before = params(pg)
    assert pg.set_weight(3, (0, 0), 1.0) == "layer: the network has 3 weight layers"
    assert pg.set_weight(0, (4, 0), 1.0) == "index: out of range for shape [4, 2]"
    assert pg.set_weight(0, (4,), 1.0) == "index: out of range for shape [4]"
    assert same(params(pg), before) and pg.log == []


# -- one snippet per engine table entry ------------------------------------------------------------------
def test_each_feature_snippet_computes_the_engines_feature():
    assert set(export.FEATURE_CODE) == set(FEATURES)
    a, b = torch.randn(50) * 4, torch.randn(50) * 4
    for name, code in export.FEATURE_CODE.items():
        assert torch.equal(eval(code, {"torch": torch, "x1": a, "x2": b}), FEATURES[name](a, b)), name


def test_each_activation_snippet_is_the_engines_activation():
    assert set(export.ACTIVATION_CODE) == set(ACTIVATIONS)
    x = torch.randn(200) * 3
    for name, code in export.ACTIVATION_CODE.items():
        module, ours = ACTIVATIONS[name](), eval(code, {"nn": nn})
        assert repr(ours) == repr(module) and torch.equal(ours(x), module(x)), name


def test_each_init_snippet_draws_the_engines_first_layer():
    assert set(export.INIT_CODE) == set(INITS)
    for name, (code, _) in export.INIT_CODE.items():
        engine = build(Config(init=name, features=("x1", "x2", "x1x2"), hidden=(5,), seed=3))[0]
        torch.manual_seed(3)
        lin = nn.Linear(3, 5)
        exec(code, {"nn": nn, "lin": lin})
        assert torch.equal(lin.weight, engine.weight), name


def test_each_optimizer_snippet_is_the_engines_optimizer():
    assert set(export.OPTIMIZER_CODE) == set(OPTIMIZERS)
    net = nn.Sequential(nn.Linear(2, 3))
    for name, (code, _) in export.OPTIMIZER_CODE.items():
        ours = eval(code, {"torch": torch, "net": net, "learning_rate": 0.07})
        engine = make_optimizer(Config(optimizer=name, learning_rate=0.07), net.parameters())
        assert type(ours) is type(engine) and ours.defaults == engine.defaults, name


def test_each_loss_and_penalty_snippet_computes_the_engines():
    assert set(export.PENALTY_CODE) == set(REGULARIZATION)
    for dataset, target in (("circle", torch.tensor([0, 1, 1, 0])), ("plane", torch.rand(4) * 2 - 1)):
        pg = Playground(Config(dataset=dataset, points=40))
        out = torch.randn(4, max(pg.cfg.classes, 1))
        code = export.LOSS_CODE[bool(pg.cfg.classes)][0]
        assert torch.equal(eval(code, {"nn": nn, "out": out, "target": target}), pg.loss_fn(out, target))
    for name, (code, _) in export.PENALTY_CODE.items():
        pg = Playground(Config(regularization=name, reg_rate=0.03, points=40))
        env = {"torch": torch, "reg_rate": 0.03, "weights": [m.weight for m in pg.linears()]}
        assert torch.equal(eval(code, env), pg.penalty()), name


def test_float_literals_read_back_to_the_same_float32():
    values = torch.cat([torch.randn(2000) * 5, torch.tensor([0.0, -0.0, 6.0, -6.0, 1e-8, 0.1])])
    literals = [export.float_literal(v) for v in values.tolist()]
    assert torch.equal(torch.tensor([float(s) for s in literals]), values)
    assert all(len(s) <= 16 for s in literals) and export.float_literal(0.5) == "0.5"


# -- the script reproduces the run -------------------------------------------------------------------------
def _custom_points() -> tuple[tuple[float, float, int], ...]:
    g = torch.Generator().manual_seed(5)
    xy = torch.rand(36, 2, generator=g) * 10 - 5
    return tuple((a, b, int(a > 0) + int(b > 2)) for a, b in xy.tolist())


def _eventful(pg: Playground) -> None:
    """Epochs, a restore, live changes, single batches and weight edits."""
    for _ in range(8):
        pg.train_epoch()
    pg.update(learning_rate=0.05)
    pg.train_epoch()
    pg.restore(6)  # drops the change and epochs 7-9
    pg.update(optimizer="momentum", regularization="l1", reg_rate=0.001, batch_size=9)
    pg.step_batch()
    pg.step_batch()
    pg.set_weight(1, (2, 0), 0.75)
    pg.set_weight(0, (1,), -0.5)
    for _ in range(4):
        pg.train_epoch()


RUNS = {
    "circle-default": (Config(), 15, None),
    "spiral-adam-l2": (Config(dataset="spiral", features=("x1", "x2", "x1^2", "sin(x1)", "sin(x2)"), hidden=(6, 4),
                              activation="relu", optimizer="adam", regularization="l2", reg_rate=0.002, batch_size=7,
                              init="he", points=300), 0, _eventful),
    "three-gauss-momentum-l1-dropout": (Config(dataset="three-gauss", optimizer="momentum", regularization="l1",
                                               reg_rate=0.001, dropout=0.2, hidden=(5,), points=240), 12, None),
    "regression": (Config(dataset="multi-gauss", noise=10, features=("x1", "x2", "x1x2"), hidden=(5,),
                          activation="sigmoid", learning_rate=0.1, points=240), 12, None),
    "custom-3-classes": (Config(dataset="custom", custom=_custom_points(), noise=5, activation="leaky_relu",
                                hidden=(4,), train_ratio=0.7), 20, None),
    "formula": (Config(dataset="formula", formula="y > sin(3*x)", activation="gelu", points=200), 10, None),
}


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    """Each run trained in the engine, its script written and run (all at once, in parallel)."""
    folder = tmp_path_factory.mktemp("scripts")
    runs = {}
    for name, (cfg, epochs, steps) in RUNS.items():
        pg = Playground(cfg)
        for _ in range(epochs):
            pg.train_epoch()
        if steps is not None:
            steps(pg)
        path = folder / f"{name}.py"
        path.write_text(export.script(pg), encoding="utf-8")
        proc = subprocess.Popen([sys.executable, str(path), str(folder / f"{name}.pt")], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        runs[name] = (pg, proc, folder / f"{name}.pt")
    return {name: (pg, *proc.communicate(timeout=120), proc.returncode, weights)
            for name, (pg, proc, weights) in runs.items()}


@pytest.mark.parametrize("name", RUNS)
def test_the_exported_script_reproduces_the_final_loss(scripted, name):
    pg, out, err, code, _ = scripted[name]
    assert code == 0, err
    train, test = map(float, RESULT.search(out).groups())
    ours_train, ours_test = pg.losses()
    assert train == pytest.approx(ours_train, rel=1e-5)
    assert test == pytest.approx(ours_test, rel=1e-5) or (math.isnan(test) and math.isnan(ours_test))


@pytest.mark.parametrize("name", ["spiral-adam-l2", "regression"])
def test_the_scripts_saved_weights_are_the_playgrounds(scripted, name):
    pg, _, _, _, weights = scripted[name]
    net = build(pg.cfg)
    net.load_state_dict(torch.load(weights, weights_only=True))
    assert same([p.detach() for p in net.parameters()], params(pg))


def test_the_script_is_torch_only_and_says_what_it_does(scripted):
    pg = scripted["spiral-adam-l2"][0]
    text = export.script(pg)
    imports = {line.split()[1] for line in text.splitlines() if line.startswith(("import ", "from "))}
    assert imports == {"sys", "torch"}
    assert "spiral, 300 points" in text and "relu" in text and "regularization = \"l2\"" in text
    assert "optimizer = \"momentum\"" in text and "linears[1].weight[2, 0] = 0.75" in text
    assert "epochs 1-6" in text and "epochs 7-10" in text  # the restore dropped epochs 7-9 of the first try


def test_a_formula_with_quotes_backslashes_or_new_lines_in_a_comment_stays_text_in_the_script():
    import ast

    for formula in ['x > 0 #"""; import os; os.system("echo injected"); """', "x > 0 # C:\\Users\\Nobody",
                    "(x > 0 # a\n)"]:
        text = export.script(Playground(Config(dataset="formula", formula=formula, points=20)))
        tree = ast.parse(text)  # compiles (no broken docstring or comment line)
        assert not any(isinstance(n, ast.Import) and n.names[0].name == "os" for n in ast.walk(tree))
        assert " ".join(formula.split()) in ast.get_docstring(tree)


def test_the_state_dict_loads_safely_and_reproduces_the_outputs():
    pg = Playground(Config(dataset="xor", hidden=(3, 3), dropout=0.1))
    for _ in range(3):
        pg.train_epoch()
    net = build(pg.cfg)
    net.load_state_dict(torch.load(io.BytesIO(export.state_dict_bytes(pg)), weights_only=True))
    net.eval()
    pg.net.eval()
    with torch.no_grad():
        assert torch.equal(net(pg.f_test), pg.net(pg.f_test))


def test_describe_words_each_setting():
    words = export.describe(Config(dataset="custom", custom=((0.0, 1.0, 0), (1.0, 0.0, 1)), dropout=0.1))
    assert words["data"].startswith("custom, 2 points") and "dropout 0.1" in words["regularization"]
    assert json.dumps(words)  # plain strings


# -- the movie ---------------------------------------------------------------------------------------------
def _trained(cfg: Config, epochs: int) -> Playground:
    pg = Playground(cfg)
    for _ in range(epochs):
        pg.train_epoch()
    return pg


def test_the_movie_trace_holds_the_engines_maps_and_losses_at_evenly_spaced_epochs():
    from deepviz.studio.movie import frame_epochs, movie_trace

    assert frame_epochs(list(range(11)), 4) == [0, 3, 7, 10] and frame_epochs([0, 1], 5) == [0, 1]
    pg = _trained(Config(dataset="three-gauss", points=120), 9)
    trace = movie_trace(pg, frames=4, resolution=12)
    frames = trace["frames"]
    assert [f["epoch"] for f in frames] == [0, 3, 6, 9]
    for f in frames:
        with pg.viewing(f["epoch"]) as snap:
            expected = pg.heatmaps(12)[-1]
        assert f["train_loss"] == snap.train_loss and f["test_loss"] == snap.test_loss
        torch.testing.assert_close(torch.tensor(f["output"]), expected, atol=0.006, rtol=0)
    assert [r[0] for r in trace["curve"]] == list(range(10)) and trace["classes"] == 3
    assert len(trace["points"]["train"]) + len(trace["points"]["test"]) == 120
    assert json.loads(json.dumps(trace.to_dict()))["concept"] == "playground-run"
    assert "After 9 epochs: train loss" in trace.caption("end")


def _ffprobe_frames(video) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                          "stream=codec_type,nb_read_frames", "-of", "json", str(video)], capture_output=True,
                         text=True, check=True).stdout
    stream = json.loads(out)["streams"][0]
    return int(stream["nb_read_frames"]) if stream["codec_type"] == "video" else 0


def test_the_movie_job_renders_an_mp4_and_reports_rising_progress(tmp_path):
    from deepviz.studio.movie import movie_trace, render_movie

    seen = []
    trace = movie_trace(_trained(Config(points=200), 12), frames=6, resolution=20)
    video = render_movie(tmp_path, lambda fraction, what: seen.append((fraction, what)), trace.to_dict(),
                         quality="test", theme="dark")
    assert video.suffix == ".mp4" and tmp_path in video.parents and _ffprobe_frames(video) > 10
    fractions = [f for f, _ in seen]
    assert fractions == sorted(set(fractions)) and fractions[-1] == 1.0 and len(fractions) == 5 + 3
    assert seen[-2][1] == "encoding"


@pytest.mark.parametrize("cfg, theme", [(Config(dataset="three-gauss", points=150), "light"),
                                        (Config(dataset="plane", points=150), "dark")],
                         ids=["three-classes-light", "regression-dark"])
def test_the_movie_scene_keeps_everything_in_the_frame(tmp_path, cfg, theme):
    from deepviz.render import render_trace
    from deepviz.studio.movie import movie_trace
    from deepviz.studio.movie_scene import PlaygroundRunScene

    trace = movie_trace(_trained(cfg, 8), frames=4, resolution=20)
    result = render_trace(trace, PlaygroundRunScene, tmp_path, quality="test", theme=theme, burn_captions=True,
                          check_frame=True)
    assert result.frame_violations == [] and _ffprobe_frames(result.video) > 10
