"""Adversarial examples: FGSM and PGD fool the trained digits CNN with a change we can barely see."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Float, Int, ParamSet

TEST_DIGITS = 359  # every fifth of scikit-learn's 1,797 digits is held out (deepviz.models.digits_cnn)

PARAMS = ParamSet(
    (
        Choice("part", "attack", "what the video shows: one attack step by step, or epsilon growing",
               choices=("attack", "sweep")),
        Int("digit", 0, "which held-out test digit (an index into the test set)", min=0, max=TEST_DIGITS - 1),
        Float("epsilon", 0.1, "the largest change of any pixel (the pixels run 0..1); the sweep's largest value",
              min=0.001, max=1.0),
        Choice("attack", "fgsm", "FGSM (one signed gradient step) or PGD (several, projected into the epsilon-ball)",
               choices=("fgsm", "pgd")),
        Int("target", -1, "the class the attack pushes the digit towards (-1: any class but the predicted one)",
            min=-1, max=9),
        Int("steps", 10, "PGD's steps, each 2.5 epsilon / steps long", min=1, max=50),
        Int("points", 6, "epsilon values in the sweep, evenly from 0 to epsilon", min=3, max=8),
    ),
)

CONCEPT = register(
    Concept(
        name="adversarial",
        title="Adversarial examples",
        summary="FGSM and PGD: a change of a few percent per pixel makes the trained digits CNN see another digit.",
        description=(
            "The trained digits CNN classifies a held-out digit correctly and confidently. The gradient of its loss "
            "with respect to the input pixels says which way each pixel should move to hurt it most; FGSM moves every "
            "pixel by the same small epsilon in that direction, x' = clip(x + eps sign(grad)), and the network sees "
            "another digit in an image that looks unchanged to us. As epsilon grows the prediction flips; PGD takes "
            "several smaller steps, each projected back into the epsilon-ball, and reaches a chosen target class "
            "where FGSM needs a larger epsilon or never gets there. Every number is computed by PyTorch autograd."
        ),
        params=PARAMS,
        presets=(
            Preset("fgsm", "one FGSM step of epsilon 0.1 against a confidently classified digit", {}),
            Preset("epsilon-sweep", "epsilon from 0 to 0.15: where the prediction flips, and the smallest epsilon",
                   {"part": "sweep", "epsilon": 0.15}),
            Preset("pgd-targeted", "ten PGD steps of epsilon 0.15 towards class 7, against FGSM",
                   {"attack": "pgd", "target": 7, "epsilon": 0.15}),
        ),
        compute="deepviz.concepts.adversarial.compute:compute",
        scene="deepviz.concepts.adversarial.scene:AdversarialScene",
    )
)
