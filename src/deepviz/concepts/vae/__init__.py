"""A variational autoencoder on scikit-learn's digits: a code drawn from N(mu, sigma^2), the loss, new digits."""
from ...catalog import Concept, Preset, register
from ...params import Int, ParamSet

PARAMS = ParamSet(
    (
        Int("draws", 12, "draws of the noise eps shown for one digit", min=1, max=40),
        Int("new", 6, "new digits drawn from the prior: a side x side grid", min=2, max=8),
        Int("grid", 7, "codes per side of the grids decoded in the comparison", min=3, max=10),
        Int("seed", 0, "seed of the digit shown and of every draw", min=0, max=2**31 - 1),
    ),
)

CONCEPT = register(
    Concept(
        name="vae",
        title="Variational autoencoder",
        summary="An encoder that outputs a Gaussian: z = mu + sigma eps, reconstruction + KL, new digits from the prior.",
        description=(
            "A variational autoencoder (VAE) encodes each digit as a Gaussian over the 2-D code space, a mean mu "
            "and a log variance log sigma^2, and decodes a code drawn from it, z = mu + sigma * eps with eps "
            "from N(0, I) (the reparameterisation, which lets the gradient reach mu and sigma). Its loss adds "
            "the reconstruction error and the KL divergence from N(0, I), which keeps the codes together "
            "around the origin. Drawing z from N(0, I) and decoding gives new digits. Beside the plain "
            "autoencoder's code space the VAE's is round and without gaps, and its decoded grid changes "
            "smoothly. Trained at first use by PyTorch on scikit-learn's digits (seeded, cached)."
        ),
        params=PARAMS,
        presets=(Preset("digits", "one digit's mu and sigma, 12 draws, the loss, 36 new digits, AE vs VAE"),),
        compute="deepviz.concepts.vae.compute:compute",
        scene="deepviz.concepts.vae.scene:VaeScene",
    )
)
