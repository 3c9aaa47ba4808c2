"""The example of docs/pytest.rst (tests/examples/example_my_disk.py) runs and passes on
emu:disk, with a second nexus, as a user would run it."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest

from sgframe.cli.conformance import plugin_arguments

EXAMPLE = Path(__file__).parent / "examples" / "example_my_disk.py"


class _Outcomes:
    def __init__(self) -> None:
        self.outcomes: Dict[str, str] = {}

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or report.outcome != "passed":
            self.outcomes.setdefault(report.nodeid.split("::")[1], report.outcome)


def test_the_documented_example_passes_on_emu_disk(tmp_path):
    (tmp_path / "none.ini").write_text("[pytest]\n")
    outcomes = _Outcomes()
    code = pytest.main(plugin_arguments() + ["-p", "no:cacheprovider", "-qq", "-c", str(tmp_path / "none.ini"),
                                             "--rootdir", str(tmp_path), str(EXAMPLE),
                                             "--scsi-device", "emu:disk?share=docs",
                                             "--scsi-device2", "emu:disk?share=docs&nexus=1", "--scsi-dataloss"],
                       plugins=[outcomes])
    assert code == 0
    assert outcomes.outcomes == {f"{name}[emu:disk?share=docs]": "passed" for name in (
        "test_ready", "test_capacity_is_what_we_ordered", "test_read_past_the_end", "test_what_we_write_we_read",
        "test_a_fresh_block_is_mapped_or_not", "test_two_initiators")}


def test_the_documentation_shows_the_example():
    text = (Path(__file__).parent.parent / "docs" / "pytest.rst").read_text()
    assert "literalinclude:: ../tests/examples/example_my_disk.py" in text
