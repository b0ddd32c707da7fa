"""Shuffled labels: 128 digits with their labels permuted (faulty training data). The network memorises
them (the training loss falls) while the loss on the true held-out digits rises: overfitting."""
from digits_training import main

if __name__ == "__main__":
    main("shuffled-labels", shuffle_labels=128, lr=0.01, steps=500)
