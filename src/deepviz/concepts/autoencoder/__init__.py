"""An autoencoder on scikit-learn's digits: 64 pixels squeezed to a 2-D code and decoded back."""
from ...catalog import Concept, Preset, register
from ...params import Int, ParamSet

PARAMS = ParamSet(
    (
        Int("examples", 6, "test digits shown beside their reconstructions", min=2, max=8),
        Int("grid", 7, "codes per side of the grid decoded into images", min=3, max=10),
        Int("seed", 0, "seed of which test digits are shown", min=0, max=2**31 - 1),
    ),
)

CONCEPT = register(
    Concept(
        name="autoencoder",
        title="Autoencoder",
        summary="Digits squeezed through a 2-D code and back: reconstructions, the code space, decoded codes.",
        description=(
            "An autoencoder is a network trained to give back its input through a narrow middle: the encoder "
            "compresses each 8x8 digit of scikit-learn's digits (64 pixels) to a code of two numbers, the "
            "decoder rebuilds the 64 pixels from those two numbers alone, and training lowers the squared "
            "error between them. The video shows held-out digits beside their reconstructions with the error, "
            "every test digit placed at its code and coloured by its class (which the network never saw), and "
            "a grid of codes decoded into images. Trained at first use by PyTorch (seeded, cached)."
        ),
        params=PARAMS,
        presets=(Preset("digits", "six held-out digits, the code space of all 360 test digits, a 7x7 decoded grid"),),
        compute="deepviz.concepts.autoencoder.compute:compute",
        scene="deepviz.concepts.autoencoder.scene:AutoencoderScene",
    )
)
