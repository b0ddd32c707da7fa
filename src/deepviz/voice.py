"""Spoken narration: each caption read aloud by an offline speech synthesiser from Debian's packages.

``festival`` with the ``festvox-us-slt-hts`` voice (a clear HTS voice) is preferred; ``espeak-ng``
(robotic, but small and everywhere) is the fallback. A caption is first made speakable
(:func:`speakable`): numbers become words ("-0.23" is "minus zero point two three", by
``num2words``), and the notation of the captions (σ, ∂, ·, ×, ≠, x₁, 10⁻⁴, î) gets its spoken
name. Each clip is a WAV file in the user's cache, keyed by the synthesiser, its voice and the
text, so a re-render speaks nothing twice.

>>> speakable("w = −0.23 · x₁")
'w equals minus zero point two three times x one'
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import unicodedata
import wave
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .params import ParamError

SPEED = 1.15  # festival's speech rate: 1.15 times the voice's own
SYNTH_TIMEOUT = 120  # seconds for one caption: far more than any takes (festival: ~1 s)


@dataclass(frozen=True)
class Synthesiser:
    name: str
    packages: str  # the Debian packages that provide it, as `apt-get install` takes them
    executable: str
    voice: str
    needs: str | None = None  # a folder the voice lives in (festival's voices are packages of their own)

    def available(self) -> bool:
        return shutil.which(self.executable) is not None and (self.needs is None or any(Path("/").glob(self.needs)))

    def command(self, text_file: Path, wav: Path) -> list[str]:
        if self.name == "festival":
            # hts_engine's -r: a little faster than the voice's own pace (festival reads slowly)
            setup = f"(begin ({self.voice}) (set! hts_engine_params (append hts_engine_params '((\"-r\" {SPEED})))))"
            return [self.executable, "-eval", setup, "-o", str(wav), str(text_file)]
        return [self.executable, "-v", self.voice, "-s", "165", "-w", str(wav), "-f", str(text_file)]


SYNTHESISERS = (
    Synthesiser("festival", "festival festvox-us-slt-hts", "text2wave", "voice_cmu_us_slt_arctic_hts",
                needs="usr/share/festival/voices/*/cmu_us_slt_arctic_hts"),
    Synthesiser("espeak-ng", "espeak-ng", "espeak-ng", "en-us"),
)
NAMES = tuple(s.name for s in SYNTHESISERS)


def find_synthesiser(name: str | None = None) -> Synthesiser:
    """The named synthesiser, or the first one installed; a ParamError ``voice`` naming the package if none is."""
    if name is not None and name not in NAMES:
        raise ParamError("voice", f"must be one of {', '.join(NAMES)}; got {name!r}")
    wanted = [s for s in SYNTHESISERS if name in (None, s.name)]
    for s in wanted:
        if s.available():
            return s
    install = " or ".join(s.packages for s in wanted)
    raise ParamError("voice", f"no speech synthesiser is installed: apt-get install {install}")


class Speaker:
    """Speaks captions into cached WAV files with one synthesiser."""

    def __init__(self, name: str | None = None):
        self.synthesiser = find_synthesiser(name)

    def speak(self, caption: str) -> tuple[Path, float]:
        """The WAV file of ``caption`` spoken, and its duration in seconds."""
        from .cache import cache_dir

        text = speakable(caption)
        s = self.synthesiser
        key = hashlib.sha256("\0".join((s.name, s.voice, text)).encode()).hexdigest()[:32]
        wav = cache_dir("voice") / f"{key}.wav"
        if not wav.is_file():
            self._synthesise(text, wav)
        return wav, duration(wav)

    def _synthesise(self, text: str, wav: Path) -> None:
        with tempfile.TemporaryDirectory(prefix=".voice-", dir=wav.parent) as tmp:
            text_file, out = Path(tmp) / "caption.txt", Path(tmp) / "caption.wav"
            text_file.write_text(text + "\n", encoding="utf-8")
            done = subprocess.run(self.synthesiser.command(text_file, out), capture_output=True, text=True,
                                  timeout=SYNTH_TIMEOUT)
            if done.returncode != 0 or not out.is_file():
                last = (done.stderr.strip().splitlines() or ["no output"])[-1]
                raise RuntimeError(f"{self.synthesiser.name} could not speak {text[:60]!r}: {last}")
            out.replace(wav)  # whole, or not at all: other renders share the cache


def duration(wav: Path) -> float:
    with wave.open(str(wav)) as w:
        return w.getnframes() / w.getframerate()


# -- text to speech-ready text --------------------------------------------------------------------------
_SYMBOLS = {
    "-=": " minus equals ", "+=": " plus equals ", "≠": " is not ", "≈": " is about ", "≤": " at most ",
    "≥": " at least ", "=": " equals ", "·": " times ", "×": " times ", "←": " becomes ", "→": " to ",
    "∂": " d ", "√": " root of ", "⌊": " floor of ", "⌋": " ", "⌈": " ceiling of ", "⌉": " ", "°C": " degrees ",
    "°": " degrees ", "′": " prime ", "ᵀ": " transposed ", "%": " percent ", "/": " over ", "^": " to the power ",
    "…": ", ", "|": " ", "*": " times ", "<": " less than ", ">": " greater than ", "+": " plus ",
}
_SUPERSCRIPT = re.compile("[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_NUMBER = re.compile(r"(?<![\w.)\]])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_SYMBOL = re.compile("|".join(re.escape(k) for k in sorted(_SYMBOLS, key=len, reverse=True)))


def speakable(text: str) -> str:
    """``text`` as a synthesiser should read it: numbers in words, notation named."""
    text = text.replace("−", "-")  # the captions' minus sign
    text = _SUPERSCRIPT.sub(_power, text)
    text = _SYMBOL.sub(lambda m: _SYMBOLS[m.group()], text)
    text = unicodedata.normalize("NFKC", text)  # x₁ -> x1 (subscripts)
    text = re.sub(r"(?<=[^\W\d_])(?=\d)", " ", text)  # x1 -> x 1, then the number is a word of its own
    text = _NUMBER.sub(_number_words, text)
    text = re.sub(r"(?<!\w)-|-(?!\w)", " minus ", text)  # a hyphen between words stays (2-3-2, non-linear)
    text = "".join(_letter_name(ch) for ch in text)
    return " ".join(text.split())


def _power(m: re.Match) -> str:
    exponent = unicodedata.normalize("NFKC", m.group()).replace("\u2212", "-")
    return {"2": " squared", "3": " cubed"}.get(exponent, f" to the power {exponent}")


def _number_words(m: re.Match) -> str:
    from num2words import num2words

    token = m.group()
    try:
        value = Decimal(token)
    except InvalidOperation:  # pragma: no cover - the pattern matches numbers only
        return token
    words = num2words(abs(value))  # num2words drops the sign of -1 < x < 0: the sign is said here
    return ("minus " if value < 0 else "") + words


def _letter_name(ch: str) -> str:
    if ch.isascii() or not ch.isalpha():
        return ch
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK"):
        return f" {name.split()[-1].lower()} "
    if " WITH CIRCUMFLEX" in name:  # î, ĵ, ĥ: the unit vectors and estimates the captions write with a hat
        return f" {unicodedata.normalize('NFD', ch)[0]} hat "
    return ch
