"""The transformer page's live training against a reference torch.optim.Adam loop and an independent attention."""
import json
import math

import pytest
import torch
import torch.nn.functional as F
from fastapi.testclient import TestClient

from deepviz.models import tiny_gpt
from deepviz.studio import transformer, transformer_train
from deepviz.threads import one_thread

from .test_transformer import qkv_by_hooks

TEXT = "the dog ran to the park"


@pytest.fixture(scope="module")
def run():
    training = transformer_train.LiveTraining()
    training.thread.join(timeout=120)
    assert not training.thread.is_alive() and training.error is None
    return training


def reference(at: set[int]):
    """The seeded initial model after each k in ``at`` steps of torch.optim.Adam on fit's batches (yields k, model)."""
    t = tiny_gpt.text()
    model = tiny_gpt.build(len(t.vocab.words))
    x, y = tiny_gpt.windows(t.train, t.vocab, model.config.context)
    draw = torch.Generator().manual_seed(tiny_gpt.SEED)
    opt = torch.optim.Adam(model.parameters(), lr=tiny_gpt.LR)
    for k in range(max(at) + 1):
        if k in at:
            yield k, model
        if k == max(at):
            return
        pick = torch.randint(len(x), (tiny_gpt.BATCH,), generator=draw)
        logits = model(x[pick])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[pick].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()


def softmax_maps(model, tokens):
    """Every block's and head's softmax(QKᵀ/√d + causal mask), Q and K caught from the model's own forward."""
    _, qkv = qkv_by_hooks(model, tiny_gpt.load().vocab.ids(tokens))
    t = len(tokens)
    mask = torch.full((t, t), float("-inf")).triu(1)
    return [[torch.softmax(q[h] @ k[h].T / math.sqrt(q.shape[-1]) + mask, -1) for h in range(q.shape[0])]
            for q, k, _ in qkv]


def held_out(model) -> float:
    t = tiny_gpt.text()
    x, y = tiny_gpt.windows(t.test, t.vocab, model.config.context)
    with torch.no_grad():
        return F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item()


def test_snapshots_follow_a_torch_optim_adam_loop_from_the_seeded_initial_model(run):
    tokens = transformer.tokens_of(TEXT)
    steps = [s.step for s in run.snapshots]
    assert steps == list(range(0, tiny_gpt.STEPS + 1, transformer_train.EVERY))
    snaps = {s.step: s for s in (run.snapshots[0], run.snapshots[2], run.snapshots[-1])}
    with one_thread():  # tiny tensors: a thread pool only slows them
        for k, ref in reference(set(snaps)):  # the model as it is at step k (it trains on afterwards)
            maps = softmax_maps(ref, tokens)
            for b, h in ((0, 0), (1, 3)):
                torch.testing.assert_close(transformer_train.weights_at(snaps[k], tokens, b, h), maps[b][h],
                                           rtol=1e-4, atol=1e-4)
            assert snaps[k].held_out_loss == pytest.approx(held_out(ref), abs=1e-4)
    assert run.snapshots[0].held_out_loss > run.snapshots[-1].held_out_loss + 1  # it learns
    # the last snapshot is the cached model: its held-out loss is the one the page reports for it
    gpt = tiny_gpt.load()
    assert run.snapshots[-1].held_out_loss == pytest.approx(gpt.held_out_loss, abs=1e-6)
    assert run.snapshots[-1].train_loss == pytest.approx(gpt.train_loss, abs=1e-6)


def test_the_socket_trains_sends_new_snapshots_and_names_bad_fields():
    from deepviz.studio.server import create_app

    client = TestClient(create_app(), base_url="http://127.0.0.1")
    with client.websocket_connect("ws://127.0.0.1/ws/transformer") as ws:
        def ask(**m):
            ws.send_text(json.dumps({"type": "train", "text": TEXT, **m}))
            return json.loads(ws.receive_text())

        first = ask(action="start", block=1, head=2)
        assert first["type"] == "train" and first["tokens"][0] == tiny_gpt.END
        assert ask(head=9) == {"type": "error", "id": 0, "field": "head",
                               "detail": "head: 9: each block has heads 0..3"}
        assert ask(text="zebra")["field"] == "text"
        ws.send_text("{")
        assert json.loads(ws.receive_text())["field"] == "message"
        have = first["snapshots"]
        reply = first
        while reply["running"]:
            reply = ask(since=len(have), block=1, head=2)
            assert reply["since"] == len(have)
            have += reply["snapshots"]
        assert [s["step"] for s in have] == list(range(0, tiny_gpt.STEPS + 1, transformer_train.EVERY))
        assert len(ask(since=0)["snapshots"]) == len(have)  # the tape stays after the run
        stopped = ask(action="stop")
        assert not stopped["running"] and len(stopped["snapshots"]) == len(have)
    tokens = transformer.tokens_of(TEXT)
    want = softmax_maps(tiny_gpt.load().model, tokens)[1][2]
    torch.testing.assert_close(torch.tensor(have[-1]["weights"]), want, rtol=2e-3, atol=1e-4)  # 4 digits sent


def test_closing_the_tab_stops_the_run():
    session = transformer_train.Session()
    transformer_train.answer(session, json.dumps({"type": "train", "action": "start"}))
    run = session.training
    session.close()
    assert not run.thread.is_alive() and run.latest().step < tiny_gpt.STEPS
