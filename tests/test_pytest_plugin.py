"""The pytest plugin (sgframe.pytest_plugin): options, fixtures, markers, scsi_expect,
the JSON report and one driver per device under pytest-xdist.

User test files are written to a temporary directory and run by pytest sessions of their
own, in this process (pytest.main) or, for xdist, in a child process.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import pytest

from sgframe import Channel, errors
from sgframe.cli.conformance import plugin_arguments
from sgframe.testing import expect
from sgframe.testing.expect import Recorder, scsi_expect
from sgframe.testing.locks import DeviceLock, device_key

ROOT = Path(__file__).resolve().parent.parent


class _Outcomes:
    def __init__(self) -> None:
        self.reports: Dict[str, Any] = {}

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or report.outcome != "passed":
            self.reports.setdefault(report.nodeid, report)


def _run(tmp_path: Path, source: str, *args: str) -> Dict[str, Any]:
    """Run a user's test file; nodeid (without the directory) -> its deciding report."""
    (tmp_path / "none.ini").write_text("[pytest]\n")
    # A module name of its own: pytest sessions in one process share sys.modules.
    path = tmp_path / f"test_user_{tmp_path.name.replace('-', '_')}.py"
    path.write_text(textwrap.dedent(source))
    outcomes = _Outcomes()
    code = pytest.main(plugin_arguments() + ["-p", "no:cacheprovider", "-qq", "--rootdir", str(tmp_path),
                                             "-c", str(tmp_path / "none.ini"), str(path), *args], plugins=[outcomes])
    assert code in (0, 1), f"pytest exit status {code}"
    return {nodeid.split("::", 1)[1] if "::" in nodeid else nodeid: report for nodeid, report in outcomes.reports.items()}


def _skip_reason(report: Any) -> str:
    assert report.skipped, report
    return str(report.longrepr[2])


# --- scsi_expect ---------------------------------------------------------------------

def test_scsi_expect_passes_the_expected_failure():
    with Channel.open("emu:disk?blocks=100") as channel:
        with scsi_expect(errors.IllegalRequest, asc=0x21, ascq=0x00) as caught:
            channel.cmd.Read16(lba=100, transfer_length=1, )
    assert caught.failure.asc == 0x21 and caught.sense.ascq == 0x00


def test_scsi_expect_rejects_another_failure_with_the_handlers_message():
    with Channel.open("emu:disk?blocks=100") as channel:
        with pytest.raises(errors.ExpectationFailed) as raised:
            with scsi_expect(errors.IllegalRequest, asc=0x24):
                channel.cmd.Read16(lba=100, transfer_length=1)
    assert str(raised.value) == ("READ(16) on emu:disk?blocks=100: expected IllegalRequest with ASC/ASCQ 24h/xx; "
                                 "it failed with IllegalRequest: CHECK CONDITION, ILLEGAL REQUEST, "
                                 "Logical block address out of range [21h/00h]")
    assert isinstance(raised.value.__cause__, errors.IllegalRequest)


def test_scsi_expect_names_the_command_that_succeeded():
    recorder = Recorder()
    expect.current = recorder
    try:
        with Channel.open("emu:disk?blocks=100") as channel:
            channel.handlers.append(recorder)
            with pytest.raises(errors.ExpectationFailed) as raised:
                with scsi_expect(errors.IllegalRequest):
                    channel.cmd.Read16(lba=0, transfer_length=1)
    finally:
        expect.current = None
    assert str(raised.value) == "READ(16) on emu:disk?blocks=100: expected IllegalRequest; it succeeded"
    assert recorder.commands[-1]["cdb"] == "88000000000000000000000000010000"


def test_scsi_expect_without_a_command():
    with pytest.raises(errors.ExpectationFailed, match="expected a failure with status RESERVATION CONFLICT; "
                                                        "no command was sent in the block"):
        with scsi_expect(status=0x18):
            pass


def test_scsi_expect_leaves_other_exceptions_alone():
    with pytest.raises(KeyError):
        with scsi_expect(errors.IllegalRequest):
            raise KeyError("not a device's answer")


def test_scsi_expect_checks_its_arguments():
    with pytest.raises(errors.UsageError, match="unknown expectation sense="):
        scsi_expect(sense=5)


# --- locks ---------------------------------------------------------------------------

def test_device_key_names_a_shared_emulated_device_by_its_share():
    assert device_key("emu:disk?share=a&nexus=1") == device_key("emu:disk?share=a") == "emu-share-a"
    assert device_key("emu:disk") == "emu:disk"


