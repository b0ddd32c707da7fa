"""The optimiser page: its paths against torch.optim run independently, and its messages' field errors."""
import json
import math

import pytest
import torch
from fastapi.testclient import TestClient

from deepviz.studio import optimise
from deepviz.studio.optimise import Settings, path

WS = "ws://127.0.0.1/ws/optimise"


def reference_loss(surface, condition, rotation):
    """The surfaces written out independently of the engine (an eigen-decomposition built by hand)."""
    if surface == "rosenbrock":
        return lambda w: (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
    c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    u = torch.tensor([c, s], dtype=torch.float64)  # the eigenvector of eigenvalue 1
    v = torch.tensor([-s, c], dtype=torch.float64)  # ... and of 1 / condition
    return lambda w: 0.5 * ((u @ w) ** 2 + (v @ w) ** 2 / condition)


def reference_path(s: Settings):
    """torch.optim with autograd on the reference loss, default options but for the page's symbols."""
    f = reference_loss(s.surface, s.condition, s.rotation)
    w = torch.tensor(s.start, dtype=torch.float64, requires_grad=True)
    if s.optimizer == "adam":
        opt = torch.optim.Adam([w], lr=s.alpha, betas=(s.beta1, s.beta2))
    else:
        opt = torch.optim.SGD([w], lr=s.alpha, momentum=s.beta if s.optimizer == "momentum" else 0)
    points, losses = [w.detach().clone()], []
    for _ in range(s.steps):
        opt.zero_grad()
        loss = f(w)
        losses.append(loss.item())
        loss.backward()
        opt.step()
        points.append(w.detach().clone())
    losses.append(f(w).item())
    return torch.stack(points), torch.tensor(losses, dtype=torch.float64)


CASES = [
    Settings(optimizer="sgd", alpha=1.5, condition=20, rotation=-40),
    Settings(optimizer="momentum", alpha=0.8, beta=0.9, condition=100, rotation=75, start=(2.0, -1.0)),
    Settings(optimizer="adam", alpha=0.1, beta1=0.8, beta2=0.99),
    Settings(surface="rosenbrock", optimizer="sgd", alpha=0.001, start=(-1.5, 2.5)),
    Settings(surface="rosenbrock", optimizer="momentum", alpha=0.0005, beta=0.9, start=(0.5, -0.5)),
    Settings(surface="rosenbrock", optimizer="adam", alpha=0.05, start=(-1.9, 2.9)),
]


@pytest.mark.parametrize("s", CASES, ids=lambda s: f"{s.surface}-{s.optimizer}")
def test_the_path_is_torch_optim_on_the_surface(s):
    got = path(s)
    points, losses = reference_path(s)
    assert got["diverged"] is None and len(got["points"]) == s.steps + 1
    torch.testing.assert_close(torch.tensor(got["points"], dtype=torch.float64), points, rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(torch.tensor(got["losses"], dtype=torch.float64), losses, rtol=1e-9, atol=1e-12)


def test_momentum_is_distills_update_z_then_w():
    """z ← βz + ∇f(w), w ← w − αz, on the quadratic whose gradient is Aw."""
    s = Settings(optimizer="momentum", alpha=0.9, beta=0.7, condition=30, rotation=10, steps=50)
    a = optimise.hessian(s.condition, s.rotation)
    w, z = torch.tensor(s.start, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    expected = [w]
    for _ in range(s.steps):
        z = s.beta * z + a @ w
        w = w - s.alpha * z
        expected.append(w)
    torch.testing.assert_close(torch.tensor(path(s)["points"], dtype=torch.float64), torch.stack(expected))


@pytest.mark.parametrize("surface", ["quadratic", "rosenbrock"])  # the network's is autograd's own
def test_the_closed_form_gradient_is_autograds(surface):
    s = Settings(surface=surface, condition=7, rotation=-20)
    grad = optimise._gradient(s, optimise.hessian(7, -20) if surface == "quadratic" else None)
    for point in [(-1.2, 0.7), (0.3, 2.1), (1.9, -0.4)]:
        w = torch.tensor(point, dtype=torch.float64, requires_grad=True)
        (auto,) = torch.autograd.grad(reference_loss(surface, 7, -20)(w), w)
        torch.testing.assert_close(grad(w.detach()), auto)


def test_a_diverging_path_stops_at_its_last_finite_point():
    got = path(Settings(optimizer="sgd", alpha=10, surface="rosenbrock", start=(-1.5, 2.5)))
    assert got["diverged"] is not None and got["diverged"] == len(got["points"])
    flat = [v for p in got["points"] for v in p] + got["losses"]
    assert all(math.isfinite(v) for v in flat)
    assert max(abs(v) for v in got["points"][-1]) <= optimise.BOUND + 3


def test_the_surface_is_the_loss_on_a_grid_with_levels_inside_its_range():
    surf = optimise.surface(Settings(surface="rosenbrock"))
    n = surf["size"]
    assert len(surf["values"]) == n * n
    x0, x1, y0, y1 = surf["extent"]
    f = reference_loss("rosenbrock", 1, 0)
    # row-major from the bottom-left: index r * n + c is (x0 + c step, y0 + r step)
    r, c = 17, 60
    at = torch.tensor([x0 + c * (x1 - x0) / (n - 1), y0 + r * (y1 - y0) / (n - 1)], dtype=torch.float64)
    assert surf["values"][r * n + c] == pytest.approx(f(at).item(), rel=1e-4)
    assert min(surf["values"]) < surf["levels"][0] < surf["levels"][-1] < max(surf["values"])


@pytest.fixture()
def client():
    from deepviz.studio.server import create_app

    return TestClient(create_app(), base_url="http://127.0.0.1")


@pytest.mark.parametrize("settings, field", [
    ({"alpha": 0}, "alpha"), ({"alpha": 11}, "alpha"), ({"beta": 1}, "beta"), ({"beta1": -0.1}, "beta1"),
    ({"beta2": 1.5}, "beta2"), ({"condition": 0.5}, "condition"), ({"start": [5, 0]}, "start"),
    ({"surface": "rosenbrock", "start": [0, -2]}, "start"), ({"start": [1]}, "start"), ({"alpha": None}, "alpha"),
    ({"optimizer": "lbfgs"}, "optimizer"), ({"steps": 5000}, "steps"), ({"gamma": 1}, "gamma"),
    ({"race": ["adam", "lbfgs"]}, "race"), ({"race": ["sgd"] * 6}, "race"), ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 201}, "batch_size"), ({"decay": 1.5}, "decay"), ({"surface": "network", "start": [1.2, 0]}, "start"),
])
def test_bad_settings_get_a_field_error_over_http_and_the_socket(client, settings, field):
    r = client.post("/api/optimise/path", json=settings)
    assert r.status_code == 422 and r.json()["field"] == field, r.json()
    assert r.json()["detail"].startswith(f"{field}: ")
    with client.websocket_connect(WS) as ws:
        ws.send_text(json.dumps({"type": "path", "id": 3, "settings": settings}))
        reply = ws.receive_json()
        assert reply["type"] == "error" and reply["field"] == field, reply
        ws.send_text(json.dumps({"type": "path", "id": 4, "settings": {}}))  # the session keeps running
        assert ws.receive_json()["type"] == "path"


@pytest.mark.parametrize("raw", ['{"type":"path","settings":{"alpha":NaN}}', '{"type":"path","settings":{"alpha":Infinity}}',
                                 '{"type":"path","settings":{"start":[-Infinity,0]}}'])
def test_non_finite_numbers_are_refused(client, raw):
    with client.websocket_connect(WS) as ws:
        ws.send_text(raw)
        reply = ws.receive_json()
        assert reply["type"] == "error" and reply["field"] in ("alpha", "start"), reply
        assert "finite" in reply["detail"]  # said as such, not as a range it happens to miss
    assert client.post("/api/optimise/path", content=raw.split('"settings":')[1][:-1]).status_code == 422


def test_the_socket_sends_the_surface_once_and_then_paths_only(client):
    with client.websocket_connect(WS) as ws:
        ws.send_text(json.dumps({"type": "path", "id": 1, "settings": {}}))
        first = ws.receive_json()
        ws.send_text(json.dumps({"type": "path", "id": 2, "settings": {"start": [1, 1]}}))
        second = ws.receive_json()
        ws.send_text(json.dumps({"type": "path", "id": 3, "settings": {"condition": 50}}))
        third = ws.receive_json()
    assert (first["id"], second["id"], third["id"]) == (1, 2, 3)
    assert "surface" in first and "surface" not in second and "surface" in third
    assert second["points"][0] == [1, 1] and len(second["points"]) == 201


def test_the_schema_is_the_settings_with_their_defaults(client):
    schema = client.get("/api/optimise/schema").json()
    props = schema["properties"]
    assert schema["x-rates"] == optimise.RATES and schema["x-starts"]["network"] == [-0.8, 0.6]
    assert set(props) == set(Settings.model_fields)
    assert {k: p["default"] for k, p in props.items()} == Settings().model_dump(mode="json")
    assert props["race"]["items"]["enum"] == list(optimise.OPTIMIZERS) and props["alpha"]["exclusiveMinimum"] == 0


def test_the_page_is_served(client):
    from deepviz.studio.pages import STATIC

    html = client.get("/optimise").text
    assert ("optimise.js" in html) == STATIC.joinpath("optimise.js").is_file()


def test_another_origin_gets_no_path(client):
    from starlette.websockets import WebSocketDisconnect

    evil = {"origin": "https://evil.example"}
    assert client.post("/api/optimise/path", json={}, headers=evil).status_code == 403
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect(WS, headers=evil) as ws:
            ws.send_text(json.dumps({"type": "path", "settings": {}}))
            ws.receive_json()
