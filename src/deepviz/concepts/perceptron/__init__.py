"""The perceptron: one neuron y = H(w x + b) draws a boundary (a point, a line, a plane) and learns it."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Float, Int, Numbers, ParamSet
from .data import check

PARAMS = ParamSet(
    (
        Choice("part", "boundary", "what the video shows: the boundary in 1, 2 and 3 inputs, or the learning rule",
               choices=("boundary", "learning")),
        Float("weight", 0.5, "w of the one-input perceptron (temperature)", min=-5.0, max=5.0),
        Float("bias", -10.0, "b of the one-input perceptron: it turns on at -b/w degrees", min=-100.0, max=100.0),
        Numbers("temperatures", (8.0, 14.0, 19.0, 23.0, 27.0, 33.0), "six temperatures to light up", rows=1,
                cols=6, min=-20.0, max=50.0),
        Numbers("weights_2d", (0.5, -0.1), "w1, w2 of the two-input perceptron (temperature, humidity)", rows=1,
                cols=2, min=-5.0, max=5.0),
        Float("bias_2d", -4.0, "b of the two-input perceptron", min=-100.0, max=100.0),
        Numbers("weights_3d", (0.5, -0.1, -0.2), "w1, w2, w3 of the three-input perceptron (temperature, "
                "humidity, wind speed)", rows=1, cols=3, min=-5.0, max=5.0),
        Float("bias_3d", -2.0, "b of the three-input perceptron", min=-100.0, max=100.0),
        Numbers("init", (1.0, 0.0, 0.5), "the learning rule's starting w1, w2, b", rows=1, cols=3,
                min=-3.0, max=3.0),
        Float("lr", 0.5, "the learning rate eta of the perceptron rule", min=0.01, max=5.0),
        Int("epochs", 5, "passes over the 8 points (stops early once none is misclassified)", min=1, max=10),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="perceptron",
        title="A neuron draws a boundary",
        summary="A perceptron y = H(w x + b) splits its inputs: a point on a line, a line in the plane, a "
                "plane in 3D; the learning rule moves it.",
        description=(
            "A perceptron weighs its inputs, adds a bias and fires when the sum is at least zero: y = H(w x + b) "
            "with the Heaviside step H. With one input (the temperature) the boundary w x + b = 0 is a point: "
            "warmer days turn it on; flipping the signs of w and b flips the decision. With two inputs "
            "(temperature, humidity) the boundary is a line that splits the plane into two half-planes; with "
            "three (wind speed too) it is a plane in 3D. In general y = H(W x + b). The perceptron learning "
            "rule w <- w + eta (t - y) x moves the boundary after each mistake until every point of a separable "
            "data set is on its side. Every number is computed by PyTorch."
        ),
        params=PARAMS,
        presets=(
            Preset("weather", "temperature, then humidity, then wind: a point, a line, a plane", {}),
            Preset("learning-rule", "the perceptron learning rule on 8 separable points, update by update",
                   {"part": "learning"}),
        ),
        compute="deepviz.concepts.perceptron.compute:compute",
        scene="deepviz.concepts.perceptron.scene:PerceptronScene",
    )
)
