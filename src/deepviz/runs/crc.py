"""TensorBoard's CRC in C: without TensorFlow, TensorBoard reads and writes event files through a stub whose
CRC-32C is a Python loop over every byte (about 1 µs a byte: a minute for 50 MB of runs). google-crc32c
computes the same checksum in C; it replaces the stub's function for both reader and writer, and the
files are byte for byte what TensorBoard writes (tests/runs/test_watch.py compares the two).
"""
from __future__ import annotations

_done = False


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC-32C (the same value as tensorboard's stub computes)."""
    import google_crc32c

    x = google_crc32c.value(data)
    return (((x >> 15) | (x << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def use_fast_crc() -> None:
    """Point TensorBoard's stub reader and writer at the C checksum (once; no-op without google-crc32c)."""
    global _done
    if _done:
        return
    _done = True
    try:
        import google_crc32c  # noqa: F401
    except ImportError:
        return
    from tensorboard.compat.tensorflow_stub import pywrap_tensorflow
    from tensorboard.summary.writer import record_writer

    pywrap_tensorflow.masked_crc32c = masked_crc32c  # the reader (PyRecordReader_New) looks it up here
    record_writer.masked_crc32c = masked_crc32c  # the writer imported it by name
