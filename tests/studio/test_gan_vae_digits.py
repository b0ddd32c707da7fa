"""The GAN page's VAE / autoencoder mode on the digits: the networks are models.digits_ae's (the decoded grid and the
codes are that model's own decoder and encoder), a step equals a hand-written one (F.binary_cross_entropy summed,
torch.distributions' KL, Adam's formula), and the page shows the digit decoded under the pointer."""
import json

import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence

from deepviz.models import digits_ae, digits_cnn
from deepviz.studio import gan, vae
from deepviz.studio.vae import VaeConfig, VaeRun
from deepviz.studio.workers import Worker

from .test_browser import page, server  # noqa: F401 - the fixtures
from .test_gan_vae import _adam

MODEL = {"vae": digits_ae.VAE, "autoencoder": digits_ae.AutoEncoder}


def _videos_model(run: VaeRun) -> torch.nn.Module:
    """The run's weights in a digits_ae model of its kind (its state_dict keys: the encoder's, decoder.*)."""
    model = MODEL[run.cfg.model]()
    encoder = {("encoder." if run.cfg.model == "autoencoder" else "") + k: v for k, v in run.encoder.state_dict().items()}
    model.load_state_dict({**encoder, **{f"decoder.{k}": v for k, v in run.decoder.state_dict().items()}})
    return model


@pytest.mark.parametrize("model", vae.MODELS)
def test_digits_steps_equal_hand_written_ones(model):
    cfg = VaeConfig(model=model, distribution="digits", beta=0.5, batch=16)
    run = VaeRun(cfg)
    torch.manual_seed(cfg.seed)
    ref = MODEL[model]()  # the videos' network, initialised from the seed as the run's
    params = list(ref.parameters())
    m, v = [torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params]
    train = digits_cnn.load()[0].images.reshape(-1, 64) / 16
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    for t in range(1, 4):
        run.step()
        x = train[torch.randint(len(train), (cfg.batch,), generator=gen)]
        eps = torch.randn(cfg.batch, 2, generator=gen)
        if model == "vae":
            mu, logvar = ref.encode(x)
            q = Normal(mu, torch.exp(0.5 * logvar))
            z, kl = q.loc + q.scale * eps, kl_divergence(q, Normal(0.0, 1.0)).sum(1).mean()
        else:
            z, kl = ref.encoder(x), torch.zeros(())
        recon = F.binary_cross_entropy(ref.decoder(z), x, reduction="sum") / cfg.batch
        _adam(params, torch.autograd.grad(recon + cfg.beta * kl, params), m, v, t, cfg.lr)
        assert run.history[-1][1] == pytest.approx(recon.item(), rel=1e-4)
    for mine, theirs in zip(_videos_model(run).parameters(), params):
        torch.testing.assert_close(mine, theirs, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("model", vae.MODELS)
def test_the_decoded_grid_and_the_codes_are_the_videos_models_own(model):
    run = VaeRun(VaeConfig(model=model, distribution="digits"))
    for _ in range(5):
        run.step()
    view, ref = run.view(), _videos_model(run)
    w, n = view["window"], vae.CODE_GRID
    with torch.no_grad():
        corners = ref.decoder(torch.tensor([[-w, w], [0.0, 0.0], [w, -w]]))  # the grid's rows run from the top
        test = digits_cnn.load()[1]
        x = digits_ae.pixels(test.images[:gan.SHOWN])
        codes = ref.encode(x)[0] if model == "vae" else ref.encoder(x)
    torch.testing.assert_close(view["decoded_grid"][[0, n * n // 2, n * n - 1]], corners)
    torch.testing.assert_close(view["codes"], codes)
    assert torch.equal(view["labels"], test.labels[:gan.SHOWN]) and view["decoded_grid"].shape == (n * n, 64)


def test_the_session_takes_digits_in_the_vae_mode_only():
    worker = Worker()
    worker.open(1, "vae")
    assert worker.message(1, '{"type":"configure","settings":{"distribution":"digits"}}') == []
    worker.message(1, '{"type":"step"}')
    worker.sessions[1].frame_at = 0.0
    frame = next(json.loads(t) for _, t in worker.run(0.0) if t.startswith('{"type":"frame"'))
    assert frame["digits"] and frame["real"] == [] and len(frame["decoded_grid"][0]) == 64
    assert len(frame["codes"]) == len(frame["labels"]) == gan.SHOWN
    worker.open(2, "gan")
    (reply,) = worker.message(2, '{"type":"configure","settings":{"distribution":"digits"}}')
    assert json.loads(reply)["detail"].startswith("settings.distribution:")


@pytest.mark.browser
def test_the_page_shows_the_digit_decoded_under_the_pointer(server, page):  # noqa: F811
    page.goto(f"{server}/gan?mode=vae#distribution=digits")
    page.wait_for_function("window.gan && window.gan.vae && window.gan.vae.digits", timeout=60_000)
    assert page.is_visible("#digit") and page.is_hidden("#show-real")
    page.click("#play")
    page.wait_for_function("window.gan.vae.iteration >= 100", timeout=90_000)
    page.click("#play")
    page.wait_for_function("!window.gan.vae.playing")
    box = page.locator("#code").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the code (0, 0)
    assert page.inner_text("#code-readout").startswith("z = (0.00, 0.00)")
    centre = page.evaluate(f"window.gan.vae.decoded_grid[{(21 * 21) // 2}]")
    # the big digit's pixel (row 3, column 4): 12 canvas pixels a digit pixel, dark ink on white
    shown = page.evaluate("Array.from(document.querySelector('#digit').getContext('2d')"
                          ".getImageData(4 * 12 + 6, 3 * 12 + 6, 1, 1).data)")
    assert shown[0] == pytest.approx(255 * (1 - centre[3 * 8 + 4]), abs=2)
    page.screenshot(path="/tmp/gan-page-vae-digits.png")
    assert page.errors == []
