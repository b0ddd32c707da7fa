"""The positional-encoding trace against the paper's formula, written out with math, and the shift as a rotation."""
import math

import pytest
import torch

import deepviz
from deepviz.models.en_es import load
from deepviz.params import ParamError

T = lambda nested: torch.tensor(nested, dtype=torch.float32)  # noqa: E731


def paper_pe(n: int, d: int) -> torch.Tensor:
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)), in float64 math."""
    return torch.tensor([[math.sin(p / 10000 ** (c / d)) if c % 2 == 0 else math.cos(p / 10000 ** ((c - 1) / d))
                          for c in range(d)] for p in range(n)], dtype=torch.float32)


@pytest.mark.parametrize("preset", ["sinusoidal", "wide"])
def test_the_table_is_the_papers_formula(preset):
    t = deepviz.trace("positional-encoding", preset=preset)
    torch.testing.assert_close(T(t["encoding"]), paper_pe(t["positions"], t["d_model"]), rtol=0, atol=2e-5)
    for w in t["waves"]:  # each wave is its column, sampled between the positions too
        curve = T(w["curve"])
        on_positions = curve[curve[:, 0] == curve[:, 0].round()]
        torch.testing.assert_close(on_positions[:, 1], T(t["encoding"])[:, w["column"]], rtol=0, atol=2e-5)
        assert w["wavelength"] == pytest.approx(2 * math.pi * 10000 ** (w["column"] / t["d_model"]), rel=1e-5)
    lengths = [w["wavelength"] for w in t["waves"]]
    assert lengths == sorted(lengths) and len(lengths) == 4


@pytest.mark.parametrize("values", [{}, {"positions": 40, "d_model": 8, "pos": 0, "shift": 39, "pair": 3},
                                    {"d_model": 32, "pos": 20, "shift": 7, "pair": 15}])
def test_a_shift_is_one_fixed_block_rotation_for_every_position(values):
    t = deepviz.trace("positional-encoding", **values)
    r, pe, k, i, pos = t["rotation"], paper_pe(t["positions"], t["d_model"]), t["shift"], t["pair"], t["pos"]
    a = k / 10000 ** (2 * i / t["d_model"])
    torch.testing.assert_close(T(r["block"]), T([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]]),
                               rtol=0, atol=1e-6)
    torch.testing.assert_close(T(r["after"]), T(r["block"]) @ T(r["before"]), rtol=0, atol=1e-6)
    torch.testing.assert_close(T(r["target"]), pe[pos + k, 2 * i:2 * i + 2], rtol=0, atol=2e-5)
    m = T(r["map"])
    torch.testing.assert_close(pe[:-k] @ m.T, pe[k:], rtol=0, atol=5e-5)  # the same M_k for every position
    torch.testing.assert_close(m @ m.T, torch.eye(t["d_model"]), rtol=0, atol=1e-6)  # a rotation: orthogonal
    assert r["max_error"] < 5e-5


def test_the_encoding_is_added_to_the_self_attention_concepts_embeddings():
    t = deepviz.trace("positional-encoding", preset="sinusoidal", d_model=8)
    s = t["sentence"]
    same = deepviz.trace("self-attention", sentence=" ".join(s["words"]), d_model=8)
    assert s["embeddings"] == same["embeddings"] and s["x"] == same["x"]
    assert s["embeddings"][0] == s["embeddings"][3] and s["x"][0] != s["x"][3]  # "the" twice


@pytest.mark.parametrize("values, param", [({"d_model": 7}, "d_model"), ({"pos": 30, "shift": 2}, "shift"),
                                           ({"d_model": 8, "pair": 4}, "pair")])
def test_bad_values_name_their_parameter(values, param):
    with pytest.raises(ParamError) as err:
        deepviz.trace("positional-encoding", **values)
    assert err.value.param == param


def test_the_learned_table_is_the_tiny_transformers_and_the_similarities_are_cosines():
    from deepviz.models import transformer

    lt = deepviz.trace("positional-encoding", preset="sinusoidal")["learned"]
    model, _ = transformer.load_model()
    n = lt["positions"]
    assert n == max(len(en) for en, _ in load().pairs)
    torch.testing.assert_close(T(lt["table"]), model.src_pos.weight[:n].detach(), rtol=0, atol=0)
    for key, table in (("learned", model.src_pos.weight[:n].detach()), ("sinusoidal", paper_pe(n, lt["d_model"]))):
        cos = torch.nn.functional.cosine_similarity(table[:, None, :], table[None, :, :], dim=-1)
        torch.testing.assert_close(T(lt[key]), cos, rtol=0, atol=1e-5)
    s = T(lt["sinusoidal"])  # the sinusoidal similarity depends only on the distance p - q
    assert all(torch.allclose(s.diagonal(k), s.diagonal(k)[0].expand(n - k), atol=1e-5) for k in range(n))
    assert deepviz.trace("positional-encoding", learned=False)["learned"] is None
