"""The conformance suite over iSCSI against LIO (iscsi_target_mod) in the test bed, with
CHAP both ways and CRC32C digests, beside the same run over /dev/sgN (tcm_loop) on the
same fileio backstore: where the transport does not change the rule, the verdicts must be
the same, test by test, and the failures exactly LIO's known deviations that
tests/integration/test_conformance_sg.py lists for the sg run, plus or minus the ones
written down here with the reason the transport changes them (none, so far: measured on
Linux 6.1, 133 passed, 8 failed, 63 skipped both ways).

A second node ACL (another initiator name, the same CHAP secrets) is added for the run:
two sessions are the two I_T nexuses the multi-initiator tests need.

    python -m sgframe.testbed run --lio 1 --lio-iscsi -- python -m pytest tests/integration/test_iscsi_conformance_lio.py
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict

import pytest

from sgframe.testbed.plan import LIO_ISCSI

from integration.test_conformance_sg import KNOWN, failures, lio_two_nexuses, run_suite  # noqa: F401 (fixture)
from integration.test_iscsi_lio import CONFIGFS, url

SECOND = "iqn.2026-12.org.sgframe:second"

#: Verdicts over iSCSI that differ from the sg run's on the same backstore, and why.
ISCSI_ONLY: Dict[str, str] = {}
#: sg-run deviations that do not show over iSCSI, and why.
SG_ONLY: Dict[str, str] = {}


@pytest.fixture
def second_acl(lio_devices):
    """A node ACL for SECOND with LUN 0 mapped and the same CHAP secrets as the first."""
    if not os.path.isdir(CONFIGFS):
        pytest.skip("no LIO iSCSI target in this boot: python -m sgframe.testbed run --lio 1 --lio-iscsi -- ...")
    # LIO keeps persistent reservation state under /var/target/pr (see test_conformance_sg).
    os.makedirs("/var/target/pr", exist_ok=True)
    tpg = Path(CONFIGFS) / "tpgt_1"
    acl = tpg / "acls" / SECOND
    link = acl / "lun_0" / "lun_0"
    (acl / "lun_0").mkdir(parents=True)
    try:
        os.symlink(tpg / "lun" / "lun_0", link)
        for name, key in (("userid", "user"), ("password", "password"), ("userid_mutual", "target_user"),
                          ("password_mutual", "target_password")):
            (acl / "auth" / name).write_text(LIO_ISCSI[key])  # no newline: LIO would keep it
        yield url(initiator=SECOND)
    finally:
        if link.is_symlink():
            link.unlink()
        for path in (acl / "lun_0", acl):
            if path.exists():
                path.rmdir()


def verdicts(document: dict, device: str) -> Dict[str, str]:
    """Test id (the device's name taken out) -> verdict."""
    return {t["nodeid"].split("::", 1)[1].replace(device, "DEVICE"): t["verdict"] for t in document["tests"]}


def test_conformance_suite_over_iscsi_on_lio(second_acl, lio_two_nexuses, tmp_path):
    where = os.environ.get("SGFRAME_CONFORMANCE_OUT")
    out = Path(where) if where else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    document = run_suite("lio-iscsi", url(), out, second_acl)
    failed = failures(document)
    tests = document["tests"]
    (out / "summary-lio-iscsi.json").write_text(json.dumps(
        {"summary": document["summary"], "seconds": document["seconds"], "failed": failed,
         "skipped": sorted({t["reason"] for t in tests if t["verdict"] == "skipped"})}, indent=1) + "\n")
    expected = {part: why for part, why in KNOWN["lio"].items() if part not in SG_ONLY}
    expected.update(ISCSI_ONLY)
    unexplained = {k: v for k, v in failed.items() if not any(part in k for part in expected)}
    gone = [part for part in expected if not any(part in k for k in failed)]
    assert not unexplained, json.dumps(unexplained, indent=1)
    assert not gone, f"known deviations that no longer fail over iSCSI: {gone}"
    assert not [t for t in tests if t["verdict"] == "error"]
    reservations = [t for t in tests if "test_persistent_reservation" in t["nodeid"]]
    assert reservations and not [t for t in reservations if t["verdict"] == "skipped"]
    assert document["summary"].get("passed", 0) > 50, document["summary"]
    # The same suite over /dev/sgN (tcm_loop, two nexuses) on the same backstore: test by
    # test, the same verdicts.
    first, second = lio_two_nexuses
    over_sg = run_suite("lio-sg", first, out, second)
    theirs, ours = verdicts(over_sg, first), verdicts(document, url())
    assert set(theirs) == set(ours)
    differ = {name: (ours[name], theirs[name]) for name in ours if ours[name] != theirs[name]}
    assert not differ, json.dumps(differ, indent=1)
