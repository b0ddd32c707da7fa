"""A bad initialisation: conv biases at -0.5 (the inputs lie in [0, 1]), so most ReLUs never fire, no gradient
reaches the convolutions, and the loss stays where it began."""
from digits_training import DigitsCNN, main


def negative_biases(model: DigitsCNN) -> None:
    for conv in (model.conv1, model.conv2):
        conv.bias.fill_(-0.5)


if __name__ == "__main__":
    main("bad-init", init=negative_biases)