def test_a_device_lock_excludes_another_holder(tmp_path):
    import fcntl

    with DeviceLock(tmp_path, "emu:disk?share=x") as lock:
        other = os.open(lock.path, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(other)
    other = os.open(lock.path, os.O_RDWR)
    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
    os.close(other)


def test_the_device_in_a_test_id():
    from sgframe.testing.scheduling import device_in_test_id

    devices = ["emu:disk", "emu:disk?share=a", "/dev/sg1"]
    assert device_in_test_id("t.py::test_x[emu:disk?share=a-Read10]", devices) == "emu:disk?share=a"
    assert device_in_test_id("t.py::test_x[Read10-emu:disk]", devices) == "emu:disk"
    assert device_in_test_id("t.py::test_x[/dev/sg1]", devices) == "/dev/sg1"
    assert device_in_test_id("t.py::test_x[/dev/sg10]", devices) is None
    assert device_in_test_id("t.py::test_x", devices) is None


# --- the plugin in a session ---------------------------------------------------------

USER_TESTS = """
    import pytest
    from sgframe import errors

    def test_tur(scsi_channel):
        scsi_channel.cmd.TestUnitReady()

    def test_capacity(scsi_device):
        assert scsi_device.block_size == 512 and scsi_device.blocks == 4096

    def test_out_of_range(scsi_channel, scsi_device, scsi_expect):
        with scsi_expect(errors.IllegalRequest, asc=0x21, ascq=0x00):
            scsi_channel.cmd.Read16(lba=scsi_device.blocks, transfer_length=1)

    def test_wrong_expectation(scsi_channel, scsi_expect):
        with scsi_expect(errors.IllegalRequest, asc=0x21, ascq=0x00):
            scsi_channel.cmd.Read16(lba=0, transfer_length=1)

    @pytest.mark.destructive
    def test_writes(scsi_channel):
        scsi_channel.cmd.Write16(lba=0, transfer_length=1, data=bytes(512))

    @pytest.mark.requires_command("SetTargetPortGroups")
    def test_atomic(scsi_channel):
        pass

    @pytest.mark.requires("protection")
    def test_pi(scsi_channel):
        pass

    def test_second(scsi_channel2):
        scsi_channel2.cmd.TestUnitReady()

    @pytest.mark.xfail(reason="known")
    def test_known(scsi_channel):
        scsi_channel.cmd.Read16(lba=10**6, transfer_length=1)

    def test_no_device_needed():
        pass
"""


def test_one_run_per_device_with_the_device_in_the_id(tmp_path):
    results = _run(tmp_path, USER_TESTS, "--scsi-device", "emu:disk?blocks=4096",
                   "--scsi-device", "emu:disk?blocks=4096&serial=B")
    assert results["test_tur[emu:disk?blocks=4096]"].passed
    assert results["test_tur[emu:disk?blocks=4096&serial=B]"].passed
    assert results["test_capacity[emu:disk?blocks=4096]"].passed
    assert results["test_out_of_range[emu:disk?blocks=4096&serial=B]"].passed
    failed = results["test_wrong_expectation[emu:disk?blocks=4096]"]
    assert failed.failed and "expected IllegalRequest with ASC/ASCQ 21h/00h; it succeeded" in str(failed.longrepr)
    assert _skip_reason(results["test_writes[emu:disk?blocks=4096]"]) == "Skipped: modifies the medium: run with --scsi-dataloss"
    assert _skip_reason(results["test_atomic[emu:disk?blocks=4096]"]) == (
        "Skipped: the device does not support SET TARGET PORT GROUPS (REPORT SUPPORTED OPERATION CODES)")
    assert _skip_reason(results["test_pi[emu:disk?blocks=4096]"]) == (
        "Skipped: the medium is not formatted with protection information")
    assert _skip_reason(results["test_second[emu:disk?blocks=4096]"]).startswith(
        "Skipped: needs a second I_T nexus to the same logical unit")
    assert hasattr(results["test_known[emu:disk?blocks=4096]"], "wasxfail")
    assert results["test_no_device_needed"].passed


def test_dataloss_and_the_second_nexus(tmp_path):
    results = _run(tmp_path, USER_TESTS, "--scsi-device", "emu:disk?blocks=4096&share=p",
                   "--scsi-device2", "emu:disk?share=p&nexus=1", "--scsi-dataloss", "-k", "writes or second")
    assert results["test_writes[emu:disk?blocks=4096&share=p]"].passed
    assert results["test_second[emu:disk?blocks=4096&share=p]"].passed


def test_devices_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SGFRAME_DEVICES", "emu:disk?blocks=4096 emu:disk?blocks=4096&serial=E")
    results = _run(tmp_path, USER_TESTS, "-k", "tur")
    assert sorted(results) == ["test_tur[emu:disk?blocks=4096&serial=E]", "test_tur[emu:disk?blocks=4096]"]


def test_without_a_device_the_tests_skip_saying_why(tmp_path, monkeypatch):
    monkeypatch.delenv("SGFRAME_DEVICES", raising=False)
    results = _run(tmp_path, USER_TESTS, "-k", "tur or no_device")
    assert _skip_reason(results["test_tur[no-device]"]) == (
        "Skipped: no device under test: give --scsi-device URI (or SGFRAME_DEVICES)")
    assert results["test_no_device_needed"].passed


def test_failure_details_cross_to_the_xdist_controller():
    """The sense details a failed test carries go from an xdist worker to the controller
    through execnet, which refuses enums: they must be plain values."""
    execnet = pytest.importorskip("execnet")
    from sgframe.testing.report import failure_details

    with Channel.open("emu:disk?blocks=100") as channel:
        with pytest.raises(errors.IllegalRequest) as caught:
            channel.cmd.Read16(lba=100, transfer_length=1)
    details = failure_details(caught.value)
    assert (details["sense_key"], details["asc"], details["ascq"], details["status"]) == (0x5, 0x21, 0x00, 0x02)
    assert type(details["sense_key"]) is int
    assert execnet.loads(execnet.dumps(details)) == details


def test_scsi_skip_skips_the_named_tests_with_the_reason(tmp_path):
    results = _run(tmp_path, USER_TESTS, "--scsi-device", "emu:disk?blocks=4096", "-k", "tur or capacity",
                   "--scsi-skip", "test_tur=crashes this device's host (a kernel bug)")
    assert _skip_reason(results["test_tur[emu:disk?blocks=4096]"]) == (
        "Skipped: crashes this device's host (a kernel bug)")
    assert results["test_capacity[emu:disk?blocks=4096]"].passed


@pytest.mark.parametrize("given", ["test_tur", "=why", "test_tur=", "test_tur= "])
def test_scsi_skip_needs_a_name_and_a_reason(tmp_path, given, capsys):
    (tmp_path / "none.ini").write_text("[pytest]\n")
    path = tmp_path / "test_skip_usage.py"
    path.write_text("def test_x(scsi_channel):\n    pass\n")
    code = pytest.main(plugin_arguments() + ["-p", "no:cacheprovider", "-qq", "--rootdir", str(tmp_path), "-c",
                                             str(tmp_path / "none.ini"), str(path), "--scsi-device", "emu:disk",
                                             "--scsi-skip", given])
    assert code == pytest.ExitCode.USAGE_ERROR
    assert f"--scsi-skip {given!r}: give NAME=REASON" in capsys.readouterr().err


def test_a_required_command_the_device_rejects_skips(tmp_path):
    # The device does not answer REPORT SUPPORTED OPERATION CODES here (the fixture says
    # so), so the test runs and the device's INVALID COMMAND OPERATION CODE skips it.
    source = """
        import attrs, pytest

        @pytest.fixture(scope="session")
        def scsi_device(scsi_device):
            return attrs.evolve(scsi_device, opcodes=None)

        @pytest.mark.requires_command("SetTargetPortGroups")
        def test_atomic(scsi_channel):
            scsi_channel.cmd.SetTargetPortGroups(parameter_list_length=4, data=bytes(4))

        def test_not_required(scsi_channel):
            scsi_channel.cmd.SetTargetPortGroups(parameter_list_length=4, data=bytes(4))
    """
    results = _run(tmp_path, source, "--scsi-device", "emu:disk")
    assert _skip_reason(results["test_atomic[emu:disk]"]) == (
        "Skipped: the device does not implement SET TARGET PORT GROUPS: INVALID COMMAND OPERATION CODE (20h/00h)")
    assert results["test_not_required[emu:disk]"].failed


def test_an_unknown_feature_is_an_error(tmp_path):
    source = """
        import pytest

        @pytest.mark.requires("warp_drive")
        def test_x(scsi_channel):
            pass
    """
    report = _run(tmp_path, source, "--scsi-device", "emu:disk")["test_x[emu:disk]"]
    assert report.failed and "requires('warp_drive'): unknown feature; known: " in str(report.longrepr)


def test_the_json_report(tmp_path):
    path = tmp_path / "report.json"
    _run(tmp_path, USER_TESTS, "--scsi-device", "emu:disk?blocks=4096", "--scsi-report", str(path),
         "-k", "out_of_range or wrong_expectation or writes or no_device")
    document = json.loads(path.read_text())
    identity = document["devices"]["emu:disk?blocks=4096"]
    assert identity["identity"] == "SGFRAME EMU DISK 0001"
    assert identity["block_size"] == 512 and identity["blocks"] == 4096 and identity["protection_type"] == 0
    tests = {t["nodeid"].split("::")[1]: t for t in document["tests"]}
    assert document["summary"] == {"passed": 2, "failed": 1, "skipped": 1}
    good = tests["test_out_of_range[emu:disk?blocks=4096]"]
    assert good["verdict"] == "passed" and good["device"] == "emu:disk?blocks=4096"
    assert [c["command"] for c in good["commands"]] == ["READ(16)"]
    assert good["commands"][0]["cdb"] == "88000000000000001000000000010000"
    assert good["commands"][0]["status"] == 2 and good["commands"][0]["sense"].startswith("70000500")
    bad = tests["test_wrong_expectation[emu:disk?blocks=4096]"]
    assert bad["verdict"] == "failed"
    assert "expected IllegalRequest with ASC/ASCQ 21h/00h; it succeeded" in bad["reason"]
    skipped = tests["test_writes[emu:disk?blocks=4096]"]
    assert skipped["verdict"] == "skipped" and skipped["reason"] == "modifies the medium: run with --scsi-dataloss"
    assert tests["test_no_device_needed"]["verdict"] == "passed" and tests["test_no_device_needed"]["device"] is None


def test_the_json_report_keeps_the_sense_of_a_failure(tmp_path):
    path = tmp_path / "report.json"
    source = """
        def test_fails(scsi_channel, scsi_device):
            scsi_channel.cmd.Read10(lba=scsi_device.blocks, transfer_length=1)
    """
    _run(tmp_path, source, "--scsi-device", "emu:disk?blocks=64", "--scsi-report", str(path))
    (test,) = json.loads(path.read_text())["tests"]
    assert test["verdict"] == "failed"
    assert test["failure"]["command"] == "READ(10)"
    assert (test["failure"]["sense_key"], test["failure"]["asc"], test["failure"]["ascq"]) == (5, 0x21, 0)
    assert test["failure"]["sense"][:6] == "700005"


# --- pytest-xdist: one driver per device ------------------------------------------------

XDIST_TESTS = """
    import json, os, time
    import pytest

    @pytest.mark.parametrize("n", range(4))
    def test_drive(scsi_channel, scsi_device, n):
        start = time.monotonic()
        scsi_channel.cmd.TestUnitReady()
        time.sleep(0.02)
        end = time.monotonic()
        with open(os.environ["SGFRAME_XDIST_LOG"], "a") as log:
            log.write(json.dumps({"device": scsi_device.uri, "n": n, "worker": os.environ.get("PYTEST_XDIST_WORKER"),
                                  "start": start, "end": end}) + "\\n")
"""


@pytest.mark.parametrize("dist", ["load", "loadgroup"])
def test_eight_devices_under_four_workers(tmp_path, dist):
    pytest.importorskip("xdist")
    (tmp_path / "test_xdist_user.py").write_text(textwrap.dedent(XDIST_TESTS))
    (tmp_path / "none.ini").write_text("[pytest]\n")
    log = tmp_path / "log.jsonl"
    devices = [f"emu:disk?blocks=1024&serial=D{n}" for n in range(8)]
    command = [sys.executable, "-m", "pytest", *plugin_arguments(), "-p", "no:cacheprovider", "-q",
               "-n", "4", "--dist", dist, "--rootdir", str(tmp_path), "-c", str(tmp_path / "none.ini"),
               "--basetemp", str(tmp_path / "base"), str(tmp_path / "test_xdist_user.py")]
    for uri in devices:
        command += ["--scsi-device", uri]
    env = dict(os.environ, SGFRAME_XDIST_LOG=str(log), PYTHONPATH=str(ROOT))
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    runs: List[Dict[str, Any]] = [json.loads(line) for line in log.read_text().splitlines()]
    # Every test exactly once per device.
    assert sorted((r["device"], r["n"]) for r in runs) == sorted((d, n) for d in devices for n in range(4))
    assert len({r["worker"] for r in runs}) > 1
    # No two tests of one device overlap in time, whichever workers ran them.
    for uri in devices:
        spans = sorted((r["start"], r["end"]) for r in runs if r["device"] == uri)
        assert all(before[1] <= after[0] for before, after in zip(spans, spans[1:])), uri
    if dist == "loadgroup":
        for uri in devices:
            assert len({r["worker"] for r in runs if r["device"] == uri}) == 1
