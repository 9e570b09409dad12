"""The progress bar: drawn on a terminal only, cleared at the end."""

import io

from generator.progress import Progress


def test_drawn_when_enabled_and_cleared():
    out = io.StringIO()
    bar = Progress("check", 200, stream=out, enabled=True)
    bar.update(50, "frame 3")
    bar.update(200, "frame 9")  # the last update is always drawn
    bar.close()
    text = out.getvalue()
    assert "25.0%" in text and "100.0%" in text and "frame 9" in text and text.endswith("\r\x1b[K")


def test_silent_off_a_terminal():
    out = io.StringIO()  # not a tty
    bar = Progress("show", 10, stream=out)
    bar.update(5)
    bar.close()
    assert out.getvalue() == ""


def test_rate_in_the_bars_unit_with_time_left():
    out = io.StringIO()
    bar = Progress("survey", 10, stream=out, enabled=True, unit="classes")
    bar.start -= 2.0  # two seconds in, 4 of 10 done: 2 classes/s, 3 s left
    bar.update(4, "scapy.layers.inet:IP")
    text = out.getvalue()
    assert "2.0 classes/s" in text and "0:03 left" in text and "MB/s" not in text


def test_bytes_shown_as_megabytes_per_second():
    out = io.StringIO()
    bar = Progress("show", 4_000_000, stream=out, enabled=True)
    bar.start -= 1.0
    bar.update(2_000_000)
    assert "2.0 MB/s" in out.getvalue() and "0:01 left" in out.getvalue()
