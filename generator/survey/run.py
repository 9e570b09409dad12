"""One class of the survey: generate, bind, craft, check; and the loop over modules."""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import signal
import tempfile
from dataclasses import asdict, dataclass
from typing import Callable

from scapy.config import conf
from scapy.layers.dcerpc import _NDRPacket
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw, bind_layers, split_layers
from scapy.utils import PcapWriter

from ..backends.c import BuildError, CBackendError
from ..check import Checker, Tshark, TsharkError
from ..frontend import GeneratorError
from .classes import module_classes
from .packets import mutated, survey_packets

FIRST_PORT = 41000
CLASS_SECONDS = 300  # one class's survey, at most: a class takes seconds
LOAD_ERROR = "Error during loading"


@dataclass
class Outcome:
    module: str
    cls: str
    generated: bool = False
    loaded: bool = False
    packets: int = 0
    agreeing_packets: int = 0
    messages: int = 0
    fields: int = 0
    problem: str | None = None  # the first thing that went wrong, in one line
    undecoded: str | None = None  # the first thing the dissector leaves undecoded, and why
    not_compared: int = 0  # bytes not compared: the dissector leaves them undecoded
    mutated: int = 0  # damaged copies of the packets the dissector took (tshark strict: no Lua error)
    mutated_error: str | None = None  # what the dissector did wrong on them

    @property
    def status(self) -> str:
        if not self.generated:
            return "not generated"
        if not self.loaded:
            return "load error"
        if not self.packets:
            return "no packet"
        if self.problem:
            return "check error" if not self.messages else "partly agrees"
        if self.agreeing_packets != self.packets:
            return "partly agrees"
        return "agrees where decoded" if self.undecoded else "agrees"

    def as_dict(self) -> dict:
        return {**asdict(self), "status": self.status}


def survey_class(module: str, cls, port: int, tshark: Tshark, work: str, backend: str = "lua",
                 strict: bool = False) -> Outcome:
    out = Outcome(module, cls.__name__)
    bind_layers(UDP, cls, dport=port)
    bind_layers(UDP, cls, sport=port)
    # the dissectors read NDR32 (a stub alone does not say which transfer syntax it
    # has): scapy marshals and reads an NDR class's packets in NDR32 too, not in its default NDR64
    ndr64 = conf.ndr64
    if issubclass(cls, _NDRPacket):
        conf.ndr64 = False
    try:
        try:
            checker = Checker(f"{module}:{cls.__name__}", tshark=tshark, backend=backend, strict=strict)
        except (GeneratorError, CBackendError) as exc:
            out.problem = _line(exc)
            return out
        except BuildError as exc:  # the C plugin does not compile: the generated C is wrong
            out.generated, out.problem = True, f"C plugin does not build: {_line(exc)}"
            return out
        except Exception as exc:  # the frontend failed where it should have refused: a defect
            out.problem = f"generator crashed: {type(exc).__name__}: {_line(exc)}"
            return out
        out.generated = True
        out.undecoded = next((f.reason for m in checker.proto.messages for f in m.fields if f.kind == "undecoded"),
                             None)
        packets = survey_packets(cls)
        out.packets = len(packets)
        pcap = os.path.join(work, f"{cls.__name__}.pcap")
        _write_frames(pcap, packets or [b""], port)
        try:
            result = checker.check(pcap)
        except TsharkError as exc:
            out.loaded = LOAD_ERROR not in str(exc)
            out.problem = _line(exc)
            return out
        out.loaded = True
        damaged = mutated(packets, f"{module}.{cls.__name__}")
        if damaged:
            damaged_pcap = os.path.join(work, f"{cls.__name__}.mutated.pcap")
            _write_frames(damaged_pcap, damaged, port)
            try:
                checker.run(damaged_pcap, ["-V"], keep_stdout=False)
                out.mutated = len(damaged)
            except TsharkError as exc:
                out.mutated_error = _line(exc)
        out.messages, out.fields = result.messages, result.fields
        out.not_compared = sum(result.not_compared.values())
        # bytes not compared for a reason of scapy's own (its conf.max_list_count), though the dissector decodes them
        out.undecoded = out.undecoded or next(iter(result.not_compared), None)
        bad_frames = {d.frame for d in result.disagreements} | {p.frame for p in result.problems}
        out.agreeing_packets = max(0, out.packets - len(bad_frames))
        first = ([str(p) for p in result.problems] or [str(d) for d in result.disagreements] or [None])[0]
        out.problem = first
        return out
    finally:
        conf.ndr64 = ndr64
        split_layers(UDP, cls, dport=port)
        split_layers(UDP, cls, sport=port)


def survey(modules: list[str], tshark: Tshark, progress: Callable[[int, int, str], None] | None = None,
           limit: int | None = None, backend: str = "lua", strict: bool = False, jobs: int = 1,
           every: int = 1) -> list[Outcome]:
    """Every class of ``modules`` (or every ``every``-th, in order: a sample of the
    whole; at most ``limit``), each checked on its own port, by ``jobs`` processes
    (each class alone: results do not depend on ``jobs``)."""
    todo = []
    for module in modules:
        classes, error = module_classes(module)
        if error:
            todo.append((module, None, error))
        todo += [(module, cls, None) for cls in classes]
    todo = todo[::every]
    todo = todo[:limit] if limit else todo
    tasks = [(i, module, cls.__name__ if cls else None, error) for i, (module, cls, error) in enumerate(todo)]
    with tempfile.TemporaryDirectory(prefix="dissectgen-survey-") as work:
        os.chmod(work, 0o755)
        run = functools.partial(_survey_one, tshark=tshark, work=work, backend=backend, strict=strict)
        if jobs > 1:
            # fork: the workers inherit scapy as imported here (XCP's byte order and the like)
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                results = pool.imap(run, tasks, chunksize=4)
                return _collected(results, tasks, progress)
        return _collected(map(run, tasks), tasks, progress)


def _collected(results, tasks, progress) -> list[Outcome]:
    outcomes = []
    for i, outcome in enumerate(results):
        if progress is not None:
            progress(i, len(tasks), f"{outcome.module}:{outcome.cls}")
        outcomes.append(outcome)
    return outcomes


def _survey_one(task, tshark: Tshark, work: str, backend: str, strict: bool) -> Outcome:
    i, module, name, error = task
    if name is None:
        return Outcome(module, "-", problem=f"module not importable: {error}")
    classes, _ = module_classes(module)
    cls = next(c for c in classes if c.__name__ == name)
    try:
        with _time_limit(CLASS_SECONDS):
            return survey_class(module, cls, FIRST_PORT + i % 20000, tshark, work, backend, strict)
    except ClassTimeout:
        return Outcome(module, name, problem=f"survey crashed: took longer than {CLASS_SECONDS} s")
    except Exception as exc:  # a defect of the survey's own on this class: recorded, the run goes on
        return Outcome(module, name, problem=f"survey crashed: {type(exc).__name__}: {_line(exc)}")


class ClassTimeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: int):
    """Interrupts the Python code surveying one class after ``seconds`` (scapy's own
    fuzz() of a class can run without end), so one class never stops the run."""
    def expired(signum, frame):
        raise ClassTimeout()
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _write_frames(path: str, payloads: list[bytes], port: int) -> None:
    writer = PcapWriter(path, linktype=1, sync=False)
    for raw in payloads:
        # addresses all given: scapy must never resolve one (that would send ARP requests)
        writer.write(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02", type=0x0800)
                     / IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=port, dport=port) / Raw(raw))
    writer.close()


def _line(exc) -> str:
    text = str(exc).strip().splitlines()
    return " ".join(t.strip() for t in text[:3])[:300]
