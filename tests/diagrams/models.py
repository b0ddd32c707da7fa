"""Small models of the kinds users bring: MLP, residual CNN, causal transformer, branches, two inputs."""
import torch
from torch import nn

from deepviz.diagrams.examples import GPT, ResNet  # noqa: F401 - GPT is used by the tests

from .zoo import ValueBranch


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))


def ResNetLike():
    """Three identical residual blocks of 8 channels, no downsampling (one stage)."""
    return ResNet(widths=(8,), blocks=3, classes=10)


def branchy():
    torch.manual_seed(0)
    return ValueBranch()  # control flow that reads a value: torch.fx cannot trace it, meta cannot run it


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.fa, self.fb, self.out = nn.Linear(3, 4), nn.Linear(5, 4), nn.Linear(8, 1)

    def forward(self, a, b):
        return self.out(torch.cat([self.fa(a), self.fb(b)], dim=1))
