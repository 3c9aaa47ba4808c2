"""``conformance``: the SPC/SBC/ZBC conformance suite against a device, as a pytest run.

A thin front: the arguments become pytest's (``--scsi-device``, ``--scsi-device2``,
``--scsi-dataloss``, ``-k``, ``--junitxml``, ``--scsi-report``), pytest runs
:mod:`sgframe.conformance`, and a table per command family summarizes the verdicts.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any, Dict, List

from .base import Subcommand

__all__ = ["CONFORMANCE", "pytest_arguments", "plugin_arguments"]

_COLUMNS = ("passed", "failed", "skipped", "xfailed", "xpassed", "error")


def plugin_arguments() -> List[str]:
    """``-p sgframe.pytest_plugin`` unless the installed entry point loads it already
    (pytest refuses one plugin registered under two names)."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="pytest11"):
        if entry.value.strip() == "sgframe.pytest_plugin":
            return []
    return ["-p", "sgframe.pytest_plugin"]


def pytest_arguments(args: argparse.Namespace) -> List[str]:
    """The pytest command line of a ``sgframe conformance`` invocation."""
    out = plugin_arguments() + ["--pyargs", "sgframe.conformance", "-p", "no:cacheprovider",
                                "--scsi-device", args.device]
    if args.device2:
        out += ["--scsi-device2", args.device2]
    if args.dataloss:
        out.append("--scsi-dataloss")
    if args.sanitize:
        out.append("--scsi-sanitize")
    if args.keyword:
        out += ["-k", args.keyword]
    if args.junitxml:
        out += ["--junitxml", args.junitxml]
    if args.json_report:
        out += ["--scsi-report", args.json_report]
    if args.workers:
        out += ["-n", str(args.workers), "--dist", "loadgroup"]
    out += ["-q", "-rfEs"] if args.verbose else ["-q"]
    return out


class _Tally:
    """A pytest plugin object: counts the verdicts of each command family."""

    def __init__(self) -> None:
        self.families: Dict[str, Dict[str, int]] = {}
        self.failures: List[str] = []

    def pytest_runtest_logreport(self, report: Any) -> None:
        from ..conformance import family_of
        from ..testing.report import verdict_of

        verdict = verdict_of(report)
        if verdict is None:
            return
        row = self.families.setdefault(family_of(report.nodeid), dict.fromkeys(_COLUMNS, 0))
        row[verdict] += 1
        if verdict in ("failed", "error", "xpassed"):
            crash = getattr(report.longrepr, "reprcrash", None)
            self.failures.append(f"{report.nodeid}: {crash.message.splitlines()[0] if crash else verdict}")

    @property
    def failed(self) -> int:
        return sum(row["failed"] + row["error"] for row in self.families.values())

    def table(self) -> str:
        width = max([len("family")] + [len(name) for name in self.families])
        lines = [f"{'family':<{width}}  " + "  ".join(f"{c:>7}" for c in _COLUMNS)]
        totals = dict.fromkeys(_COLUMNS, 0)
        for name in sorted(self.families):
            row = self.families[name]
            for c in _COLUMNS:
                totals[c] += row[c]
            lines.append(f"{name:<{width}}  " + "  ".join(f"{row[c]:>7}" for c in _COLUMNS))
        lines.append(f"{'total':<{width}}  " + "  ".join(f"{totals[c]:>7}" for c in _COLUMNS))
        return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    import pytest

    tally = _Tally()
    code = pytest.main(pytest_arguments(args), plugins=[tally])
    sys.stdout.flush()
    print()
    print(f"conformance of {args.device}" + (f" (second nexus {args.device2})" if args.device2 else ""))
    print(tally.table())
    for line in tally.failures:
        print("FAILED " + line)
    if tally.failed:
        return 1
    # 5: nothing collected (-k chose nothing): nothing failed either.
    return 0 if int(code) in (0, 5) else int(code)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("device", metavar="URI", help="the device under test: /dev/sgN, H:C:T:L, emu:disk ...")
    parser.add_argument("device2", metavar="URI2", nargs="?", default=None,
                        help="a second I_T nexus to the same logical unit (multi-initiator tests)")
    parser.add_argument("--dataloss", action="store_true", help="run the tests that write to the medium")
    parser.add_argument("--sanitize", action="store_true", help="run SANITIZE (erases the whole medium)")
    parser.add_argument("-k", dest="keyword", metavar="EXPRESSION", help="only tests matching (as pytest -k)")
    parser.add_argument("--junitxml", metavar="FILE", help="write JUnit XML (pytest's)")
    parser.add_argument("--json", dest="json_report", metavar="FILE",
                        help="write the JSON report: verdicts, identity, commands, sense data")
    parser.add_argument("-n", dest="workers", type=int, metavar="N",
                        help="pytest-xdist workers (one device stays on one worker)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the skips and failures with reasons")


CONFORMANCE = Subcommand(
    name="conformance", help="run the SPC/SBC/ZBC conformance suite against a device (pytest)",
    add_arguments=_arguments, run=_run,
    description="Run sgframe.conformance against URI (and URI2, a second initiator of the same logical "
                "unit) and print passed/failed/skipped per command family. Exit status: 0 when nothing "
                "failed, 1 when a test failed or errored, else pytest's.",
)
