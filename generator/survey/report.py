"""The survey's tables: totals, the most frequent first problems, one row a class."""

from __future__ import annotations

import json
import re
from collections import Counter

from .run import Outcome

STATUSES = ("agrees", "agrees where decoded", "partly agrees", "check error", "no packet", "load error",
            "not generated")


def totals(outcomes: list[Outcome]) -> dict:
    classes = [o for o in outcomes if o.cls != "-"]
    by = Counter(o.status for o in classes)
    n = len(classes) or 1
    return {
        "classes": len(classes),
        "modules not importable": sum(1 for o in outcomes if o.cls == "-"),
        **{status: by.get(status, 0) for status in STATUSES},
        "generated %": round(100 * sum(o.generated for o in classes) / n, 1),
        "loaded %": round(100 * sum(o.loaded for o in classes) / n, 1),
        "decoded whole %": round(100 * sum(o.generated and not o.undecoded for o in classes) / n, 1),
        "agrees %": round(100 * by.get("agrees", 0) / n, 1),
        "agrees where decoded %": round(100 * (by.get("agrees", 0) + by.get("agrees where decoded", 0)) / n, 1),
        "mutated packets taken (tshark strict)": sum(o.mutated for o in classes),
        "classes whose dissector failed on mutated packets": sum(1 for o in classes if o.mutated_error),
    }


def problem_kind(problem: str) -> str:
    """A first problem without its class, field and numbers, so that alike ones count together."""
    text = re.sub(r"^[\w.]+: ", "", problem)
    text = re.sub(r"frame \d+: ", "", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\b0x[0-9a-f]+\b|\b\d+\b", "…", text)
    return text[:120]


def report_markdown(outcomes: list[Outcome], header: str) -> str:
    t = totals(outcomes)
    kinds = Counter(problem_kind(o.problem) for o in outcomes if o.problem and o.cls != "-")
    undecoded = Counter(problem_kind(o.undecoded) for o in outcomes if o.undecoded and o.cls != "-")
    lines = [header, "", "| total | value |", "| --- | --- |", *(f"| {k} | {v} |" for k, v in t.items()), "",
             "| classes | most frequent first problem |", "| --- | --- |",
             *(f"| {n} | {_cell(k)} |" for k, n in kinds.most_common(15)), "",
             "| classes | most frequent reason a class is not decoded whole |", "| --- | --- |",
             *(f"| {n} | {_cell(k)} |" for k, n in undecoded.most_common(15)), "",
             *([f"Dissector errors on mutated packets: " + "; ".join(
                 f"{o.module}:{o.cls}: {_cell(o.mutated_error)}" for o in outcomes if o.mutated_error), ""]
               if any(o.mutated_error for o in outcomes) else []),
             "| module | class | status | packets agreeing | first problem | not decoded |",
             "| --- | --- | --- | --- | --- | --- |",
             *(f"| {o.module} | {o.cls} | {o.status} | {o.agreeing_packets}/{o.packets} | {_cell(o.problem or '')} "
               f"| {_cell(o.undecoded or '')} |" for o in outcomes)]
    return "\n".join(lines) + "\n"


def report_json(outcomes: list[Outcome]) -> str:
    return json.dumps({"totals": totals(outcomes), "classes": [o.as_dict() for o in outcomes]}, indent=1)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
