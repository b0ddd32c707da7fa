"""Small models of the kinds users bring: MLP, residual CNN, causal transformer, branches, two inputs."""
import torch
from torch import nn

from deepviz.diagrams.examples import GPT, ResNet  # noqa: F401 - GPT is used by the tests


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))


def ResNetLike():
    """Three identical residual blocks of 8 channels, no downsampling (one stage)."""
    return ResNet(widths=(8,), blocks=3, classes=10)


class Branchy(nn.Module):
    """Control flow that reads tensor values: torch.fx cannot trace it, meta cannot run it."""

    def __init__(self):
        super().__init__()
        self.a, self.b, self.c = nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 2)

    def forward(self, x):
        h = self.a(x)
        if h.sum() > -1e9:  # always true, but only a real value can tell
            h = self.b(h)
        return self.c(h)


def branchy():
    torch.manual_seed(0)
    return Branchy()


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.fa, self.fb, self.out = nn.Linear(3, 4), nn.Linear(5, 4), nn.Linear(8, 1)

    def forward(self, a, b):
        return self.out(torch.cat([self.fa(a), self.fb(b)], dim=1))
