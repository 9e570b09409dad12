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
