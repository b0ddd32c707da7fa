"""A 2-D GAN on a ring of Gaussians: the discriminator's map, the generator's gradient, alternating updates."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Int, ParamSet

PARAMS = ParamSet(
    (
        Choice("loss", "non-saturating", "the losses: log loss with G's non-saturating or saturating form, or "
               "least squares", choices=("non-saturating", "saturating", "least-squares")),
        Int("iterations", 500, "training iterations (each: one D step, then the G steps)", min=20, max=1000),
        Int("g_steps", 1, "G steps per iteration (more lets G chase D: mode collapse)", min=1, max=10),
        Int("modes", 8, "Gaussians on the ring of real data", min=3, max=12),
        Int("hidden", 32, "units in each of the two hidden layers of G and of D", min=4, max=64),
        Int("seed", 0, "seed of the initial weights and of every batch", min=0, max=2**31 - 1),
    ),
)

CONCEPT = register(
    Concept(
        name="gan",
        title="Generative adversarial network",
        summary="A generator and a discriminator take turns on a 2-D ring of Gaussians; mode collapse.",
        description=(
            "A GAN trains two networks against each other. The discriminator D learns to tell real samples "
            "(here a ring of Gaussians in the plane) from the generator's; the generator G turns random noise "
            "into samples and learns, through D's gradient, to move them where D says 'real'. The video shows "
            "D's decision as a heatmap, G's samples with the gradient of its loss as arrows, one iteration "
            "split into D's update and G's, both losses over training, snapshots of the game, and G's manifold: "
            "a grid of the noise space warped into the data space. With many G steps per D step, G chases D's "
            "favourite spot and collapses onto one mode. Trained by PyTorch with Adam (seeded, cached); the "
            "step is deepviz.models.gan.gan_step."
        ),
        params=PARAMS,
        presets=(
            Preset("ring", "8 Gaussians on a ring, 500 iterations of one D step and one G step: every mode covered"),
            Preset("mode-collapse", "10 G steps per D step for 120 iterations: G piles onto one mode",
                   {"g_steps": 10, "iterations": 120}),
        ),
        compute="deepviz.concepts.gan.compute:compute",
        scene="deepviz.concepts.gan.scene:GanScene",
    )
)
