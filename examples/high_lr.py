"""A learning rate far too high (SGD with momentum at 100; about 0.05 trains this network): the gradients
explode in the first steps, the huge updates push every ReLU below zero, and learning stops."""
from digits_training import main

if __name__ == "__main__":
    main("high-lr", optimizer="sgd", lr=100.0, every=1, steps=100)
