import pytest

from deepviz.params import Bool, Choice, Float, Int, Pair, ParamError, ParamSet


def test_pair_parses_square_and_rectangular_values():
    p = Pair("input", (5, 5), min=1, max=12)
    assert p.coerce("3") == (3, 3)
    assert p.coerce("3x4") == (3, 4)
    assert p.coerce(" 3 X 4 ") == (3, 4)
    assert p.coerce(2) == (2, 2)
    assert p.coerce([2, 7]) == (2, 7)
    assert p.format((3, 4)) == "3x4" and p.format((2, 2)) == "2"


@pytest.mark.parametrize("text", ["3x", "x4", "3x4x5", "a", "", "3.5"])
def test_pair_rejects_malformed_text_naming_the_parameter(text):
    with pytest.raises(ParamError) as err:
        Pair("input", (5, 5), min=1).coerce(text)
    assert str(err.value).startswith("--input: expected N or HxW")


def test_ranges_are_enforced_with_the_allowed_range_in_the_message():
    with pytest.raises(ParamError, match=r"--stride: must be from 1 to 4, got 0"):
        Pair("stride", (1, 1), min=1, max=4).coerce("0")
    with pytest.raises(ParamError, match=r"--seed: must be at least 0, got -1"):
        Int("seed", 0, min=0).coerce("-1")
    with pytest.raises(ParamError, match="--rate: expected a number"):
        Float("rate", 0.1).coerce("fast")
    with pytest.raises(ParamError, match="must be one of a, b"):
        Choice("mode", "a", choices=("a", "b")).coerce("c")


def test_bool_accepts_the_usual_spellings():
    b = Bool("flag", False)
    assert b.coerce("true") is True and b.coerce("off") is False and b.coerce(True) is True
    with pytest.raises(ParamError):
        b.coerce("maybe")
    with pytest.raises(ParamError):
        Int("n", 1).coerce(True)  # a bool is not an int here


def test_paramset_layers_override_in_order_and_run_the_cross_check():
    seen = {}

    def cross(values):
        seen.update(values)
        if values["a"] > values["b"]:
            raise ParamError("a", "must not exceed b")

    ps = ParamSet((Int("a", 1), Int("b", 5)), cross_check=cross)
    assert ps.resolve({"a": 2}, {"b": "7"}) == {"a": 2, "b": 7}
    with pytest.raises(ParamError, match="--a: must not exceed b"):
        ps.resolve({"a": 9})
    with pytest.raises(ParamError, match="unknown parameter; known: a, b"):
        ps.resolve({"c": 1})


def test_describe_lists_type_range_and_default():
    text = Pair("kernel", (3, 3), "kernel size", min=1, max=5).describe()
    assert text == "kernel size (N or HxW; each from 1 to 5; default 3)"
    assert "default auto" in Pair("output_padding", None, min=0).describe()


def test_errors_quote_at_most_a_short_prefix_of_what_they_were_given():
    from deepviz.params import quote

    assert quote("x" * 10) == repr("x" * 10)
    assert len(quote("x" * 100_000)) <= 64 and "..." in quote("x" * 100_000)
    assert quote(10**5000) == "an integer of about 5001 digits"  # str() of it would fail (4300 digits at most)
    with pytest.raises(ParamError) as err:
        Int("n", 1, min=0, max=9).coerce("9" * 5000)
    assert len(str(err.value)) < 120


def test_a_param_error_is_one_line_whatever_its_message_holds():
    assert str(ParamError("data", "row 1\nrow 2")) == "--data: row 1 row 2"


def test_numpy_numbers_are_numbers_and_its_bools_are_not_integers():
    np = pytest.importorskip("numpy")
    assert Int("n", 1, min=0, max=9).coerce(np.int64(3)) == 3
    assert Float("r", 0.5, min=0, max=1).coerce(np.float32(0.25)) == 0.25
    with pytest.raises(ParamError, match="expected an integer"):
        Int("n", 1).coerce(np.bool_(True))


@pytest.mark.parametrize("value", [10**400, float("inf"), float("nan"), "1e999"])
def test_a_float_refuses_what_is_no_finite_float(value):
    with pytest.raises(ParamError, match="--rate: expected a finite number"):
        Float("rate", 0.1).coerce(value)
