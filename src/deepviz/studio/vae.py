"""The GAN page's VAE / autoencoder mode: an encoder to a 2-D code and a decoder back, trained live on the
page's 2-D data or on scikit-learn's digits, and what the page draws of it (the code of every shown point, its
reconstruction, samples decoded from the prior, and a grid of codes decoded, so the page shows the decoding under
the pointer).

The VAE's encoder gives a mean and a log-variance per code coordinate; a code is drawn as
z = mu + sigma * eps (the reparameterisation); the loss is the squared reconstruction error plus ``beta`` times
KL(N(mu, sigma^2) || N(0, 1)). The autoencoder's encoder gives the code itself, and its loss is the
reconstruction error alone. Adam trains both networks together.

On the digits (the 8x8 images as 64 pixels in [0, 1]; batches from the training split, the shown points the first
SHOWN held-out digits) the networks are the videos' own, :mod:`deepviz.models.digits_ae`'s ``AutoEncoder`` and
``VAE`` (the layers and units settings are the 2-D data's), untrained, and the reconstruction error is their
decoder's: the binary cross-entropy of the pixels, summed over them.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace

import torch
from torch import nn
from torch.nn import functional as F

from ..models import digits_ae, digits_cnn
from ..threads import one_thread
from . import gan

MODELS = ("vae", "autoencoder")
DIGITS = "digits"
DATA = (*gan.DISTRIBUTIONS, DIGITS)  # the GAN page's 2-D data, and the digits (this mode only)
CODE_GRID = 21  # the decoded grid of codes: CODE_GRID x CODE_GRID over the code window


@dataclass(frozen=True)
class VaeConfig:
    model: str = "vae"
    distribution: str = "ring"  # the GAN page's real data (gan.sample_real), or DIGITS
    drawn: tuple[tuple[float, float], ...] = ()
    layers: int = 2
    units: int = 32
    beta: float = 0.05  # the KL term's weight (the data's scale is small: 1 smooths the code space into one blob)
    lr: float = 0.005
    batch: int = 64
    seed: int = 0


LIVE = frozenset({"beta", "lr", "batch"})


def build(cfg: VaeConfig):
    """The encoder (2 -> 4: mean and log-variance, or 2 -> 2: the code) and the decoder (2 -> 2); on the digits,
    digits_ae's networks (64 -> the same -> 64)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        if cfg.distribution == DIGITS:
            if cfg.model == "vae":
                model = digits_ae.VAE()
                return GaussianEncoder(model), model.decoder
            ae = digits_ae.AutoEncoder()
            return ae.encoder, ae.decoder
        encoder = gan.network(2, cfg.layers, cfg.units, 4 if cfg.model == "vae" else 2)
        return encoder, gan.network(2, cfg.layers, cfg.units, 2)


class GaussianEncoder(nn.Module):
    """digits_ae.VAE's encoder (its body, mu and logvar layers, shared) as one module: x -> [mu | log sigma^2],
    the shape of the 2-D VAE's encoder output."""

    def __init__(self, vae: digits_ae.VAE) -> None:
        super().__init__()
        self.body, self.mu, self.logvar = vae.body, vae.mu, vae.logvar

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.body(x)
        return torch.cat([self.mu(h), self.logvar(h)], 1)


@functools.cache
def digits() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The training digits' pixels, and the first SHOWN held-out digits' pixels and labels."""
    train, test = digits_cnn.load()
    return digits_ae.pixels(train.images), digits_ae.pixels(test.images[:gan.SHOWN]), test.labels[:gan.SHOWN]


def losses(cfg: VaeConfig, encoder, decoder, x: torch.Tensor, eps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(reconstruction error, KL) of the points ``x``: the squared distance summed over the two coordinates (the
    digits: the pixels' binary cross-entropy, summed) and the KL to N(0, 1) summed over the code's, both averaged
    over the points (the autoencoder's KL is 0)."""
    out = encoder(x)
    if cfg.model == "vae":
        mu, log_var = out[:, :2], out[:, 2:]
        z = mu + torch.exp(0.5 * log_var) * eps
        kl = 0.5 * (mu * mu + log_var.exp() - 1 - log_var).sum(1).mean()
    else:
        z, kl = out, torch.zeros(())
    out = decoder(z)
    error = F.binary_cross_entropy(out, x, reduction="none") if cfg.distribution == DIGITS else (out - x) ** 2
    return error.sum(1).mean(), kl


