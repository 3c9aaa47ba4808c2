"""The JSON report of a device test run (``--scsi-report FILE``).

Built from pytest's test reports on the process that runs the session, so under
pytest-xdist the workers' results arrive here too: what a test knew (its device, the
commands it sent, the sense data of its failure) travels in the report's
``user_properties``, which xdist carries back.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from .. import errors

__all__ = ["JsonReport", "failure_details", "verdict_of"]

#: user_properties keys the plugin fills.
DEVICE = "sgframe_device"
IDENTITY = "sgframe_identity"
COMMANDS = "sgframe_commands"
SENSE = "sgframe_failure"


def _plain_int(value: Any) -> Optional[int]:
    return None if value is None else int(value)


def failure_details(exc: Optional[BaseException]) -> Optional[Dict[str, Any]]:
    """The device failure behind ``exc`` (itself, or what it was raised from): its
    status, sense bytes and one-line text; None when no device failure is involved."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, errors.TaskFailed):
            io = getattr(exc, "io", None)
            sense = bytes(io.hdr.sense).hex() if io is not None and io.hdr.sense else None
            # Plain ints and strings: pytest-xdist sends these to the controller through
            # execnet, which refuses enums (SenseKey) and other classes.
            return {"command": None if exc.command is None else str(exc.command),
                    "status": _plain_int(exc.status), "sense_key": _plain_int(exc.sense_key),
                    "asc": _plain_int(exc.asc), "ascq": _plain_int(exc.ascq), "sense": sense,
                    "text": str(exc)}
        exc = exc.__cause__ or exc.__context__
    return None


def verdict_of(report: Any) -> Optional[str]:
    """passed, failed, skipped, xfailed, xpassed or error; None for a phase that does
    not decide (a passing setup or teardown)."""
    xfail = hasattr(report, "wasxfail")
    if report.when == "call":
        if report.passed:
            return "xpassed" if xfail else "passed"
        if report.skipped:
            return "xfailed" if xfail else "skipped"
        return "failed"
    if report.skipped:
        return "xfailed" if xfail else "skipped"
    if report.failed:
        return "error"
    return None


def _reason(report: Any) -> Optional[str]:
    if hasattr(report, "wasxfail"):
        return report.wasxfail or None
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        return crash.message if crash is not None else str(report.longrepr)[-2000:]
    return None


class JsonReport:
    """Collects the verdicts of a run and writes them as one JSON document."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.tests: Dict[str, Dict[str, Any]] = {}
        self.devices: Dict[str, Any] = {}

    def add(self, report: Any) -> None:
        properties = dict(report.user_properties)
        entry = self.tests.setdefault(report.nodeid, {"nodeid": report.nodeid, "verdict": None,
                                                      "device": properties.get(DEVICE), "duration": 0.0})
        entry["duration"] = round(entry["duration"] + report.duration, 6)
        if properties.get(DEVICE):
            entry["device"] = properties[DEVICE]
            if properties.get(IDENTITY):
                self.devices[properties[DEVICE]] = properties[IDENTITY]
        verdict = verdict_of(report)
        if verdict is not None and (entry["verdict"] in (None, "passed") or verdict == "error"):
            entry["verdict"] = verdict
            entry["reason"] = _reason(report)
        if report.when == "teardown":
            entry["commands"] = properties.get(COMMANDS, [])
            if properties.get(SENSE):
                entry["failure"] = properties[SENSE]

    def document(self) -> Dict[str, Any]:
        tests: List[Dict[str, Any]] = list(self.tests.values())
        summary: Dict[str, int] = {}
        for entry in tests:
            summary[entry["verdict"]] = summary.get(entry["verdict"], 0) + 1
        return {"devices": self.devices, "summary": summary, "tests": tests}

    # pytest hooks: this object is registered as a plugin of the session.
    def pytest_runtest_logreport(self, report: Any) -> None:
        self.add(report)

    def pytest_sessionfinish(self) -> None:
        self.write()

    def write(self) -> None:
        with open(self.path, "w") as out:
            json.dump(self.document(), out, indent=1, sort_keys=True)
            out.write("\n")
