"""Example models of the kinds users bring, for the docs, the tests and the benchmarks.

``deepviz diagram`` takes any file; these are here so the figures in the README and the
scale benchmark are reproducible: ``deepviz diagram src/deepviz/diagrams/examples.py:gpt2_small
--input 1,128:long``.
"""
from __future__ import annotations

import torch
from torch import nn


def mlp(sizes=(2, 16, 1)) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def small_cnn() -> nn.Sequential:
    """A digit-sized CNN (1x12x12 in, 10 scores out): two convolutions, pooling, a linear head."""
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.ReLU(),
                         nn.Flatten(), nn.Linear(8 * 3 * 3, 10))


class BasicBlock(nn.Module):
    """A ResNet basic block: two 3x3 convolutions and the identity (or a 1x1 projection) added."""

    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else None)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        return torch.relu(self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x))))) + identity)


class ResNet(nn.Module):
    """ResNet-18's layout (2 basic blocks per stage) with a width factor for small test models."""

    def __init__(self, widths=(64, 128, 256, 512), blocks=2, classes=1000):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, widths[0], 7, 2, 3, bias=False), nn.BatchNorm2d(widths[0])
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        stages, cin = [], widths[0]
        for i, c in enumerate(widths):
            stages.append(nn.Sequential(BasicBlock(cin, c, 1 if i == 0 else 2),
                                        *(BasicBlock(c, c) for _ in range(blocks - 1))))
            cin = c
        self.layers = nn.ModuleList(stages)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
        for stage in self.layers:
            x = stage(x)
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def resnet18() -> ResNet:
    return ResNet()


class GPT(nn.Module):
    """A decoder-only transformer from ``nn.TransformerEncoderLayer`` with a causal mask."""

    def __init__(self, layers=12, d=768, heads=12, vocab=50257, ctx=1024):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1], device=ids.device)
        mask = nn.Transformer.generate_square_subsequent_mask(ids.shape[1], device=ids.device)
        return self.head(self.ln(self.blocks(self.tok(ids) + self.pos(pos), mask=mask, is_causal=True)))


def gpt2_small() -> GPT:
    return GPT(12)


def gpt_48() -> GPT:
    return GPT(48)
