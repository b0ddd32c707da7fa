"""A zoo of small models of the kinds users bring (built from code, random weights, no downloads):
each reproduces the structure that made an earlier capture or fold draw it wrongly.

Shapes are tiny so every model runs for real in milliseconds; the structure (module tree, call
pattern, masks, outputs) follows the Hugging Face, torchvision and timm originals.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

D, HEADS, VOCAB, T = 32, 4, 50, 8


def heads(x: torch.Tensor, n: int) -> torch.Tensor:
    """(B, T, D) -> (B, n, T, D/n)"""
    b, t, d = x.shape
    return x.view(b, t, n, d // n).transpose(1, 2)


def merge(x: torch.Tensor) -> torch.Tensor:
    b, n, t, dh = x.shape
    return x.transpose(1, 2).reshape(b, t, n * dh)


def attend(q, k, v, bias):
    return merge(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + bias, -1) @ v)


# -- BERT-style encoder with an attention mask (keyword input) --------------------------------------------
class BertSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(D, D), nn.Linear(D, D), nn.Linear(D, D)

    def forward(self, x, mask):
        return attend(heads(self.query(x), HEADS), heads(self.key(x), HEADS), heads(self.value(x), HEADS), mask)


class BertLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention, self.attn_out, self.ln1 = BertSelfAttention(), nn.Linear(D, D), nn.LayerNorm(D)
        self.intermediate, self.output, self.ln2 = nn.Linear(D, 4 * D), nn.Linear(4 * D, D), nn.LayerNorm(D)

    def forward(self, x, mask):
        x = self.ln1(x + self.attn_out(self.attention(x, mask)))
        return self.ln2(x + self.output(F.gelu(self.intermediate(x))))


class Bert(nn.Module):
    def __init__(self, layers=3):
        super().__init__()
        self.word, self.position, self.token_type = nn.Embedding(VOCAB, D), nn.Embedding(64, D), nn.Embedding(2, D)
        self.ln = nn.LayerNorm(D)
        self.layer = nn.ModuleList(BertLayer() for _ in range(layers))
        self.pooler = nn.Linear(D, D)

    def forward(self, input_ids, attention_mask):
        b, t = input_ids.shape
        if (attention_mask == 0).any():  # Hugging Face checks whether the mask masks anything: reads a value
            pass
        position_ids = torch.arange(t).expand(b, -1)
        token_type_ids = torch.zeros_like(input_ids)
        x = self.ln(self.word(input_ids) + self.position(position_ids) + self.token_type(token_type_ids))
        # _prepare_4d_attention_mask: (B, T) -> (B, 1, T, T) additive mask
        expanded = attention_mask[:, None, None, :].expand(b, 1, t, t).to(x.dtype)
        inverted = 1.0 - expanded
        mask = inverted.masked_fill(inverted.to(torch.bool), torch.finfo(x.dtype).min)
        for layer in self.layer:
            x = layer(x, mask)
        return {"last_hidden_state": x, "pooler_output": torch.tanh(self.pooler(x[:, 0]))}


# -- Llama-style decoder: RMSNorm, rotary, grouped k/v ------------------------------------------------------
class RMSNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(D))

    def forward(self, x):
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)


def rotate(x, cos, sin):
    a, b = x.chunk(2, -1)
    return x * cos + torch.cat([-b, a], -1) * sin


class LlamaAttention(nn.Module):
    def __init__(self, kv_heads=2):
        super().__init__()
        self.kv = kv_heads
        self.q_proj, self.o_proj = nn.Linear(D, D, bias=False), nn.Linear(D, D, bias=False)
        self.k_proj = nn.Linear(D, D // HEADS * kv_heads, bias=False)
        self.v_proj = nn.Linear(D, D // HEADS * kv_heads, bias=False)

    def forward(self, x, cos, sin, mask):
        q, k, v = heads(self.q_proj(x), HEADS), heads(self.k_proj(x), self.kv), heads(self.v_proj(x), self.kv)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        k, v = (t.repeat_interleave(HEADS // self.kv, 1) for t in (k, v))
        return self.o_proj(attend(q, k, v, mask))


class LlamaMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate_proj, self.up_proj = nn.Linear(D, 2 * D, bias=False), nn.Linear(D, 2 * D, bias=False)
        self.down_proj = nn.Linear(2 * D, D, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.input_layernorm, self.self_attn = RMSNorm(), LlamaAttention()
        self.post_attention_layernorm, self.mlp = RMSNorm(), LlamaMLP()

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Llama(nn.Module):
    def __init__(self, layers=2):
        super().__init__()
        self.embed_tokens = nn.Embedding(VOCAB, D)
        self.layers = nn.ModuleList(LlamaLayer() for _ in range(layers))
        self.norm, self.lm_head = RMSNorm(), nn.Linear(D, VOCAB, bias=False)

    def forward(self, input_ids):
        t = input_ids.shape[1]
        freqs = torch.outer(torch.arange(t).float(), 1.0 / 10000 ** (torch.arange(0, D // HEADS, 2).float() / D))
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.full((t, t), float("-inf")).triu(1)
        x = self.embed_tokens(input_ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.lm_head(self.norm(x))


# -- GPT-2-style decoder: one fused c_attn, a causal mask from tril --------------------------------------------
class GPT2Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.c_attn, self.c_proj = nn.LayerNorm(D), nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.ln_2, self.c_fc, self.mlp_proj = nn.LayerNorm(D), nn.Linear(D, 4 * D), nn.Linear(4 * D, D)

    def forward(self, x, mask):
        q, k, v = self.c_attn(self.ln_1(x)).split(D, -1)
        x = x + self.c_proj(attend(heads(q, HEADS), heads(k, HEADS), heads(v, HEADS), mask))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT2(nn.Module):
    def __init__(self, layers=3):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(VOCAB, D), nn.Embedding(64, D)
        self.h = nn.ModuleList(GPT2Block() for _ in range(layers))
        self.ln_f, self.lm_head = nn.LayerNorm(D), nn.Linear(D, VOCAB, bias=False)

    def forward(self, input_ids):
        t = input_ids.shape[1]
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool)).view(1, 1, t, t)
        mask = torch.zeros(1, 1, t, t).masked_fill(~causal, float("-inf"))
        x = self.wte(input_ids) + self.wpe(torch.arange(t))
        for block in self.h:
            x = block(x, mask)
        return self.lm_head(self.ln_f(x))


# -- T5-style encoder-decoder with cross-attention -----------------------------------------------------------
class T5Attention(nn.Module):
    def __init__(self, relative_bias=False):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(D, D, bias=False) for _ in range(4))
        self.relative_attention_bias = nn.Embedding(16, HEADS) if relative_bias else None

    def bias(self, tq, tk):
        rel = torch.arange(tk)[None, :] - torch.arange(tq)[:, None]
        bucket = rel.abs().clamp(max=15)
        return self.relative_attention_bias(bucket).permute(2, 0, 1).unsqueeze(0)

    def forward(self, x, kv=None, position_bias=None, mask=None):
        kv = x if kv is None else kv
        if position_bias is None:
            position_bias = (self.bias(x.shape[1], kv.shape[1]) if self.relative_attention_bias is not None
                             else torch.zeros(1, HEADS, x.shape[1], kv.shape[1]))
            if mask is not None:
                position_bias = position_bias + mask
        out = attend(heads(self.q(x), HEADS), heads(self.k(kv), HEADS), heads(self.v(kv), HEADS), position_bias)
        return self.o(out), position_bias


class T5LayerNorm(RMSNorm):
    pass


class T5Block(nn.Module):
    def __init__(self, decoder: bool, relative_bias: bool):
        super().__init__()
        self.self_norm, self.self_attn = T5LayerNorm(), T5Attention(relative_bias)
        if decoder:
            self.cross_norm, self.cross_attn = T5LayerNorm(), T5Attention()
        self.ff_norm, self.wi, self.wo = T5LayerNorm(), nn.Linear(D, 2 * D, bias=False), nn.Linear(2 * D, D, bias=False)

    def forward(self, x, position_bias=None, mask=None, encoder_out=None, cross_bias=None):
        h, position_bias = self.self_attn(self.self_norm(x), position_bias=position_bias, mask=mask)
        x = x + h
        if encoder_out is not None:
            h, cross_bias = self.cross_attn(self.cross_norm(x), encoder_out, position_bias=cross_bias)
            x = x + h
        return x + self.wo(F.relu(self.wi(self.ff_norm(x)))), position_bias, cross_bias


class T5Stack(nn.Module):
    def __init__(self, decoder: bool, layers: int):
        super().__init__()
        self.decoder = decoder
        self.block = nn.ModuleList(T5Block(decoder, i == 0) for i in range(layers))
        self.final_layer_norm = T5LayerNorm()

    def forward(self, x, encoder_out=None):
        t = x.shape[1]
        mask = None
        if self.decoder:  # causal: Hugging Face builds it from aranges and comparisons
            seq = torch.arange(t)
            causal = (seq[None, None, :].repeat(1, t, 1) <= seq[None, :, None]).to(x.dtype)
            mask = (1.0 - causal[:, None, :, :]) * torch.finfo(x.dtype).min
        bias = cross = None
        for block in self.block:
            x, bias, cross = block(x, bias, mask, encoder_out, cross)
        return self.final_layer_norm(x)


@dataclass
class Seq2SeqOutput:
    """Like Hugging Face's ``Seq2SeqLMOutput``: a dataclass, not a tensor."""

    logits: torch.Tensor
    encoder_last_hidden_state: torch.Tensor


