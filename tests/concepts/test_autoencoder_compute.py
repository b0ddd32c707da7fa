"""The autoencoder trace against an independent torch computation: the model's layers applied by hand."""
import pytest
import torch
import torch.nn.functional as F

import deepviz
from deepviz.models import digits_ae
from deepviz.models.digits_cnn import load

T = lambda nested: torch.tensor(nested, dtype=torch.float32)  # noqa: E731


@pytest.fixture(scope="module")
def data():
    return deepviz.trace("autoencoder").data


def by_hand(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The code and the reconstruction from the state_dict's weights with F.linear, not the modules."""
    sd = digits_ae.load_autoencoder().state_dict()
    z = F.linear(F.relu(F.linear(x, sd["encoder.0.weight"], sd["encoder.0.bias"])), sd["encoder.2.weight"],
                 sd["encoder.2.bias"])
    return z, decode(z)


def decode(z: torch.Tensor) -> torch.Tensor:
    sd = digits_ae.load_autoencoder().state_dict()
    h = F.relu(F.linear(z, sd["decoder.0.weight"], sd["decoder.0.bias"]))
    return torch.sigmoid(F.linear(h, sd["decoder.2.weight"], sd["decoder.2.bias"]))


def test_codes_reconstructions_and_errors_equal_the_layers_by_hand(data):
    _, test = load()
    x = test.images.reshape(len(test.images), -1) / 16
    z, recon = by_hand(x)
    assert torch.allclose(T(data["codes"]), z, atol=1e-5)
    assert data["labels"] == test.labels.tolist()
    assert data["test_error"] == pytest.approx(float(F.mse_loss(recon, x)), rel=1e-5)
    for e in data["examples"]:
        i = e["index"]
        assert torch.allclose(T(e["image"]).flatten(), x[i])
        assert torch.allclose(T(e["code"]), z[i], atol=1e-5)
        assert torch.allclose(T(e["reconstruction"]).flatten(), recon[i], atol=1e-5)
        assert e["error"] == pytest.approx(float(F.mse_loss(recon[i], x[i])), rel=1e-4)
        assert e["label"] == int(test.labels[i])
    assert len({e["label"] for e in data["examples"]}) == len(data["examples"])  # distinct classes


def test_the_decoded_grid_is_the_decoder_on_a_grid_of_codes(data):
    g = data["grid"]
    codes = T(g["codes"])
    assert codes.shape == (g["side"] ** 2, 2)
    assert torch.allclose(codes[:, 0], T(g["xs"]).repeat(g["side"]))
    assert torch.allclose(codes[:, 1], T(g["ys"]).repeat_interleave(g["side"]))
    assert g["ys"] == sorted(g["ys"], reverse=True) and g["xs"] == sorted(g["xs"])  # top row first
    assert torch.allclose(T(g["images"]).reshape(len(codes), -1), decode(codes), atol=1e-5)


def test_the_window_holds_every_code_and_the_model_learned(data):
    (x0, x1), (y0, y1) = data["window"]
    z = T(data["codes"])
    assert (z[:, 0] > x0).all() and (z[:, 0] < x1).all() and (z[:, 1] > y0).all() and (z[:, 1] < y1).all()
    # better than drawing every digit as the mean digit: the 2-D code carries information
    _, test = load()
    x = test.images.reshape(len(test.images), -1) / 16
    assert data["test_error"] < 0.7 * float(((x - x.mean(0)) ** 2).mean())


def test_other_examples_and_grid_sizes():
    d = deepviz.trace("autoencoder", examples=3, grid=4, seed=9).data
    assert len(d["examples"]) == 3 and d["grid"]["side"] == 4 and len(d["grid"]["images"]) == 16
