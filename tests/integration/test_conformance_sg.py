"""The conformance suite on real kernel targets, beside libiscsi's iscsi-test-cu.

Devices: the boot's first scsi_debug disk (whatever the boot made of it: plain, with
protection information ``dif=1 dix=1``, or zoned ``zbc=host-managed``, read from the
module's parameters), the same disk write protected (``wp=1`` at run time), and an LIO
fileio disk reached through two tcm_loop targets (two I_T nexuses to one logical unit).

What each device breaks is written down below with the clause; a failure not listed, or a
listed one that no longer fails, fails the test. ``SGFRAME_CONFORMANCE_OUT=DIR`` keeps the
JSON reports, the libiscsi output and a summary there.

    python -m sgframe.testbed run --lio 1 -- python -m pytest tests/integration/test_conformance_sg.py
    python -m sgframe.testbed run --scsi-debug "dev_size_mb=32 num_tgts=1 max_luns=1 delay=0 dif=1 dix=1" -- ...
    python -m sgframe.testbed run --scsi-debug "dev_size_mb=64 num_tgts=1 max_luns=1 delay=0 zbc=host-managed" -- ...
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from sgframe.cli.conformance import plugin_arguments
from sgframe.testbed import guest

ROOT = Path(__file__).resolve().parents[2]

#: Failures each kind of device is known to earn, test id part -> the rule it breaks.
KNOWN: Dict[str, Dict[str, str]] = {
    "scsi_debug": {
        "test_verify_beyond_capacity[": "SBC-4 5.33: VERIFY past the last LBA must end in LOGICAL BLOCK ADDRESS OUT OF "
                                        "RANGE; scsi_debug claims success for BYTCHK=0 before it checks the range",
        "test_rdprotect_without_protection": "SBC-4 5.16 Table 70: RDPROTECT non-zero on a logical unit without "
                                             "protection information must be INVALID FIELD IN CDB; scsi_debug ignores it",
        "test_wrprotect_without_protection": "SBC-4 5.41 Table 105: the same for WRPROTECT",
        "test_page_code_without_evpd_is_rejected": "SPC-5 6.7.1: EVPD=0 with a non-zero PAGE CODE must be INVALID "
                                                   "FIELD IN CDB; scsi_debug returns the standard data",
        "test_miscompare_writes_nothing": "SBC-4 5.3: the miscompare sense must carry the offset of the first "
                                          "differing byte in INFORMATION (VALID=1); scsi_debug leaves it out",
        "test_the_largest_lba": "SBC-4 4.5: LBA FFFFFFFF_FFFFFFFFh is out of range; scsi_debug adds LBA and "
                                "TRANSFER LENGTH in 64 bits, the sum wraps, and the command completes",
        "test_service_action_is_zero_without_servactv": "SPC-5 6.35.2: SERVICE ACTION is reserved when SERVACTV=0; "
                                                        "scsi_debug lists SEND DIAGNOSTIC (1Dh) with 0002h",
    },
    "scsi_debug-pi": {
        "test_verify_beyond_capacity[": "as for scsi_debug",
        "test_page_code_without_evpd_is_rejected": "as for scsi_debug",
        "test_miscompare_writes_nothing": "as for scsi_debug",
        "test_the_largest_lba": "as for scsi_debug",
        "test_service_action_is_zero_without_servactv": "as for scsi_debug",
        # SBC-4 4.22.1: with WRPROTECT/RDPROTECT 001b the 8 bytes of protection information
        # follow each logical block in the data buffers. scsi_debug (dif=1 dix=1) looks for
        # them only in a separate DIX buffer, which SG_IO cannot carry: it stores them as
        # data, checks nothing and returns its own tags.
        "test_write_and_read_with_protection": "SBC-4 4.22.1 and 5.16 Table 70: RDPROTECT=001b returns the "
                                               "protection information written; scsi_debug returns other tags",
        "test_bad_guard_is_rejected": "SBC-4 4.22.4.2: a wrong LOGICAL BLOCK GUARD must end in ABORTED COMMAND "
                                      "10h/01h; scsi_debug does not check PI that arrives in the data-out buffer",
        "test_bad_reference_tag_is_rejected": "SBC-4 4.22.4.4: the same for the LOGICAL BLOCK REFERENCE TAG (10h/03h)",
    },
    "scsi_debug-zoned": {
        "test_page_code_without_evpd_is_rejected": "as for scsi_debug",
        "test_rdprotect_without_protection": "as for scsi_debug",
        "test_service_action_is_zero_without_servactv": "as for scsi_debug",
    },
    "scsi_debug-wp": {
        "test_verify_beyond_capacity[": "as for scsi_debug",
        "test_rdprotect_without_protection": "as for scsi_debug",
        "test_page_code_without_evpd_is_rejected": "as for scsi_debug",
        "test_the_largest_lba": "as for scsi_debug",
        "test_service_action_is_zero_without_servactv": "as for scsi_debug",
        "test_write_is_rejected": "SBC-4 4.11 and 6.5.1: with WP=1 in the mode parameter header a write must end "
                                  "in DATA PROTECT, WRITE PROTECTED; scsi_debug (Linux 6.1) with wp=1 set at run "
                                  "time reports WP=1 and still writes",
    },
    "lio": {
        "test_inquiry_is_allowed_to_others": "SPC-2 5.5.1: REQUEST SENSE from another initiator must not conflict "
                                             "with a RESERVE(6); LIO answers RESERVATION CONFLICT",
        "test_operating_parameters": "SPC-5 4.2.5.6: transfer no more than the available data (46 bytes); LIO "
                                     "returns the whole 1024-byte allocation with a zero residual",
        "test_release_with_wrong_type_fails": "SPC-5 5.14.11.2.2: RELEASE with another TYPE than the reservation's "
                                              "must be ILLEGAL REQUEST, INVALID RELEASE OF PERSISTENT RESERVATION; "
                                              "LIO answers RESERVATION CONFLICT",
        "test_reserve_needs_registration": "SPC-5 5.14.9: RESERVE from an unregistered I_T nexus must be RESERVATION "
                                           "CONFLICT; LIO answers NOT READY, LOGICAL UNIT COMMUNICATION FAILURE",
        "test_start[": "SBC-4 5.25: START STOP UNIT with IMMED=0 is valid; LIO rejects it (INVALID FIELD IN CDB)",
        "test_stop_then_start": "SBC-4 5.25 and 4.20: START=0 must stop the logical unit; LIO rejects it",
        "test_verify_bytchk_miscompare": "SBC-4 5.33: VERIFY with BYTCHK=01b must compare and report MISCOMPARE; "
                                         "LIO completes it without comparing",
    },
}


def _out_dir(tmp_path: Path) -> Path:
    where = os.environ.get("SGFRAME_CONFORMANCE_OUT")
    path = Path(where) if where else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


#: Tests left out on a kind of device, and why: they take the machine down with them.
LEFT_OUT: Dict[str, Dict[str, str]] = {
    "scsi_debug-zoned": {
        "test_the_largest_lba": "SBC-4 4.5: READ(16) at LBA FFFFFFFF_FFFFFFFFh must end in LOGICAL BLOCK ADDRESS "
                                "OUT OF RANGE; scsi_debug with zbc=host-managed (Linux 6.1) looks up the zone of "
                                "that LBA first and the kernel panics (user-mode Linux: 'Kernel tried to access "
                                "user memory')",
        "test_read_zero_length": "SBC-4 5.16: a READ of zero blocks is not an error; scsi_debug with zbc looks up "
                                 "the zone of LBA + 0 - 1 (which wraps) and the kernel panics the same way",
    },
}


def run_suite(label: str, device: str, out: Path, device2: Optional[str] = None) -> Dict[str, Any]:
    """Run sgframe.conformance on the device; the JSON report, with the wall time."""
    report = out / f"sgframe-{label}.json"
    command = [sys.executable, "-m", "pytest", *plugin_arguments(), "-p", "no:cacheprovider", "-q",
               "--rootdir", str(out), "--pyargs", "sgframe.conformance", "--scsi-device", device,
               "--scsi-dataloss", "--scsi-sanitize", "--scsi-report", str(report)]
    if device2:
        command += ["--scsi-device2", device2]
    if LEFT_OUT.get(label):
        command += ["-k", " and ".join(f"not {name}" for name in LEFT_OUT[label])]
    started = time.monotonic()
    done = subprocess.run(command, cwd=out, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=1800)
    seconds = time.monotonic() - started
    (out / f"sgframe-{label}.txt").write_text(done.stdout + done.stderr)
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    document = json.loads(report.read_text())
    document["seconds"] = round(seconds, 1)
    return document


def failures(document: Dict[str, Any]) -> Dict[str, str]:
    return {t["nodeid"].split("::", 1)[1]: t["reason"] or "" for t in document["tests"]
            if t["verdict"] in ("failed", "error")}


def check(label: str, document: Dict[str, Any], out: Path) -> None:
    """Record the verdicts; the failures must be exactly the known deviations."""
    summary = {"device": label, "summary": document["summary"], "seconds": document["seconds"],
               "left_out": LEFT_OUT.get(label, {}),
               "failed": failures(document),
               "skipped": sorted({t["reason"] for t in document["tests"] if t["verdict"] == "skipped"})}
    (out / f"summary-{label}.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    known = KNOWN[label]
    unexplained = {k: v for k, v in summary["failed"].items() if not any(part in k for part in known)}
    gone = [part for part in known if not any(part in k for k in summary["failed"])]
    assert document["summary"].get("passed", 0) > 50, document["summary"]
    assert not unexplained, json.dumps(unexplained, indent=1)
    assert not gone, f"known deviations that no longer fail: {gone}"


def _first_scsi_debug(testbed: guest.Manifest) -> guest.Device:
    found = [d for d in testbed.of_kind("scsi_debug") if d.exists() and d.peripheral_device_type in (0x00, 0x14)]
    if not found:
        pytest.fail("the test bed has no scsi_debug disk: boot it with --scsi-debug")
    return found[0]


def _variant() -> str:
    if guest.sdebug_param("zbc") not in ("none", "0", ""):
        return "scsi_debug-zoned"
    if guest.sdebug_param("dif") != "0":
        return "scsi_debug-pi"
    return "scsi_debug"


def test_suite_on_scsi_debug(testbed, tmp_path):
    """The boot's scsi_debug disk, as the module's parameters made it."""
    device = _first_scsi_debug(testbed)
    label = _variant()
    out = _out_dir(tmp_path)
    check(label, run_suite(label, device.sg, out), out)


def test_suite_on_write_protected_scsi_debug(testbed, sdebug_params, tmp_path):
    """The same disk with WP=1 (scsi_debug ``wp``): writes end in DATA PROTECT."""
    device = _first_scsi_debug(testbed)
    if _variant() != "scsi_debug":
        pytest.skip("the write-protected run is made on the plain scsi_debug boot")
    sdebug_params(wp=1)
    out = _out_dir(tmp_path)
    check("scsi_debug-wp", run_suite("scsi_debug-wp", device.sg, out), out)


@pytest.fixture
def lio_two_nexuses(lio_devices) -> Any:
    """The first LIO disk through a second tcm_loop target: (sg of nexus 1, sg of nexus 2)."""
    first = lio_devices[0]
    config = Path("/sys/kernel/config/target")
    backstore = next(config.glob("core/fileio_*/disk0"))
    target = config / "loopback" / "naa.5001405000000c01" / "tpgt_1"
    # LIO writes its persistent reservation state (APTPL, even when it is 0) under
    # /var/target/pr and ends PERSISTENT RESERVE OUT in LOGICAL UNIT COMMUNICATION FAILURE
    # (08h/00h) when it cannot: the directory must exist.
    os.makedirs("/var/target/pr", exist_ok=True)
    before = {d.sg for d in guest.scan()}
    target.mkdir(parents=True)
    try:
        (target / "nexus").write_text("naa.5001405000000c02\n")  # the nexus before the LUN
        lun = target / "lun" / "lun_0"
        lun.mkdir(parents=True)
        os.symlink(backstore, lun / "virtual_file")
        second = guest.wait_for(lambda: [d for d in guest.scan() if d.sg not in before and d.kind == "lio"],
                                10, "the second nexus's sg node")[0]
        yield first.sg, second.sg
    finally:
        # configfs: the LUN's link, the LUN, the TPG, the target, in that order.
        link = target / "lun" / "lun_0" / "virtual_file"
        if link.is_symlink():
            link.unlink()
        for path in (target / "lun" / "lun_0", target, target.parent):
            if path.exists():
                path.rmdir()


def test_suite_on_lio_with_two_nexuses(lio_two_nexuses, tmp_path):
    """LIO fileio through two tcm_loop targets: reservations between two initiators."""
    first, second = lio_two_nexuses
    out = _out_dir(tmp_path)
    check("lio", run_suite("lio", first, out, second), out)


def _libiscsi(device: str, out: Path, label: str) -> Dict[str, Any]:
    started = time.monotonic()
    done = subprocess.run(["iscsi-test-cu", "--test=LINUX", "--dataloss", device],
                          capture_output=True, text=True, timeout=3600)
    seconds = time.monotonic() - started
    text = done.stdout + done.stderr
    (out / f"libiscsi-{label}.txt").write_text(text)
    results = parse_cunit(text)
    run = re.search(r"tests\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", text)
    return {"seconds": round(seconds, 1), "tests": results,
            "run": run.groups() if run else None, "exit": done.returncode}


def parse_cunit(text: str) -> Dict[str, str]:
    """iscsi-test-cu's verbose CUnit output -> {"Suite.Test": passed, failed or skipped}.

    CUnit counts a skipped test as passed; libiscsi prints "[SKIPPED]" before it.
    """
    results: Dict[str, str] = {}
    suite, test, lines = "", None, []

    def close() -> None:
        if test is not None:
            body = "\n".join(lines)
            verdict = "failed" if re.search(r"(^|\s)FAILED\s*$", body, re.M) else (
                "skipped" if "[SKIPPED]" in body else "passed")
            results[f"{suite}.{test}"] = verdict

    for line in text.splitlines():
        found_suite = re.match(r"^Suite: (\S+)", line)
        found_test = re.match(r"^\s+Test: (\S+) \.\.\.(.*)$", line)
        if found_suite or found_test or line.startswith("Run Summary"):
            close()
            test, lines = None, []
        if found_suite:
            suite = found_suite.group(1)
        elif found_test:
            test, lines = found_test.group(1), [found_test.group(2)]
        elif test is not None:
            lines.append(line)
    close()
    return results


def test_libiscsi_beside_the_suite(testbed, tmp_path):
    """iscsi-test-cu --test=LINUX --dataloss on the same scsi_debug disk, with its wall time."""
    if shutil.which("iscsi-test-cu") is None:
        pytest.fail("libiscsi-bin is not installed (apt-get install libiscsi-bin)")
    device = _first_scsi_debug(testbed)
    out = _out_dir(tmp_path)
    label = _variant()
    if label == "scsi_debug-zoned":
        # Seen here: iscsi-test-cu's zero-length READs make zoned scsi_debug look up the
        # zone of LBA - 1 and Linux 6.1 panics (see LEFT_OUT); it cannot run on this boot.
        pytest.skip("iscsi-test-cu panics the kernel on zoned scsi_debug (zero-length READ)")
    result = _libiscsi(device.sg, out, label)
    (out / f"libiscsi-{label}.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    assert result["tests"], "iscsi-test-cu ran no test: " + (out / f"libiscsi-{label}.txt").read_text()[-2000:]