class T5(nn.Module):
    def __init__(self, layers=3):
        super().__init__()
        self.shared = nn.Embedding(VOCAB, D)
        self.encoder, self.decoder = T5Stack(False, layers), T5Stack(True, layers)
        self.lm_head = nn.Linear(D, VOCAB, bias=False)

    def forward(self, input_ids, decoder_input_ids):
        enc = self.encoder(self.shared(input_ids))
        return Seq2SeqOutput(self.lm_head(self.decoder(self.shared(decoder_input_ids), enc)), enc)


# -- U-Net reusing one MaxPool2d ---------------------------------------------------------------------------
def conv_block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU())


class UNet(nn.Module):
    def __init__(self, c=4):
        super().__init__()
        self.enc1, self.enc2, self.enc3 = conv_block(1, c), conv_block(c, 2 * c), conv_block(2 * c, 4 * c)
        self.pool = nn.MaxPool2d(2)  # one module, three downsamplings
        self.bottleneck = conv_block(4 * c, 8 * c)
        self.up3, self.dec3 = nn.ConvTranspose2d(8 * c, 4 * c, 2, 2), conv_block(8 * c, 4 * c)
        self.up2, self.dec2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, 2), conv_block(4 * c, 2 * c)
        self.up1, self.dec1 = nn.ConvTranspose2d(2 * c, c, 2, 2), conv_block(2 * c, c)
        self.head = nn.Conv2d(c, 2, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        e3 = self.enc3(self.pool(e2))
        b = self.bottleneck(self.pool(e3))
        d3 = self.dec3(torch.cat([self.up3(b), e3], 1))
        d2 = self.dec2(torch.cat([self.up2(d3), e2], 1))
        return self.head(self.dec1(torch.cat([self.up1(d2), e1], 1)))


# -- ResNet bottleneck: one relu called three times ----------------------------------------------------------
class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride=1):
        super().__init__()
        cout = 4 * width
        self.conv1, self.bn1 = nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width)
        self.conv3, self.bn3 = nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else None)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)


class BottleneckResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1, self.relu = nn.Conv2d(3, 16, 7, 2, 3, bias=False), nn.BatchNorm2d(16), nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(Bottleneck(16, 8), Bottleneck(32, 8), Bottleneck(32, 8))
        self.layer2 = nn.Sequential(Bottleneck(32, 16, 2), Bottleneck(64, 16))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layer2(self.layer1(self.maxpool(self.relu(self.bn1(self.conv1(x))))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# -- a vision transformer whose blocks share one drop_path -----------------------------------------------------
class DropPath(nn.Module):
    def __init__(self, p=0.1):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        keep = torch.rand(x.shape[0], 1, 1) >= self.p
        return x * keep / (1 - self.p)


class ViTBlock(nn.Module):
    def __init__(self, drop_path: nn.Module):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(D), nn.MultiheadAttention(D, HEADS, batch_first=True)
        self.norm2, self.mlp = nn.LayerNorm(D), nn.Sequential(nn.Linear(D, 2 * D), nn.GELU(), nn.Linear(2 * D, D))
        self.drop_path = drop_path

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.drop_path(self.attn(h, h, h, need_weights=False)[0])
        return x + self.drop_path(self.mlp(self.norm2(x)))


class SharedDropPathViT(nn.Module):
    def __init__(self, depth=3):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, D, 8, 8)
        shared = DropPath()
        self.blocks = nn.ModuleList(ViTBlock(shared) for _ in range(depth))
        self.norm, self.head = nn.LayerNorm(D), nn.Linear(D, 10)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x).mean(1))


# -- ConvNeXt/EfficientNet-style Sequential stages -------------------------------------------------------------
class ConvNeXtBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dwconv, self.norm = nn.Conv2d(c, c, 7, padding=3, groups=c), nn.GroupNorm(1, c)
        self.pwconv1, self.pwconv2 = nn.Conv2d(c, 4 * c, 1), nn.Conv2d(4 * c, c, 1)

    def forward(self, x):
        return x + self.pwconv2(F.gelu(self.pwconv1(self.norm(self.dwconv(x)))))


