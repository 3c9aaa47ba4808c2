"""The table of libiscsi's iscsi-test-cu tests against sgframe's conformance tests
(sgframe.conformance.libiscsi) names only tests that exist on both sides."""
from __future__ import annotations

import importlib
import shutil
import subprocess
from typing import Set

import pytest

from sgframe.conformance.libiscsi import LIBISCSI, Coverage


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


@pytest.mark.parametrize("name", sorted(LIBISCSI))
def test_each_row_names_existing_tests_or_says_why_not(name):
    row = LIBISCSI[name]
    assert isinstance(row, Coverage)
    assert row.clause.split()[0] in ("SPC-5", "SPC-2", "SBC-4", "SAM-5"), row.clause
    assert bool(row.tests) != bool(row.why_not), row
    for test in row.tests:
        module_name, _, function = test.partition("::")
        module = importlib.import_module(f"sgframe.conformance.{module_name}")
        assert function.startswith("test_") and callable(getattr(module, function, None)), f"{name}: no {test}"


def test_coverage_does_not_shrink():
    covered = [name for name, row in LIBISCSI.items() if row.tests]
    # 137 of 215 when the table was written: coverage must not shrink.
    assert len(covered) >= 137, len(covered)
