"""The ``dissectgen`` command line."""

from __future__ import annotations

import argparse
import sys

from scapy.error import Scapy_Exception

EXIT_OK, EXIT_DISAGREE, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as for every bad input
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="dissectgen", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("show", help="print the scapy dissection of every TAPI message in a capture")
    s.add_argument("pcap", help="pcap or pcapng file")
    s.add_argument("--json", action="store_true", help="one JSON object per message and line")
    s.add_argument("--decode-as", choices=["tapsrv"], help="take unbound DCE/RPC calls as this interface")
    return p


def _cmd_show(args) -> int:
    from .show import show

    return show(args.pcap, sys.stdout, as_json=args.json, decode_as=args.decode_as)


COMMANDS = {"show": _cmd_show}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        return EXIT_OK
    except (OSError, Scapy_Exception, EOFError) as exc:
        print(f"dissectgen {args.command}: cannot read input: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
