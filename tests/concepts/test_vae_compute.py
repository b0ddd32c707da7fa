"""The VAE trace against independent torch computations: the layers by hand, torch.distributions'
KL divergence and Bernoulli log-likelihood, and the reparameterisation."""
import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Bernoulli, Normal, kl_divergence

import deepviz
from deepviz.models import digits_ae
from deepviz.models.digits_cnn import load

T = lambda nested: torch.tensor(nested, dtype=torch.float32)  # noqa: E731


@pytest.fixture(scope="module")
def data():
    return deepviz.trace("vae").data


def layers(x: torch.Tensor):
    """mu and log sigma^2 from the state_dict with F.linear."""
    sd = digits_ae.load_vae().state_dict()
    h = F.relu(F.linear(x, sd["body.0.weight"], sd["body.0.bias"]))
    return F.linear(h, sd["mu.weight"], sd["mu.bias"]), F.linear(h, sd["logvar.weight"], sd["logvar.bias"])


def decode(z: torch.Tensor) -> torch.Tensor:
    sd = digits_ae.load_vae().state_dict()
    h = F.relu(F.linear(z, sd["decoder.0.weight"], sd["decoder.0.bias"]))
    return torch.sigmoid(F.linear(h, sd["decoder.2.weight"], sd["decoder.2.bias"]))


def test_mu_sigma_and_the_draws_are_the_reparameterisation(data):
    e = data["example"]
    x = T(e["image"]).reshape(1, 64)
    mu, logvar = layers(x)
    assert torch.allclose(T(e["mu"]), mu[0], atol=1e-5) and torch.allclose(T(e["logvar"]), logvar[0], atol=1e-5)
    assert torch.allclose(T(e["sigma"]), logvar[0].exp().sqrt(), atol=1e-6)
    eps = torch.randn(len(e["eps"]), 2, generator=torch.Generator().manual_seed(0))  # the preset's seed
    assert torch.allclose(T(e["eps"]), eps)
    assert torch.allclose(T(e["z"]), mu + logvar.exp().sqrt() * eps, atol=1e-5)
    assert torch.allclose(T(e["reconstruction"]).reshape(1, 64), decode(T(e["z"][:1])), atol=1e-5)


def test_the_loss_is_bernoulli_likelihood_plus_the_kl_of_torch_distributions(data):
    e = data["example"]
    x = T(e["image"]).reshape(64)
    recon = T(e["reconstruction"]).reshape(64)  # grey pixels: the cross-entropy of a Bernoulli with a soft target
    assert e["reconstruction_loss"] == pytest.approx(float(-Bernoulli(probs=recon, validate_args=False).log_prob(x).sum()), rel=1e-4)
    kl = kl_divergence(Normal(T(e["mu"]), T(e["sigma"])), Normal(torch.zeros(2), torch.ones(2))).sum()
    assert e["kl"] == pytest.approx(float(kl), rel=1e-5)
    assert e["loss"] == pytest.approx(e["reconstruction_loss"] + e["kl"])
    tl = data["test_loss"]
    assert tl["total"] == pytest.approx(tl["reconstruction"] + tl["kl"], rel=1e-5)


def test_code_spaces_prior_draws_and_grids(data):
    _, test = load()
    x = test.images.reshape(len(test.images), -1) / 16
    mu, _ = layers(x)
    assert torch.allclose(T(data["vae"]["codes"]), mu, atol=1e-5)
    assert torch.allclose(T(data["ae"]["codes"]), digits_ae.load_autoencoder().encoder(x).detach(), atol=1e-5)
    p = data["prior"]
    assert torch.allclose(T(p["images"]).reshape(-1, 64), decode(T(p["z"])), atol=1e-5)
    assert len(p["z"]) == p["side"] ** 2
    g = data["vae"]["grid"]
    assert torch.allclose(T(g["images"]).reshape(-1, 64), decode(T(g["codes"])), atol=1e-5)
    # the VAE's means lie close to the prior's centre; the autoencoder's codes spread far wider
    spread = lambda c: float(T(c).std(0).mean())  # noqa: E731
    assert spread(data["vae"]["codes"]) < 1.5 < spread(data["ae"]["codes"])