class ConvNeXt(nn.Module):
    def __init__(self, widths=(8, 16, 32), depths=(2, 2, 2)):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 4, 4), nn.GroupNorm(1, widths[0]))
        stages = []
        for i, (c, n) in enumerate(zip(widths, depths)):
            down = [nn.GroupNorm(1, widths[i - 1]), nn.Conv2d(widths[i - 1], c, 2, 2)] if i else []
            stages.append(nn.Sequential(*down, *(ConvNeXtBlock(c) for _ in range(n))))
        self.stages = nn.Sequential(*stages)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(widths[-1], 10))

    def forward(self, x):
        return self.head(self.stages(self.stem(x)))


# -- recurrent models ---------------------------------------------------------------------------------------
class LSTMLanguageModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed, self.rnn, self.head = nn.Embedding(VOCAB, D), nn.LSTM(D, D, 2, batch_first=True), nn.Linear(D, VOCAB)

    def forward(self, ids):
        out, _ = self.rnn(self.embed(ids))
        return self.head(out)


class GRUSeq2Seq(nn.Module):
    """The encoder's output feeds an attention, its final h starts the decoder: both are read."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D)
        self.encoder, self.decoder = nn.GRU(D, D, batch_first=True), nn.GRU(D, D, batch_first=True)
        self.head = nn.Linear(2 * D, VOCAB)

    def forward(self, src, tgt):
        memory, h = self.encoder(self.embed(src))
        out, _ = self.decoder(self.embed(tgt), h)
        context = torch.softmax(out @ memory.transpose(1, 2), -1) @ memory
        return self.head(torch.cat([out, context], -1))


# -- a detector taking a list of 3-D images ----------------------------------------------------------------
class ImageList:
    """torchvision's batch of images padded to one size, with their original sizes (not a tensor)."""

    def __init__(self, tensors: torch.Tensor, image_sizes: list[tuple[int, int]]):
        self.tensors, self.image_sizes = tensors, image_sizes


class Transform(nn.Module):
    def forward(self, images: list[torch.Tensor]) -> ImageList:
        side = max(max(im.shape[-2:]) for im in images)
        batch = torch.stack([F.pad((im - 0.5) / 0.25, (0, side - im.shape[-1], 0, side - im.shape[-2]))
                             for im in images])
        return ImageList(batch, [tuple(im.shape[-2:]) for im in images])


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.transform = Transform()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.ReLU(), nn.Conv2d(8, 16, 3, 2, 1), nn.ReLU())
        self.cls_head, self.box_head = nn.Conv2d(16, 1, 1), nn.Conv2d(16, 4, 1)

    def forward(self, images: list[torch.Tensor]) -> list[dict[str, torch.Tensor]]:
        batch = self.transform(images)
        features = self.backbone(batch.tensors)
        scores, boxes = self.cls_head(features).flatten(1), self.box_head(features).flatten(2).transpose(1, 2)
        out = []
        for i in range(len(images)):
            keep = torch.nonzero(scores[i] > -1e9).squeeze(1)  # data-dependent size: no meta kernel
            out.append({"boxes": boxes[i][keep], "scores": scores[i][keep].sigmoid()})
        return out


# -- an early exit that calls .item() -----------------------------------------------------------------------
class EarlyExit(nn.Module):
    def __init__(self):
        super().__init__()
        self.stage1, self.exit1 = nn.Sequential(nn.Linear(8, 16), nn.ReLU()), nn.Linear(16, 3)
        self.stage2, self.exit2 = nn.Sequential(nn.Linear(16, 16), nn.ReLU()), nn.Linear(16, 3)

    def forward(self, x):
        h = self.stage1(x)
        early = self.exit1(h)
        if torch.softmax(early, -1).max().item() > 2.0:  # never: a probability; the check still runs
            return early
        return self.exit2(self.stage2(h))


# -- ALBERT-style: one layer called again and again ------------------------------------------------------------
class SharedLayer(nn.Module):
    def __init__(self, times=4):
        super().__init__()
        self.times = times
        self.embed = nn.Linear(8, D)
        self.layer = nn.Sequential(nn.Linear(D, D), nn.GELU())
        self.head = nn.Linear(D, 2)

    def forward(self, x):
        x = self.embed(x)
        for _ in range(self.times):
            x = self.layer(x)
        return self.head(x)


# -- control flow that reads a value --------------------------------------------------------------------------
class ValueBranch(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.c = nn.Linear(8, 8), nn.Linear(8, 8), nn.Linear(8, 2)

    def forward(self, x):
        h = self.a(x)
        if h.mean() > -1e9:  # always true, but only a real value can tell
            h = self.b(h)
        return self.c(h)


def seeded(builder, *args):
    torch.manual_seed(0)
    return builder(*args).eval()
