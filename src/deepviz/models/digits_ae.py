"""An autoencoder and a variational autoencoder with a 2-D code, trained at first use on scikit-learn's digits.

Both read the 8x8 digits as 64 pixels in [0, 1] (the train/test split of :func:`deepviz.models.digits_cnn.load`):

    autoencoder  64 -> HIDDEN (ReLU) -> 2 = z -> HIDDEN (ReLU) -> 64 (sigmoid), loss: mean squared error
    VAE          64 -> HIDDEN (ReLU) -> (mu, log sigma^2), z = mu + sigma * eps, the same decoder,
                 loss: binary cross-entropy summed over the 64 pixels + KL(N(mu, sigma^2) || N(0, I))

Full-batch Adam (:func:`deepviz.models.training.adam`), seeded; the VAE's noise comes from a seeded generator,
so both trainings are deterministic. The weights are cached (:mod:`deepviz.models.cached`).
"""
from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn

from .cached import trained
from .digits_cnn import load
from .training import adam

MODEL_VERSION = 1  # bump when the data, an architecture or a training changes
HIDDEN = 64
CODE = 2
AE_STEPS, AE_LR = 1000, 0.01
VAE_STEPS, VAE_LR = 1000, 0.01
SEED = 0


def pixels(images: torch.Tensor) -> torch.Tensor:
    """(n, 8, 8) digits with values 0..16 -> (n, 64) pixels in [0, 1]."""
    return images.reshape(len(images), -1).to(torch.float32) / 16.0


def _decoder() -> nn.Sequential:
    return nn.Sequential(nn.Linear(CODE, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 64), nn.Sigmoid())


class AutoEncoder(nn.Module):
    """64 pixels -> a 2-D code -> 64 pixels."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, CODE))
        self.decoder = _decoder()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class VAE(nn.Module):
    """64 pixels -> (mu, log sigma^2) of a 2-D Gaussian; a sample of it -> 64 pixels."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU())
        self.mu = nn.Linear(HIDDEN, CODE)
        self.logvar = nn.Linear(HIDDEN, CODE)
        self.decoder = _decoder()

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(x)
        return self.mu(h), self.logvar(h)

    def forward(self, x: torch.Tensor, eps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Reconstruction, mu and log sigma^2 for the standard normal draws ``eps`` (n x 2)."""
        mu, logvar = self.encode(x)
        return self.decoder(mu + torch.exp(0.5 * logvar) * eps), mu, logvar


def vae_losses(recon: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """Per digit: the reconstruction loss (binary cross-entropy summed over pixels) and the closed-form
    KL(N(mu, sigma^2) || N(0, I)) = 1/2 sum(mu^2 + sigma^2 - log sigma^2 - 1)."""
    rec = F.binary_cross_entropy(recon, x, reduction="none").sum(1)
    kl = 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1).sum(1)
    return rec, kl


def _fit_ae(model: AutoEncoder) -> None:
    x = pixels(load()[0].images)
    adam(list(model.parameters()), lambda: F.mse_loss(model(x), x), AE_STEPS, AE_LR)


def _fit_vae(model: VAE) -> None:
    x = pixels(load()[0].images)
    gen = torch.Generator().manual_seed(SEED)

    def loss() -> torch.Tensor:
        recon, mu, logvar = model(x, torch.randn(len(x), CODE, generator=gen))
        rec, kl = vae_losses(recon, x, mu, logvar)
        return (rec + kl).mean()

    adam(list(model.parameters()), loss, VAE_STEPS, VAE_LR)


def _seeded(cls):
    def build():
        torch.manual_seed(SEED)
        return cls()
    return build


@lru_cache(maxsize=1)
def load_autoencoder() -> AutoEncoder:
    """The trained autoencoder (from the cache, or trained now and cached)."""
    return trained("digits-ae", (MODEL_VERSION, HIDDEN, AE_STEPS, AE_LR, SEED), _seeded(AutoEncoder), _fit_ae)[0]


@lru_cache(maxsize=1)
def load_vae() -> VAE:
    """The trained VAE (from the cache, or trained now and cached)."""
    return trained("digits-vae", (MODEL_VERSION, HIDDEN, VAE_STEPS, VAE_LR, SEED), _seeded(VAE), _fit_vae)[0]
