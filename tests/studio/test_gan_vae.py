"""The GAN page's VAE / autoencoder mode: a step against a hand-written one (torch.distributions' KL, autograd,
Adam's formula), the decoded grid under the pointer, and its session (field errors, the NaN guard)."""
import json
import math

import pytest
import torch
from torch.distributions import Normal, kl_divergence

from deepviz.studio import gan, vae
from deepviz.studio.vae import VaeConfig, VaeRun
from deepviz.studio.workers import Worker

SMALL = dict(layers=1, units=8, batch=16)


def _adam(params, grads, m, v, t, lr):
    with torch.no_grad():
        for p, g, mi, vi in zip(params, grads, m, v):
            mi.mul_(0.9).add_(0.1 * g)
            vi.mul_(0.999).add_(0.001 * g * g)
            p -= lr * (mi / (1 - 0.9 ** t)) / ((vi / (1 - 0.999 ** t)).sqrt() + 1e-8)


@pytest.mark.parametrize("model", vae.MODELS)
def test_steps_equal_hand_written_ones(model):
    cfg = VaeConfig(model=model, beta=0.5, **SMALL)
    run = VaeRun(cfg)
    enc, dec = vae.build(cfg)
    params = [*enc.parameters(), *dec.parameters()]
    m, v = [torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params]
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    for t in range(1, 4):
        run.step()
        x = gan.sample_real(cfg, cfg.batch, gen)
        eps = torch.randn(cfg.batch, 2, generator=gen)
        out = enc(x)
        if model == "vae":
            q = Normal(out[:, :2], torch.exp(0.5 * out[:, 2:]))
            z, kl = q.loc + q.scale * eps, kl_divergence(q, Normal(0.0, 1.0)).sum(1).mean()
        else:
            z, kl = out, torch.zeros(())
        loss = (dec(z) - x).pow(2).sum(1).mean() + cfg.beta * kl
        _adam(params, torch.autograd.grad(loss, params), m, v, t, cfg.lr)
        assert run.history[-1][2] == pytest.approx(kl.item(), rel=1e-4, abs=1e-7)
    for mine, ref in zip([*run.encoder.parameters(), *run.decoder.parameters()], params):
        torch.testing.assert_close(mine, ref, atol=1e-5, rtol=1e-4)


def test_the_view_decodes_a_grid_of_codes_and_places_each_point_at_its_code():
    run = VaeRun(VaeConfig(**SMALL))
    view = run.view()
    w = view["window"]
    top_left = run.decoder(torch.tensor([[-w, w]])).detach()  # the grid's rows run from the top (z2 = +w)
    torch.testing.assert_close(view["decoded_grid"][0:1], top_left)
    torch.testing.assert_close(view["codes"], run.encoder(run.real_eval)[:, :2].detach())
    assert view["decoded_grid"].shape == (vae.CODE_GRID ** 2, 2) and view["samples"].shape == (gan.SHOWN, 2)


def _worker() -> Worker:
    worker = Worker()
    worker.open(1, "vae")
    worker.message(1, '{"type":"configure","settings":{"layers":1,"units":8}}')
    return worker


def test_the_session_trains_answers_field_errors_and_guards_against_nan():
    worker = _worker()
    (reply,) = worker.message(1, '{"type":"configure","settings":{"units":0}}')
    assert json.loads(reply)["detail"].startswith("settings.units:")
    (reply,) = worker.message(1, '{"type":"configure","settings":{"distribution":"drawn","drawn":[[0,0]]}}')
    assert json.loads(reply)["detail"].startswith("drawn:")
    worker.message(1, '{"type":"step"}')
    worker.sessions[1].frame_at = 0.0
    frame = next(json.loads(t) for _, t in worker.run(0.0) if t.startswith('{"type":"frame"'))
    assert frame["iteration"] == 1 and len(frame["decoded_grid"]) == vae.CODE_GRID ** 2
    with torch.no_grad():
        next(worker.sessions[1].run.decoder.parameters()).fill_(math.nan)
    worker.message(1, '{"type":"play"}')
    notices = [json.loads(t) for _, t in worker.run(0.05) if '"diverged"' in t]
    assert len(notices) == 1 and notices[0]["epoch"] == 1 and not worker.sessions[1].run.diverged()