@dataclass
class VaeRun:
    cfg: VaeConfig = field(default_factory=VaeConfig)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self, cfg: VaeConfig | None = None) -> None:
        self.cfg = cfg or self.cfg
        self.encoder, self.decoder = build(self.cfg)
        self.opt = torch.optim.Adam([*self.encoder.parameters(), *self.decoder.parameters()], lr=self.cfg.lr)
        self.gen = torch.Generator().manual_seed(self.cfg.seed + 1)
        shown = torch.Generator().manual_seed(self.cfg.seed + 2)
        if self.digits:
            self.train_digits, self.real_eval, self.labels = digits()
        else:
            self.real_eval = gan.sample_real(self.cfg, gan.SHOWN, shown)  # type: ignore[arg-type] - the same fields
        self.prior_eval = torch.randn(gan.SHOWN, 2, generator=shown)
        self.iteration = 0
        self.history: list[list[float]] = []
        self.good = self._state()
        with one_thread():
            self._record(*self.measure())

    def update(self, **changes) -> None:
        cfg = replace(self.cfg, **changes)
        if not set(changes) <= LIVE:
            self.reset(cfg)
            return
        self.cfg = cfg
        for group in self.opt.param_groups:
            group["lr"] = cfg.lr

    @property
    def digits(self) -> bool:
        return self.cfg.distribution == DIGITS

    def batch(self) -> torch.Tensor:
        """A fresh batch of real points: sampled, or training digits drawn at random (with replacement)."""
        if self.digits:
            return self.train_digits[torch.randint(len(self.train_digits), (self.cfg.batch,), generator=self.gen)]
        return gan.sample_real(self.cfg, self.cfg.batch, self.gen)  # type: ignore[arg-type]

    def step(self) -> None:
        """One Adam step on a fresh batch of real points."""
        cfg = self.cfg
        with one_thread():
            x = self.batch()
            recon, kl = losses(cfg, self.encoder, self.decoder, x, torch.randn(cfg.batch, 2, generator=self.gen))
            self.opt.zero_grad(set_to_none=True)
            (recon + cfg.beta * kl).backward()
            self.opt.step()
        self.iteration += 1
        self._record(recon.item(), kl.item())
        if not self.diverged():
            self.good = self._state()

    def _record(self, recon: float, kl: float) -> None:
        self.history.append([self.iteration, recon, kl])

    @torch.no_grad()
    def measure(self) -> tuple[float, float]:
        """Both terms on the shown points, the code drawn at its mean (the autoencoder: the code)."""
        r, k = losses(self.cfg, self.encoder, self.decoder, self.real_eval, torch.zeros(len(self.real_eval), 2))
        return r.item(), k.item()

    # -- the NaN guard ----------------------------------------------------------------------------------
    def _state(self):
        return ({k: v.clone() for k, v in self.encoder.state_dict().items()},
                {k: v.clone() for k, v in self.decoder.state_dict().items()}, self.iteration)

    def diverged(self) -> bool:
        return not all(math.isfinite(v) for v in self.history[-1][1:])

    def restore_last_good(self) -> int:
        enc, dec, iteration = self.good
        self.encoder.load_state_dict(enc)
        self.decoder.load_state_dict(dec)
        self.opt = torch.optim.Adam([*self.encoder.parameters(), *self.decoder.parameters()], lr=self.cfg.lr)
        self.iteration = iteration
        del self.history[iteration + 1:]
        return iteration

    # -- what the page draws ----------------------------------------------------------------------------
    @torch.no_grad()
    def codes(self, x: torch.Tensor) -> torch.Tensor:
        """The code of each point: the encoder's mean (VAE) or its output (autoencoder)."""
        return self.encoder(x)[:, :2]

    @torch.no_grad()
    def view(self) -> dict[str, torch.Tensor | float]:
        codes = self.codes(self.real_eval)
        reach = float(codes.abs().max()) if torch.isfinite(codes).all() else 3.0
        window = max(0.5, 1.1 * reach)  # the autoencoder: the codes' reach
        if self.cfg.model == "vae":  # the prior's +-3 sigma (on the digits, wider where a code lies beyond)
            window = max(3.0, window) if self.digits else 3.0
        axis = torch.linspace(-window, window, CODE_GRID)
        zy, zx = torch.meshgrid(axis.flip(0), axis, indexing="ij")  # rows from the top (z2 = +window) down
        grid = torch.stack([zx.reshape(-1), zy.reshape(-1)], 1)
        if self.digits:  # the page draws the decoded grid and the codes (by label): the pixels of the rest stay here
            return {"codes": codes, "labels": self.labels, "window": window, "decoded_grid": self.decoder(grid)}
        return {"codes": codes, "reconstructions": self.decoder(codes), "window": window,
                "samples": self.decoder(self.prior_eval) if self.cfg.model == "vae" else torch.zeros(0, 2),
                "decoded_grid": self.decoder(grid)}
