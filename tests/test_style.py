"""Shared style helpers: number formatting and the Graphviz layout."""
import numpy as np
import pytest

from deepviz.style.numbers import fmt_sig, tex_number


@pytest.mark.parametrize("value, text", [
    (0.0, "0"), (3.0, "3"), (-0.08607, "\u22120.08607"), (20.0855, "20.09"), (0.004285, "0.004285"),
    (1.2345e-5, "1.234\u00d710\u207b\u2075"), (-123456.0, "\u22121.235\u00d710\u2075"),
    # a mantissa that rounds up to 10 moves to the next power; a subnormal does not divide by 0
    (9.99996e-5, "1\u00d710\u207b\u2074"), (5e-324, "4.941\u00d710\u207b\u00b3\u00b2\u2074"),
])
def test_fmt_sig_keeps_four_significant_digits(value, text):
    assert fmt_sig(value) == text


def test_tex_number_writes_minus_and_powers_of_ten_for_latex():
    assert tex_number(fmt_sig(-1.2345e-5)) == "-1.234\\times 10^{-5}"
    assert tex_number(fmt_sig(-2.5)) == "-2.5"


def test_graphviz_layout_places_every_node_and_routes_every_edge_left_to_right():
    from deepviz.style.graph import layout

    edges = [("a", "c"), ("b", "c"), ("c", "d"), ("a", "d")]
    lay = layout({k: 0.6 for k in "abcd"}, edges)
    assert set(lay.positions) == set("abcd") and set(lay.splines) == set(edges)
    for tail, head in edges:
        assert lay.positions[tail][0] < lay.positions[head][0]
        pts = lay.splines[(tail, head)]
        # a spline runs from the tail's circle to the head's circle (clipped at their borders)
        assert np.linalg.norm(pts[0] - lay.positions[tail]) == pytest.approx(0.3, abs=0.05)
        assert np.linalg.norm(pts[-1] - lay.positions[head]) == pytest.approx(0.3, abs=0.05)
        assert (len(pts) - 1) % 3 == 0


def test_a_plane_cuts_grid_lines_to_its_window():
    import numpy as np

    from deepviz.style.plane import PlaneView
    from deepviz.style.theme import DARK

    plane = PlaneView(DARK, 2.0, 4.0)
    ends = np.array([[[-5, 0], [5, 0]], [[-5, 3], [5, 3]], [[0, 0], [1, 1]], [[-3, -3], [3, 3]], [[3, -5], [3, 5]],
                     [[-3, 0], [1, 4]], [[-4, 1], [0, 5]]], dtype=float)
    cut = plane.clip(ends)
    misses = [False, True, False, False, True, False, True]
    for got, miss, (p, q) in zip(cut, misses, ends):
        if miss:  # misses the window: nothing drawn
            assert np.allclose(got[0], got[1])
            continue
        # the part inside [-2, 2]^2 of the segment p-q (its ends on the window's edge or the segment's own)
        t = np.linspace(0, 1, 2001)[:, None]
        inside = (p + (q - p) * t)[(np.abs(p + (q - p) * t) <= 2 + 1e-9).all(1)]
        assert np.allclose(got, [inside[0], inside[-1]], atol=3e-3), (got, inside[[0, -1]])


def test_ten_classes_have_ten_distinct_named_colours_in_every_theme():
    from deepviz.style.theme import THEMES

    for theme in THEMES.values():
        colours = [theme.class_color(k).upper() for k in range(10)]
        assert len(set(colours)) == 10, theme.name
        words = [theme.color_word(f"class{k}") for k in range(10)]
        assert len(set(words)) == 10 and not any(w.startswith("class") for w in words), words


def test_a_digit_mosaic_puts_each_image_in_its_cell():
    from deepviz.style.digits import digit_mosaic
    from deepviz.style.theme import DARK

    images = np.zeros((5, 8, 8))
    field = digit_mosaic(images, 3, 0.8, DARK, DARK.output, gap=1)
    assert field.box.width == pytest.approx(0.8 / 8 * (3 * 9 + 1))  # 3 columns of 8 pixels and 4 one-pixel gaps
    assert field.box.height == pytest.approx(0.8 / 8 * (2 * 9 + 1))


def test_the_diverging_scale_is_symmetric_about_zero_in_the_themes_roles():
    from manim import ManimColor

    from deepviz.style.heatmap import ink_rgb, signed_legend, signed_rgb
    from deepviz.style.theme import DARK

    rgb = lambda role: np.array(ManimColor(role).to_rgb())  # noqa: E731
    colours = signed_rgb([[-2.0, 0.0, 2.0, 1.0]], DARK)
    assert np.allclose(colours[0, 0], rgb(DARK.input)) and np.allclose(colours[0, 2], rgb(DARK.weight))
    assert np.allclose(colours[0, 1], rgb(DARK.background))
    assert np.allclose(colours[0, 3], (rgb(DARK.background) + rgb(DARK.weight)) / 2)  # half the largest |value|
    assert np.allclose(signed_rgb([[1.0]], DARK, scale=4.0)[0, 0], rgb(DARK.background) * 0.75 + rgb(DARK.weight) * 0.25)
    ink = ink_rgb([[0.0, 1.0]], DARK)
    assert np.allclose(ink[0, 0], rgb(DARK.background)) and np.allclose(ink[0, 1], rgb(DARK.input))
    legend = signed_legend(DARK, 2.5, 3.0)
    assert [m.text for m in legend[1]] == ["\u22122.5", "0", "2.5"]
    assert legend[0].width == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize("theme_name", ["dark", "light"])
def test_gate_colours_are_their_own_and_stay_apart_for_colour_blind_viewers(theme_name):
    # the gates once took four digit-class colours: "class 3" and "forget gate" read alike across the course
    from coloraide import Color

    from deepviz.style.theme import THEMES

    theme = THEMES[theme_name]

    def seen(hex_, kind=None):  # Machado 2009 simulation at full severity
        return Color(hex_).filter(kind, method="machado").convert("srgb").fit("srgb") if kind else Color(hex_)

    def gap(a, b, kind=None):
        return seen(a, kind).delta_e(seen(b, kind), method="2000")

    gates = list(theme.gates)
    assert len(gates) == 4 and len({theme.color_word(f"gate{k}") for k in range(4)}) == 4
    others = [c for c, _ in theme.names if c not in gates] + [theme.foreground, theme.muted]
    for g in gates:
        assert Color(g).contrast(theme.background, method="wcag21") >= 4.5, g  # their symbols are text
        assert min(gap(g, o) for o in others) >= 12, g  # no role's colour passes for a gate's
    beside = [theme.input, theme.output, theme.foreground, theme.muted, theme.highlight]  # x, h, c, labels, flash
    for kind, floor in (("protan", 7), ("deutan", 7), ("tritan", 5)):
        for i, g in enumerate(gates):
            assert min(gap(g, o, kind) for o in gates[i + 1:] + beside) >= floor, (kind, g)
