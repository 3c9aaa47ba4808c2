"""The table of libiscsi's iscsi-test-cu tests against sgframe's conformance tests
(sgframe.conformance.libiscsi) names only tests that exist on both sides."""
from __future__ import annotations

import importlib
import shutil
import subprocess
from typing import Any, List, Set

import pytest

from sgframe.cli.conformance import plugin_arguments
from sgframe.conformance.libiscsi import LIBISCSI, Coverage, matches as _matches


def _listed() -> Set[str]:
    """``Suite.Test`` of every SCSI and LINUX test the installed iscsi-test-cu lists."""
    if shutil.which("iscsi-test-cu") is None:
        pytest.skip("iscsi-test-cu is not installed (Debian: apt-get install libiscsi-bin)")
    out = subprocess.run(["iscsi-test-cu", "--list"], capture_output=True, text=True, timeout=60, check=True).stdout
    names = set()
    for line in out.split():
        parts = line.split(".")
        if len(parts) == 3 and parts[0] in ("SCSI", "LINUX"):
            names.add(f"{parts[1]}.{parts[2]}")
    return names


def test_every_libiscsi_test_is_in_the_table_and_no_other():
    listed = _listed()
    assert len(listed) > 200
    assert sorted(set(LIBISCSI) - listed) == [], "named in the table, unknown to iscsi-test-cu --list"
    assert sorted(listed - set(LIBISCSI)) == [], "listed by iscsi-test-cu, missing from the table"


class _Collected:
    def __init__(self) -> None:
        self.ids: List[str] = []

    def pytest_collection_finish(self, session: Any) -> None:
        self.ids = [item.nodeid for item in session.items]


@pytest.fixture(scope="module")
def collected_ids() -> List[str]:
    """The ids of the whole suite as pytest collects it for one device, emu:disk."""
    collected = _Collected()
    code = pytest.main(plugin_arguments() + ["-p", "no:cacheprovider", "-qq", "--collect-only",
                                             "--pyargs", "sgframe.conformance", "--scsi-device", "emu:disk"],
                       plugins=[collected])
    assert code == 0 and collected.ids
    return collected.ids


@pytest.mark.parametrize("name", sorted(LIBISCSI))
def test_each_row_names_existing_tests_or_says_why_not(name, collected_ids):
    row = LIBISCSI[name]
    assert isinstance(row, Coverage)
    assert row.clause.split()[0] in ("SPC-5", "SPC-2", "SBC-4", "SAM-5"), row.clause
    assert bool(row.tests) != bool(row.why_not), row
    for test in row.tests:
        module_name, _, function = test.split("[")[0].partition("::")
        module = importlib.import_module(f"sgframe.conformance.{module_name}")
        assert function.startswith("test_") and callable(getattr(module, function, None)), f"{name}: no {test}"
        assert any(_matches(test, nodeid) for nodeid in collected_ids), f"{name}: {test} is not a collected test"


def test_a_parametrization_reference_matches_only_its_part():
    nodeid = "sgframe/conformance/test_read_write.py::test_read_zero_length[emu:disk-Read10]"
    assert _matches("test_read_write::test_read_zero_length[Read10]", nodeid)
    assert _matches("test_read_write::test_read_zero_length", nodeid)
    assert not _matches("test_read_write::test_read_zero_length[Read16]", nodeid)
    assert not _matches("test_read_write::test_read_zero", nodeid)
    assert not _matches("test_verify::test_read_zero_length", nodeid)
    # The JSON report's ids start at the module.
    assert _matches("test_read_write::test_read_zero_length[Read10]", "test_read_write.py::test_read_zero_length[/dev/sg0-Read10]")


def test_coverage_does_not_shrink():
    covered = [name for name, row in LIBISCSI.items() if row.tests]
    # 137 of 215 when the table was written, 136 since Inquiry.VersionDescriptors is "not
    # covered" (its sgframe test asserted nothing a device could fail): it must not shrink.
    assert len(covered) >= 136, len(covered)
