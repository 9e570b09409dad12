"""PDML is read as a stream: memory stays that of one packet, whatever the capture."""

import io
import tracemalloc

import pytest

from generator.check.pdml import LuaErrorInOutput, iter_packets, proto_items

PACKET = """<packet>
  <proto name="geninfo"><field name="num" show="{n}"/></proto>
  <proto name="frame"><field name="filtered" value="frame"/></proto>
  <proto name="mstrp" pos="78" size="60">
    <field name="mstrp.setagentsessionstate" pos="78" size="60" show="" value="">
      <field name="mstrp.setagentsessionstate.hline" pos="90" size="4" show="0x{n:08x}" value="01000100"/>
      <field name="_ws.expert" showname="Expert Info">
        <field name="mstrp.setagentsessionstate.rule.state_single_bit" show="x"/>
      </field>
    </field>
  </proto>
</packet>
"""


class _Pdml(io.RawIOBase):
    """A PDML document of ``count`` packets, produced as it is read (never whole in memory)."""

    def __init__(self, count: int, lua_error_at: int | None = None) -> None:
        self.chunks = self._chunks(count, lua_error_at)
        self.pending = b""

    @staticmethod
    def _chunks(count, lua_error_at):
        yield b'<?xml version="1.0"?>\n<pdml version="0">\n'
        for n in range(1, count + 1):
            text = PACKET.format(n=n)
            if n == lua_error_at:
                text = text.replace("</proto>\n</packet>", '<field name="_ws.lua.error" show="boom"/></proto>\n</packet>')
            yield text.encode()
        yield b"</pdml>\n"

    def readable(self):
        return True

    def readinto(self, buf):
        while not self.pending:
            self.pending = next(self.chunks, b"")
            if not self.pending:
                return 0
        n = min(len(buf), len(self.pending))
        buf[:n], self.pending = self.pending[:n], self.pending[n:]
        return n


def _peak(count: int) -> int:
    tracemalloc.start()
    try:
        frames = sum(1 for _ in iter_packets(io.BufferedReader(_Pdml(count)), "mstrp"))
        return tracemalloc.get_traced_memory()[1], frames
    finally:
        tracemalloc.stop()


def test_items_experts_and_frames():
    (first, second) = [i for _, items in iter_packets(io.BufferedReader(_Pdml(2)), "mstrp") for i in items]
    assert (first.frame, second.frame) == (1, 2)
    assert [i.name for i in first.items] == ["mstrp.setagentsessionstate", "mstrp.setagentsessionstate.hline"]
    assert first.experts == [("mstrp.setagentsessionstate.rule.state_single_bit", "mstrp.setagentsessionstate")]
    assert second.items[1].number() == 2


def test_memory_does_not_grow_with_the_capture():
    small, n_small = _peak(2_000)
    large, n_large = _peak(20_000)
    assert (n_small, n_large) == (2_000, 20_000)
    assert large < 1.5 * small  # a kept tree would be ten times larger


def test_lua_error_in_the_output_is_raised():
    with pytest.raises(LuaErrorInOutput, match="boom"):
        list(iter_packets(io.BufferedReader(_Pdml(5, lua_error_at=3)), "mstrp"))


def test_whole_document_reader_agrees():
    text = b"".join(_Pdml(3)._chunks(3, None)).decode()
    assert [i.frame for i in proto_items(text, "mstrp")] == [1, 2, 3]
