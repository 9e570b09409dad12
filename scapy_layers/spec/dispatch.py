"""Dispatch of a message buffer to the class registered for its selector value.

Requests carry their selector (e.g. MS-TRP Req_Func) in the buffer; replies do
not, they are chosen by the selector of the request they answer. A Dispatch is
plain data the generator reads to build the matching Lua dissector tables.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from functools import cached_property

from scapy.packet import Packet

from .packet import fixed_size


@dataclass
class Dispatch:
    """Selector-value -> class tables for one family of messages.

    A buffer that holds the selector is dissected by the class registered for
    its value, however short it is: the fields it has are shown by name and the
    message is truncated (a minimum length is the layers' own spec rule, e.g.
    MS-TRP's ``buffer_length``). ``generic_request`` / ``generic_reply``
    dissect buffers whose selector is unregistered or unknown, or that end
    before the selector does.
    """

    name: str
    selector: str
    generic_request: type[Packet]
    generic_reply: type[Packet]
    requests: dict[int, type[Packet]] = field(default_factory=dict)
    replies: dict[int, type[Packet]] = field(default_factory=dict)

    def register(self, value: int, request: type[Packet], reply: type[Packet] | None = None) -> None:
        """Make ``request`` (and ``reply``) the classes for selector ``value``."""
        for table, cls in ((self.requests, request), (self.replies, reply)):
            if cls is None:
                continue
            if value in table and table[value] is not cls:
                raise ValueError(
                    f"{self.name}: {self.selector}={value} is already "
                    f"{table[value].__name__}, cannot register {cls.__name__}"
                )
            table[value] = cls

    @cached_property
    def _selector(self) -> tuple[str, int, int] | None:
        """The selector's struct format, its offset and the bytes a buffer needs
        to hold it (fixed-size fields only before it); asked for every message."""
        start = 0
        for f in self.generic_request.fields_desc:
            size = fixed_size(f)
            if size is None:
                return None
            if f.name == self.selector:
                return f.fmt, start, start + size
            start += size
        return None

    def selector_end(self) -> int | None:
        return self._selector[2] if self._selector else None

    def selector_value(self, buf: bytes) -> int | None:
        sel = self._selector
        if sel is None or len(buf) < sel[2]:
            return None
        return struct.unpack_from(sel[0], buf, sel[1])[0]

    def request_class(self, buf: bytes) -> type[Packet]:
        return self.requests.get(self.selector_value(buf), self.generic_request)

    def reply_class(self, buf: bytes, request_value: int | None) -> type[Packet]:
        """Replies do not carry the selector: the request's value picks the class.
        Like a request, a reply too short to hold the selector's bytes is generic."""
        end = self.selector_end()
        if request_value is None or end is None or len(buf) < end:
            return self.generic_reply
        return self.replies.get(request_value, self.generic_reply)

    def dissect_request(self, buf: bytes) -> Packet:
        return self.request_class(buf)(buf)

    def dissect_reply(self, buf: bytes, request: Packet | None = None) -> Packet:
        value = None
        if request is not None and self.selector in request.fieldtype:
            # getfieldval: a crafted request keeps its selector among the defaults;
            # None when the request was cut before it
            value = request.getfieldval(self.selector)
        return self.reply_class(buf, value)(buf, request=request)
