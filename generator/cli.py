"""dissectgen: one scapy layer definition, a Wireshark Lua dissector, and proof they agree."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from scapy.error import Scapy_Exception

from scapy_layers.traffic.capfile import CaptureFileError, read_records

from .backends.c import BuildError, CBackendError
from .check.tshark import TsharkError
from .frontend import GeneratorError
from .progress import Progress

EXIT_OK, EXIT_DISAGREE, EXIT_USAGE = 0, 1, 2
DEFAULT_LAYERS = "scapy_layers.mstrp"
PERSONAL_PLUGINS = "~/.local/lib/wireshark/plugins"
STRICT_HELP = ("refuse the layers when a field cannot be translated (default: decode every field "
               "before it; it and the rest are one undecoded item with an expert info)")


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

    g = sub.add_parser("lua", help="generate the Wireshark Lua dissector of scapy layers")
    g.add_argument("layers", nargs="?", default=DEFAULT_LAYERS,
                   help=f"MODULE[:Class,...]; MODULE is dotted or a .py path (default: {DEFAULT_LAYERS})")
    g.add_argument("--strict", action="store_true", help=STRICT_HELP)
    g.add_argument("-o", "--output", help="the .lua file to write (default: ./<protocol>.lua)")

    cg = sub.add_parser("c", help="generate the source of a native Wireshark plugin (C) of scapy layers")
    cg.add_argument("layers", nargs="?", default=DEFAULT_LAYERS, help="MODULE[:Class,...]")
    cg.add_argument("--strict", action="store_true", help=STRICT_HELP)
    cg.add_argument("-o", "--output", help="the folder to write (default: ./<protocol>-plugin)")

    pl = sub.add_parser("plugin", help="compile the native Wireshark plugin (.so) of scapy layers")
    pl.add_argument("layers", nargs="?", default=DEFAULT_LAYERS, help="MODULE[:Class,...]")
    pl.add_argument("--strict", action="store_true", help=STRICT_HELP)
    pl.add_argument("-o", "--output", help="the .so to write (default: ./<protocol>.so)")
    pl.add_argument("--tshark", help="build for this tshark's Wireshark: chroot:DIR uses that root's "
                                     "compiler and headers (default: the machine's)")
    pl.add_argument("--sanitize", action="store_true", help="build with AddressSanitizer and UBSan")

    i = sub.add_parser("install", help="generate into Wireshark's personal plugin folder")
    i.add_argument("layers", nargs="?", default=DEFAULT_LAYERS, help="MODULE[:Class,...]")
    i.add_argument("--strict", action="store_true", help=STRICT_HELP)
    i.add_argument("--plugins-dir", default=PERSONAL_PLUGINS,
                   help=f"plugin folder (default: {PERSONAL_PLUGINS})")
    i.add_argument("--c", action="store_true",
                   help="install the compiled C plugin (in <plugins-dir>/<major.minor>/epan) instead of the Lua")

    z = sub.add_parser("fuzz", help="write crafted SetAgentSessionState conversations for fuzzing")
    z.add_argument("-o", "--output", required=True, help="the pcap to write; labels go to OUTPUT.labels.json")
    z.add_argument("--count", type=int, default=1000, help="exchanges (request and reply) to write")
    z.add_argument("--seed", type=int, default=0, help="same seed, same bytes")
    z.add_argument("--mode", choices=["valid", "invalid", "mutate"], default="valid",
                   help="valid: spec-conforming; invalid: one rule broken per exchange; "
                        "mutate: PDUs damaged byte by byte")
    z.add_argument("--keep-framing", action="store_true",
                   help="mutate: damage NDR and TAPI bytes in place only (every PDU stays a PDU)")

    v = sub.add_parser("serve", help="run the reference tapsrv endpoint (DCE/RPC over TCP) until interrupted")
    v.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    v.add_argument("--port", type=int, default=0, help="TCP port (default: any free port, printed)")
    v.add_argument("--lines", default="0x10001,0x10002,0x10003",
                   help="valid hLine handles, each with a registered agent proxy (default: 0x10001,0x10002,0x10003)")

    n = sub.add_parser("send", help="send crafted SetAgentSessionState requests to a tapsrv endpoint")
    n.add_argument("--to", required=True, metavar="HOST:PORT")
    n.add_argument("--count", type=int, default=10)
    n.add_argument("--seed", type=int, default=0)
    n.add_argument("--mode", choices=["valid", "invalid", "mutate"], default="valid")
    n.add_argument("--lines", default="0x10001,0x10002,0x10003", help="the server's valid hLine handles")

    c = sub.add_parser("check", help="check that scapy and the generated Lua agree on captures")
    c.add_argument("pcaps", nargs="+", metavar="PCAP")
    c.add_argument("--layers", default=DEFAULT_LAYERS, help="dotted module or .py path of scapy layers")
    c.add_argument("--json", action="store_true", help="one JSON object per capture")
    c.add_argument("--side-by-side", action="store_true",
                   help="also print both dissections of every message, field by field")
    c.add_argument("--decode-as", choices=["tapsrv"], help="take unbound DCE/RPC calls as this interface")
    c.add_argument("--tshark", help="tshark to run (a path or a wrapper command); default: tshark on PATH")
    c.add_argument("--backend", choices=["lua", "c", "both"], default="lua",
                   help="the generated dissector to check: the Lua script, the C plugin, or both (default: lua)")
    c.add_argument("--strict", action="store_true", help=STRICT_HELP)

    u = sub.add_parser("survey", help="generate and check every Packet class of scapy modules (a scoreboard)")
    u.add_argument("modules", nargs="*", help="dotted module names (default: all of scapy.layers and scapy.contrib)")
    u.add_argument("--limit", type=int, help="survey only the first N classes")
    u.add_argument("--backend", choices=["lua", "c"], default="lua", help="the generated dissector (default: lua)")
    u.add_argument("--strict", action="store_true", help="count a class with an untranslatable field as not generated")
    u.add_argument("--jobs", type=int, default=1, help="classes surveyed at once, by that many processes (default: 1)")
    u.add_argument("--every", type=int, default=1, metavar="K",
                   help="survey every K-th class only, in order: a sample of the whole (default: 1, every class)")
    u.add_argument("--tshark", help="tshark to run (a path or chroot:DIR); default: tshark on PATH")
    u.add_argument("--json", help="write the per-class results as JSON here")
    u.add_argument("--markdown", help="write the report as Markdown here (default: print it)")
    return p


def _cmd_show(args) -> int:
    from scapy_layers.mstrp.show import show

    bar = Progress.for_file("show", args.pcap)
    try:
        return show(args.pcap, sys.stdout, as_json=args.json, decode_as=args.decode_as,
                    progress=lambda frame, end: bar.update(end, f"frame {frame}"))
    finally:
        bar.close()


def _load(args):
    """The model of ``args.layers``; what it leaves undecoded is said on stderr."""
    from .frontend import load

    proto = load(args.layers, strict=args.strict)
    _say_undecoded(args.command, proto)
    return proto


def _say_undecoded(command: str, proto) -> None:
    for m in proto.messages:
        for f in m.fields:
            if f.kind == "undecoded" and f.under:
                print(f"dissectgen {command}: {m.name} is decoded whole as the payload of the message its "
                      f"fields read; reached otherwise, up to {f.name}: {f.reason}", file=sys.stderr)
            elif f.kind == "undecoded":
                print(f"dissectgen {command}: {m.name} is decoded up to {f.name}, the rest is left undecoded: "
                      f"{f.reason}", file=sys.stderr)


def _generate(args, path_for) -> str:
    """Build the model once, write its Lua to ``path_for(protocol abbrev)``."""
    from .backends import write_atomically
    from .backends.lua import render

    proto = _load(args)
    path = path_for(proto.abbrev)
    write_atomically(path, render(proto))
    return path


def _cmd_lua(args) -> int:
    print(_generate(args, lambda abbrev: args.output or f"{abbrev}.lua"))
    return EXIT_OK


def _cmd_c(args) -> int:
    from .backends import write_atomically
    from .backends.c import render

    proto = _load(args)
    files = render(proto)  # all rendered before any is written
    folder = args.output or f"{proto.abbrev}-plugin"
    for name, text in sorted(files.items()):
        write_atomically(os.path.join(folder, name), text)
    print(folder)
    return EXIT_OK


def _build_plugin(args, path_for, root: str | None, sanitize: bool = False) -> str:
    """Build the model once, compile its C plugin to ``path_for(abbrev, major.minor)``."""
    from .backends.c import build_plugin, render, wireshark_version

    proto = _load(args)
    files = render(proto)
    path = path_for(proto.abbrev, wireshark_version(root))
    build_plugin(files, path, root=root, sanitize=sanitize)
    return path


def _cmd_plugin(args) -> int:
    root = None
    if args.tshark:
        from .check import Tshark

        root = Tshark.find(args.tshark).root
    print(_build_plugin(args, lambda abbrev, _: args.output or f"{abbrev}.so", root, args.sanitize))
    return EXIT_OK


def _cmd_install(args) -> int:
    folder = os.path.expanduser(args.plugins_dir)
    if args.c:
        path = _build_plugin(args, lambda abbrev, version: os.path.join(folder, version, "epan",
                                                                               f"{abbrev}.so"), None)
        print(f"installed {path}; restart Wireshark")
        return EXIT_OK
    path = _generate(args, lambda abbrev: os.path.join(folder, f"{abbrev}.lua"))
    print(f"installed {path}; restart Wireshark (or Analyze > Reload Lua Plugins)")
    return EXIT_OK


def _cmd_check(args) -> int:
    from .check import Checker, Tshark, report_json, report_text, side_by_side

    for pcap in args.pcaps:
        if not os.path.isfile(pcap):
            raise FileNotFoundError(f"no such file: {pcap}")
    tshark = Tshark.find(args.tshark)
    backends = ["lua", "c"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        checker = Checker(args.layers, tshark=tshark, decode_as=args.decode_as, backend=backend, strict=args.strict)
        if backend == backends[0]:
            _say_undecoded(args.command, checker.proto)
        what = "Lua" if backend == "lua" else "C plugin"
        for pcap in args.pcaps:
            shown = []

            def print_pair(a, b, pcap=pcap):
                if not shown:
                    print(f"{pcap}: scapy (left) and Wireshark with the generated {what} (right)")
                    shown.append(True)
                print(side_by_side([(a, b)]))

            bar = Progress("check", _frame_count(pcap) if sys.stderr.isatty() else 1, unit="frames")
            try:
                results.append(checker.check(pcap, print_pair if args.side_by_side else None,
                                             progress=lambda frame: bar.update(frame, f"frame {frame}")))
            finally:
                bar.close()
    for r in results:
        print(report_json(r) if args.json else report_text(r))
    if any(r.problems for r in results):
        return EXIT_USAGE  # not a disagreement: dissectgen could not read a side
    return EXIT_OK if all(r.ok for r in results) else EXIT_DISAGREE


def _frame_count(pcap: str) -> int:
    """How many frames a capture has (a quick pass over its records, for the progress bar)."""
    return sum(1 for _ in read_records(pcap))


def _cmd_survey(args) -> int:
    import platform
    from datetime import date

    import scapy

    from .check import Tshark
    from .survey import report_json, report_markdown, survey
    from .survey.classes import library_modules

    tshark = Tshark.find(args.tshark)
    modules = args.modules or library_modules()
    bar = Progress("survey", 1, unit="classes")
    outcomes = survey(modules, tshark, progress=lambda i, n, what: (setattr(bar, "total", n), bar.update(i, what)),
                      limit=args.limit, backend=args.backend, strict=args.strict, jobs=args.jobs,
                      every=args.every)
    bar.close()
    header = (f"`dissectgen survey {' '.join(args.modules) or '(scapy.layers and scapy.contrib)'}"
              f"{f' --limit {args.limit}' if args.limit else ''}{f' --every {args.every}' if args.every > 1 else ''}"
              f"{f' --jobs {args.jobs}' if args.jobs > 1 else ''} --backend {args.backend}`, run {date.today().isoformat()} with scapy "
              f"{scapy.__version__}, Python {platform.python_version()}, {tshark.version().rstrip('.')}.")
    text = report_markdown(outcomes, header)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    else:
        print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(report_json(outcomes))
    return EXIT_OK


def _cmd_fuzz(args) -> int:
    import json

    from scapy_layers.mstrp.fuzz import generate

    if args.count < 1:
        raise GeneratorError("--count must be at least 1")
    labels = generate(args.output, args.count, args.seed, args.mode, progress=sys.stderr.isatty(),
                      keep_framing=args.keep_framing)
    with open(args.output + ".labels.json", "w") as f:
        json.dump([label.as_dict() for label in labels], f, indent=0)
    print(f"{args.output}: {args.count} {args.mode} exchanges; labels in {args.output}.labels.json")
    return EXIT_OK


def _cmd_serve(args) -> int:
    import asyncio
    import logging

    from scapy_layers.mstrp.server import TapsrvServer

    try:
        lines = [int(x, 0) for x in args.lines.split(",") if x.strip()]
    except ValueError:
        raise GeneratorError(f"--lines {args.lines!r}: give handles like 0x10001,0x10002") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    # Ctrl-C stops the server even when it was started with SIGINT ignored (a background
    # job of a shell, a test runner's worker), which Python and asyncio would otherwise keep
    signal.signal(signal.SIGINT, signal.default_int_handler)
    server = TapsrvServer(args.host, args.port, lines)

    async def main():
        port = await server.start()
        print(f"tapsrv listening on {args.host}:{port}", flush=True)
        await server._server.serve_forever()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    print(f"served {server.stats.requests} requests on {server.stats.connections} connections", file=sys.stderr)
    return EXIT_OK


def _cmd_send(args) -> int:
    from scapy_layers.mstrp.server import send

    host, _, port = args.to.rpartition(":")
    if not host or not port.isdigit():
        raise GeneratorError(f"--to {args.to!r}: give HOST:PORT")
    lines = [int(x, 0) for x in args.lines.split(",") if x.strip()]
    tally = send(host, int(port), args.count, args.seed, args.mode, sys.stdout, lines)
    print("replies: " + ", ".join(f"{k} x{v}" for k, v in sorted(tally.items())))
    return EXIT_OK


COMMANDS = {"survey": _cmd_survey, "show": _cmd_show, "fuzz": _cmd_fuzz, "serve": _cmd_serve, "send": _cmd_send,
            "lua": _cmd_lua, "c": _cmd_c, "plugin": _cmd_plugin, "install": _cmd_install, "check": _cmd_check}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        return EXIT_OK
    except (GeneratorError, CBackendError, BuildError) as exc:
        print(f"dissectgen {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CaptureFileError as exc:
        print(f"dissectgen {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TsharkError as exc:
        print(f"dissectgen {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ConnectionError as exc:
        print(f"dissectgen {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, Scapy_Exception, EOFError) as exc:
        print(f"dissectgen {args.command}: cannot read input: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a defect of ours: one clear line, not a disagreement's exit code
        if os.environ.get("DISSECTGEN_TRACEBACK"):
            raise
        print(f"dissectgen {args.command}: internal error: {type(exc).__name__}: {exc} "
              f"(DISSECTGEN_TRACEBACK=1 shows where)", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
