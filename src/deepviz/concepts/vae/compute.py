"""A VAE's sampling, loss, new digits and code space beside the autoencoder's, computed with torch: params -> Trace.

The models are :func:`deepviz.models.digits_ae.load_vae` and ``load_autoencoder`` (trained on the training
digits, cached); the digits shown are held-out test digits. For one digit x:

    mu, log sigma^2 = encoder(x),  sigma = exp(log sigma^2 / 2)
    z = mu + sigma * eps,           eps ~ N(0, I)            (the reparameterisation)
    loss = BCE(decoder(z), x) summed over the 64 pixels + KL(N(mu, sigma^2) || N(0, I))
    KL = 1/2 * sum_j (mu_j^2 + sigma_j^2 - log sigma_j^2 - 1)   (closed form)
"""
from __future__ import annotations

from typing import Any

import torch

from ...models import digits_ae
from ...models.digits_cnn import load
from ...style.numbers import fmt_num, fmt_vec
from ...trace import Trace, to_plain
from ..autoencoder.compute import code_grid, pick_examples, window
from .schema import VaeData


def _grid(decoder, codes: torch.Tensor, side: int) -> dict[str, Any]:
    grid, xs, ys = code_grid(codes, side)
    return {"side": side, "xs": xs, "ys": ys, "codes": grid, "images": decoder(grid).reshape(-1, 8, 8)}


@torch.no_grad()
def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    vae, ae = digits_ae.load_vae(), digits_ae.load_autoencoder()
    _, test = load()
    x = digits_ae.pixels(test.images)
    gen = torch.Generator().manual_seed(values["seed"])
    i = pick_examples(test.labels, 1, values["seed"])[0]

    mu, logvar = vae.encode(x)
    sigma = torch.exp(0.5 * logvar)
    eps = torch.randn(values["draws"], digits_ae.CODE, generator=gen)
    z = mu[i] + sigma[i] * eps
    recon = vae.decoder(z[:1])
    rec, kl = digits_ae.vae_losses(recon, x[i:i + 1], mu[i:i + 1], logvar[i:i + 1])
    # the test set's loss with one draw per digit, as in training
    all_rec, all_kl = digits_ae.vae_losses(vae.decoder(mu + sigma * torch.randn(x.shape[0], 2, generator=gen)),
                                           x, mu, logvar)
    n = values["new"]
    prior_z = torch.randn(n * n, digits_ae.CODE, generator=gen)
    ae_codes = ae.encoder(x)
    data = {
        "architecture": [64, digits_ae.HIDDEN, digits_ae.CODE, digits_ae.HIDDEN, 64],
        "test_size": len(x),
        "example": {"index": i, "label": test.labels[i], "image": x[i].reshape(8, 8), "mu": mu[i],
                    "logvar": logvar[i], "sigma": sigma[i], "eps": eps, "z": z,
                    "reconstruction": recon[0].reshape(8, 8),
                    "reconstruction_loss": rec[0], "kl": kl[0], "loss": rec[0] + kl[0]},
        "test_loss": {"reconstruction": all_rec.mean(), "kl": all_kl.mean(), "total": (all_rec + all_kl).mean()},
        "prior": {"side": n, "z": prior_z, "images": vae.decoder(prior_z).reshape(-1, 8, 8),
                  "window": window(torch.cat([mu, prior_z]))},
        "labels": test.labels,
        "vae": {"codes": mu, "window": window(mu), "grid": _grid(vae.decoder, mu, values["grid"])},
        "ae": {"codes": ae_codes, "window": window(ae_codes), "grid": _grid(ae.decoder, ae_codes, values["grid"])},
    }
    plain: VaeData = to_plain(data)
    return Trace(concept="vae", params={}, data=plain, narration=narration(plain), preset=preset)


def narration(t: VaeData) -> dict[str, str]:
    """Caption text per step, every number taken from the computed trace."""
    e, tl, n = t["example"], t["test_loss"], t["prior"]["side"]
    draws = len(e["eps"])
    return {
        "encode": f"A VAE's encoder gives a Gaussian, not a point: for this {e['label']}, a mean "
                  f"\u03bc = {fmt_vec(e['mu'])} and log \u03c3\u00b2 = {fmt_vec(e['logvar'])}, "
                  f"so \u03c3 = {fmt_vec(e['sigma'])}.",
        "sample": f"The code is drawn: z = \u03bc + \u03c3\u00b7\u03b5 with \u03b5 from N(0, I). "
                  f"{draws} draw{'s' if draws > 1 else ''} land around \u03bc; the first, "
                  f"\u03b5 = {fmt_vec(e['eps'][0])}, gives z = {fmt_vec(e['z'][0])}, which the decoder turns "
                  f"back into a digit.",
        "loss": f"The loss adds the reconstruction error, {fmt_num(e['reconstruction_loss'])} (cross-entropy over "
                f"64 pixels), and the KL divergence from N(0, I), {fmt_num(e['kl'])}: {fmt_num(e['loss'])}. "
                f"Over the test digits: {fmt_num(tl['reconstruction'])} + {fmt_num(tl['kl'])}.",
        "prior": f"The KL term keeps every code near N(0, I). So draw z from N(0, I) and decode it: "
                 f"{n * n} new digits no one wrote.",
        "compare": "The test digits' codes: the plain autoencoder's spread out with gaps between classes; the "
                   "VAE's means fill one round region around 0.",
        "smooth": "Decode a grid over each. The autoencoder's gaps were never trained on; the VAE's noise made "
                  "nearby codes decode alike, so its grid changes smoothly from digit to digit.",
    }
