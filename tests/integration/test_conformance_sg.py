"""The conformance suite on real kernel targets, beside libiscsi's iscsi-test-cu.

Devices, all in the test bed's default boot (``--lio 2``):

- the boot's first scsi_debug disk, and the same disk write protected (``wp=1`` at run time);
- scsi_debug reloaded in the booted guest with protection information (``dif=1``, ``dif=2``,
  ``dif=3``, each with ``dix=1``) and zoned (``zbc=host-managed``), then reloaded with the
  boot's parameters (the kernel gives back the same host, H:C:T:L and sg numbers);
- an LIO fileio disk reached through two tcm_loop targets (two I_T nexuses to one logical
  unit), with its ALUA state also changed through configfs;
- LIO fileio disks formatted with protection information (``pi_prot_type`` 1 and 3);
- eight LIO fileio disks driven by ``pytest -n 4`` (pytest-xdist), one worker per disk.

What each device breaks is written down below with the clause; a failure not listed, or a
listed one that no longer fails, fails the test. ``SGFRAME_CONFORMANCE_OUT=DIR`` keeps the
JSON reports, the libiscsi output and a summary there.

    python -m sgframe.testbed run --lio 2 -- python -m pytest tests/integration/test_conformance_sg.py
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

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
    "scsi_debug-pi2": {
        "test_verify_beyond_capacity[": "as for scsi_debug",
        "test_page_code_without_evpd_is_rejected": "as for scsi_debug",
        "test_miscompare_writes_nothing": "as for scsi_debug",
        "test_the_largest_lba": "as for scsi_debug",
        "test_service_action_is_zero_without_servactv": "as for scsi_debug",
        # As with type 1: the protection information in the data-out buffer of WRITE(32)
        # is stored as data, checked against nothing, and READ(32) returns its own tags.
        "test_type2_write32_and_read32_with_protection": "SBC-4 4.22.2.4 and 5.21: RDPROTECT=001b returns the "
                                                         "protection information written; scsi_debug returns "
                                                         "other tags",
        "test_type2_bad_reference_tag_is_rejected": "SBC-4 4.22.4.4: with type 2 a reference tag other than the "
                                                    "EXPECTED INITIAL LOGICAL BLOCK REFERENCE TAG must end in "
                                                    "ABORTED COMMAND 10h/03h; scsi_debug does not check PI that "
                                                    "arrives in the data-out buffer",
    },
    "scsi_debug-pi3": {
        "test_verify_beyond_capacity[": "as for scsi_debug",
        "test_page_code_without_evpd_is_rejected": "as for scsi_debug",
        "test_miscompare_writes_nothing": "as for scsi_debug",
        "test_the_largest_lba": "as for scsi_debug",
        "test_service_action_is_zero_without_servactv": "as for scsi_debug",
        "test_write_and_read_with_protection": "as for scsi_debug-pi (type 1)",
        "test_bad_guard_is_rejected": "as for scsi_debug-pi (type 1)",
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
    "lio-pi1": {
        **{name: "as for lio" for name in ("test_operating_parameters", "test_reserve_needs_registration",
                                           "test_start[", "test_stop_then_start", "test_verify_bytchk_miscompare",
                                           "test_extended_header_format")},
        # SBC-4 4.22.1: with WRPROTECT/RDPROTECT 001b each block's 8 bytes of protection
        # information follow it in the data buffers. LIO behind tcm_loop takes them only
        # from the separate protection scatterlist the Linux block layer fills (DIX),
        # which SG_IO cannot carry: it checks the guard against whatever is there.
        "test_write_and_read_with_protection": "SBC-4 4.22.1 and 5.41 Table 105: WRPROTECT=001b with a correct "
                                               "guard must be written; LIO (tcm_loop) looks for the PI outside "
                                               "the data-out buffer and ends in LOGICAL BLOCK GUARD CHECK FAILED",
        "test_bad_reference_tag_is_rejected": "SBC-4 4.22.4.4: a wrong reference tag must end in 10h/03h; LIO "
                                              "reports the guard (10h/01h) for the same reason",
        # SBC-4 4.22.2 and Table 105 (WRPROTECT=000b): a write without PI from the
        # initiator stores PI the device server generates. LIO generates it for
        # WRITE(10/12/16) but not for WRITE(6) or COMPARE AND WRITE: the block keeps the
        # guard of its previous contents, and the next READ fails its guard check.
        "test_write_then_read_back[*-Write6]": "SBC-4 4.22.2, 5.40: WRITE(6) on a medium with protection "
                                                      "information must store generated PI; LIO leaves the old "
                                                      "guard and the READ after it fails 10h/01h",
        "test_match_writes": "SBC-4 4.22.2, 5.3: the same for COMPARE AND WRITE",
        "test_write_same_fills_the_range": "SBC-4 5.49/5.50: WRITE SAME must write the range; LIO fileio with "
                                           "protection information refuses it (LOGICAL UNIT COMMUNICATION "
                                           "FAILURE, 08h/00h)",
        # Seen here, cause not found: every INQUIRY with EVPD=1 completes GOOD with no data
        # (sg_vpd on the same node fails with EDOM); the standard INQUIRY data is whole.
        "test_supported_pages_lists_00h_in_ascending_order": "SPC-5 7.7.13: the Supported VPD Pages page lists "
                                                              "00h; LIO with pi_prot_type behind tcm_loop returns "
                                                              "no VPD data at all (GOOD, zero bytes)",
        "test_device_identification_page_is_supported": "SPC-5 7.7.6: the Device Identification page is "
                                                        "mandatory; the same: no VPD data",
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
        # target_core_alua.c sets RETURN DATA LENGTH from the descriptors alone, also
        # after the 4-byte extended header: the data runs 4 bytes past what it says.
        "test_extended_header_format": "SPC-5 6.36.2: RETURN DATA LENGTH counts every byte after byte 3, the "
                                       "extended header's included (as sg_rtpg and scsi_dh_alua read it); LIO "
                                       "leaves those 4 bytes out, so the last target port is cut off",
    },
}


KNOWN["lio-pi3"] = {k: v for k, v in KNOWN["lio-pi1"].items() if k != "test_bad_reference_tag_is_rejected"}
KNOWN["lio-pi3"]["test_type3_reference_tag_is_not_checked"] = (
    "SBC-4 4.22.2.5: with type 3 any reference tag is accepted; LIO fails the write's guard check, as in "
    "test_write_and_read_with_protection (PI looked for outside the data-out buffer)")


def _out_dir(tmp_path: Path) -> Path:
    where = os.environ.get("SGFRAME_CONFORMANCE_OUT")
    path = Path(where) if where else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


#: Why zoned scsi_debug takes Linux 6.1 down (drivers/scsi/scsi_debug.c): for a READ,
#: check_device_access_params() tests ``lba + num > sdebug_capacity`` in 64 bits, then
#: check_zbc_access_params() looks up zbc_zone(devip, lba) and zbc_zone(devip, lba + num - 1)
#: before it checks anything else. zbc_zone() turns the LBA into an index of the zone
#: array (devip->zstate) without a bound check, so an LBA past the medium reads far outside
#: the array; user-mode Linux stops with "Kernel tried to access user memory".
_ZONE_LOOKUP = ("scsi_debug with zbc=host-managed (Linux 6.1, drivers/scsi/scsi_debug.c "
                "check_zbc_access_params) indexes its zone array with {what} without a bound check "
                "and the kernel panics: a kernel bug, not a verdict on the rule")

#: Why LIO with protection information takes Linux 6.1 down: for a command without
#: RDPROTECT/WRPROTECT the core generates or strips the PI itself (TARGET_PROT_DIN_STRIP,
#: DOUT_INSERT), and transport_generic_new_cmd() (drivers/target/target_core_transport.c)
#: allocates the protection buffer with target_alloc_sgl(cmd->prot_length) even when that
#: length is 0. sgl_alloc_order(0) (lib/scatterlist.c) gets kmalloc_array(0) =
#: ZERO_SIZE_PTR and sg_init_table() marks the end at entry -1: a write below address 0,
#: "Kernel panic - not syncing: Segfault with no mm" in sgl_alloc_order (seen here).
_LIO_PI_ZERO = ("LIO with pi_prot_type (Linux 6.1) allocates a protection buffer of 0 bytes for a "
                "zero-length transfer (target_core_transport.c transport_generic_new_cmd -> "
                "lib/scatterlist.c sgl_alloc_order(0)) and the kernel panics: a kernel bug, not a verdict")
_LIO_ZERO_LENGTH = {
    "test_read_zero_length": "SBC-4 5.16: a READ of zero blocks is not an error; " + _LIO_PI_ZERO,
    "test_write_zero_length_writes_nothing": "SBC-4 5.41: a WRITE of zero blocks is not an error; " + _LIO_PI_ZERO,
}

#: Tests a kind of device cannot run because they crash its host: skipped, with the reason
#: (``--scsi-skip``), so they count as skipped in its verdicts.
HAZARDS: Dict[str, Dict[str, str]] = {
    "scsi_debug-zoned": {
        "test_the_largest_lba": "SBC-4 4.5: READ(16) or WRITE(16) at LBA FFFFFFFF_FFFFFFFFh must end in LOGICAL "
                                "BLOCK ADDRESS OUT OF RANGE; " + _ZONE_LOOKUP.format(what="that LBA (lba + 1 wrapped to 0 passed "
                                                                             "the capacity check)"),
        "test_read_zero_length": "SBC-4 5.16: a READ of zero blocks is not an error; "
                                 + _ZONE_LOOKUP.format(what="LBA + 0 - 1 (for LBA 0 that wraps to 2^64 - 1)"),
    },
    "lio-pi1": _LIO_ZERO_LENGTH,
    "lio-pi3": _LIO_ZERO_LENGTH,
}


def run_suite(label: str, device: str, out: Path, device2: Optional[str] = None) -> Dict[str, Any]:
    """Run sgframe.conformance on the device; the JSON report, with the wall time."""
    report = out / f"sgframe-{label}.json"
    command = [sys.executable, "-m", "pytest", *plugin_arguments(), "-p", "no:cacheprovider", "-q",
               "--rootdir", str(out), "--pyargs", "sgframe.conformance", "--scsi-device", device,
               "--scsi-dataloss", "--scsi-sanitize", "--scsi-report", str(report)]
    if device2:
        command += ["--scsi-device2", device2]
    for name, reason in HAZARDS.get(label, {}).items():
        command += ["--scsi-skip", f"{name}={reason}"]
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


def _matches(part: str, test_id: str) -> bool:
    """A KNOWN key is a part of the test id; ``*`` in it stands for any text (a device name)."""
    return re.search(".*".join(map(re.escape, part.split("*"))), test_id) is not None


def check(label: str, document: Dict[str, Any], out: Path) -> None:
    """Record the verdicts; the failures must be exactly the known deviations."""
    summary = {"device": label, "summary": document["summary"], "seconds": document["seconds"],
               "failed": failures(document),
               "skipped": sorted({t["reason"] for t in document["tests"] if t["verdict"] == "skipped"})}
    (out / f"summary-{label}.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    known = KNOWN.get(label, {})
    unexplained = {k: v for k, v in summary["failed"].items() if not any(_matches(part, k) for part in known)}
    gone = [part for part in known if not any(_matches(part, k) for k in summary["failed"])]
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


#: scsi_debug as the suite also sees it: label -> module parameters of a reload.
VARIANTS = {
    "scsi_debug-pi": "dev_size_mb=32 num_tgts=1 max_luns=1 delay=0 dif=1 dix=1",
    "scsi_debug-pi2": "dev_size_mb=32 num_tgts=1 max_luns=1 delay=0 dif=2 dix=1",
    "scsi_debug-pi3": "dev_size_mb=32 num_tgts=1 max_luns=1 delay=0 dif=3 dix=1",
    "scsi_debug-zoned": "dev_size_mb=64 num_tgts=1 max_luns=1 delay=0 zbc=host-managed",
}


def _modprobe(*args: str) -> None:
    wrapper = Path("/proc/sys/kernel/modprobe").read_text().strip()
    done = subprocess.run([wrapper, *args], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"modprobe {' '.join(args)}: {done.stderr.strip() or done.returncode}")


def _unload_scsi_debug() -> None:
    # The last command's sg file may still be closing: a few tries.
    deadline = time.monotonic() + 10
    while True:
        try:
            _modprobe("-r", "scsi_debug")
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _scsi_debug_now() -> List[guest.Device]:
    return [d for d in guest.scan() if d.kind == "scsi_debug"]


@contextlib.contextmanager
def scsi_debug_reloaded(testbed: guest.Manifest, params: str) -> Iterator[guest.Device]:
    """scsi_debug unloaded and loaded again with ``params`` (one disk); afterwards loaded
    with the boot's parameters, its disks back under the boot's H:C:T:L and sg names.

    ``dif``, ``dix`` and ``zbc`` are read only when the module loads: a reload is the
    only way to change them in a booted guest. The kernel hands out SCSI host numbers
    and sg minors lowest first, so the boot's devices come back under their names.
    """
    boot = testbed.scsi_debug
    before = {(d.hctl, d.sg) for d in testbed.of_kind("scsi_debug")}
    _unload_scsi_debug()
    try:
        _modprobe("scsi_debug", *params.split())
        yield guest.wait_for(_scsi_debug_now, 10, f"scsi_debug loaded with {params}")[0]
    finally:
        _unload_scsi_debug()
        _modprobe("scsi_debug", *boot.split())
        guest.wait_for(lambda: {(d.hctl, d.sg) for d in _scsi_debug_now()} >= before, 10,
                       f"the boot's scsi_debug disks {sorted(before)} back")


@pytest.mark.parametrize("label", sorted(VARIANTS))
def test_suite_on_scsi_debug_variant(testbed, label, tmp_path):
    """scsi_debug with protection information types 1, 2 and 3, and zoned: reloaded in
    this boot, so CI's default boot runs them all."""
    if not testbed.scsi_debug:
        pytest.skip("this boot has no scsi_debug (--no-scsi-debug)")
    out = _out_dir(tmp_path)
    with scsi_debug_reloaded(testbed, VARIANTS[label]) as device:
        document = run_suite(label, device.sg, out)
    check(label, document, out)
    expected = {"scsi_debug-pi": 1, "scsi_debug-pi2": 2, "scsi_debug-pi3": 3}.get(label)
    identity = next(iter(document["devices"].values()))
    if expected is not None:
        assert identity["protection_type"] == expected, identity
    else:
        assert identity["zoned_model"] == "host-managed", identity
    skipped = {t["nodeid"].split("::")[1].split("[")[0]: t["reason"] for t in document["tests"]
               if t["verdict"] == "skipped"}
    for name, reason in HAZARDS.get(label, {}).items():
        assert skipped.get(name) == reason, (name, skipped.get(name))


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


_CONFIG = Path("/sys/kernel/config/target")


@contextlib.contextmanager
def lio_fileio_disks(index: int, count: int, pi_prot_type: int = 0, size: int = 16 << 20) -> Iterator[List[str]]:
    """``count`` LIO fileio disks of their own (each on its own file), exported as the LUNs
    of one new tcm_loop target: their sg nodes, in LUN order. Removed afterwards.

    ``pi_prot_type`` formats them with protection information (LIO keeps it in a
    ``.protection`` file beside the image); LIO takes it only before the disk is exported.
    """
    guest.load_modules("target_core_mod", "target_core_file", "tcm_loop")
    hba = _CONFIG / "core" / f"fileio_{index}"  # a backend name is <plugin>_<number>
    target = _CONFIG / "loopback" / f"naa.50014050{index:06x}01" / "tpgt_1"
    images = [Path(f"/tmp/sgframe-conformance-{index}-{n}.img") for n in range(count)]
    stores = [hba / f"d{n}" for n in range(count)]
    before = {d.sg for d in guest.scan()}
    try:
        for image, store in zip(images, stores):
            with open(image, "wb") as f:
                f.truncate(size)
            store.mkdir(parents=True)
            (store / "control").write_text(f"fd_dev_name={image},fd_dev_size={size}\n")
            (store / "enable").write_text("1\n")
            if pi_prot_type:
                # pi_prot_format fills the protection information with FFh (tags that turn
                # the checks off until a block is written), as a FORMAT UNIT with protection
                # initializes it (SBC-4 5.4); without it the .protection file reads as
                # zeros, and every block's reference tag 0 fails its check.
                for name, value in (("pi_prot_type", pi_prot_type), ("pi_prot_format", 1)):
                    try:
                        (store / "attrib" / name).write_text(f"{value}\n")
                    except OSError as exc:
                        pytest.fail(f"LIO refused {name}={value} on a fileio disk: {exc.strerror}")
        target.mkdir(parents=True)
        (target / "nexus").write_text(f"naa.50014050{index:06x}02\n")  # the nexus before the LUNs
        for n, store in enumerate(stores):
            lun = target / "lun" / f"lun_{n}"
            lun.mkdir(parents=True)
            os.symlink(store, lun / store.name)
        found = guest.wait_for(lambda: (lambda new: new if len(new) == count else None)(
            [d for d in guest.scan() if d.sg not in before and d.kind == "lio"]), 20, f"{count} new LIO disks")
        yield [d.sg for d in sorted(found, key=lambda d: d.lun)]
    finally:
        for n, store in enumerate(stores):
            link = target / "lun" / f"lun_{n}" / store.name
            if link.is_symlink():
                link.unlink()
            if link.parent.exists():
                link.parent.rmdir()
        for path in (target, target.parent):
            if path.exists():
                path.rmdir()
        for store in stores:
            if store.exists():
                store.rmdir()
        if hba.exists():
            hba.rmdir()
        for image in images:
            for path in (image, Path(str(image) + ".protection")):
                if path.exists():
                    path.unlink()


@pytest.mark.parametrize("pi_type", [1, 3])
def test_suite_on_lio_with_protection(lio_devices, pi_type, tmp_path):
    """LIO fileio formatted with protection information (``pi_prot_type``), through tcm_loop."""
    label = f"lio-pi{pi_type}"
    out = _out_dir(tmp_path)
    with lio_fileio_disks(70 + pi_type, 1, pi_prot_type=pi_type) as (sg,):
        document = run_suite(label, sg, out)
    check(label, document, out)
    identity = next(iter(document["devices"].values()))
    assert identity["protection_type"] == pi_type, identity


def test_lio_alua_state_changed_through_configfs(lio_two_nexuses):
    """LIO's default target port group moved to standby through configfs (an implicit
    transition): REPORT TARGET PORT GROUPS through both I_T nexuses says standby (02h), a
    READ ends in NOT READY 04h/0Bh; back to active/optimized, both say 00h."""
    from sgframe import Channel, errors

    from sgframe.conformance.helpers import drain_unit_attentions

    state = next(_CONFIG.glob("core/fileio_*/disk0")) / "alua" / "default_tg_pt_gp" / "alua_access_state"
    first, second = lio_two_nexuses
    seen = {}
    with Channel.open(first) as one, Channel.open(second) as two:
        try:
            state.write_text("2\n")
            for name, channel in (("first", one), ("second", two)):
                drain_unit_attentions(channel)
                seen[name] = [g.asymmetric_access_state
                              for g in channel.cmd.ReportTargetPortGroups().result.target_port_groups]
            with pytest.raises(errors.NotReady) as caught:
                one.cmd.Read16(lba=0, transfer_length=1)
            assert (caught.value.asc, caught.value.ascq) == (0x04, 0x0B)
        finally:
            state.write_text("0\n")
        for name, channel in (("first back", one), ("second back", two)):
            drain_unit_attentions(channel)
            seen[name] = [g.asymmetric_access_state
                          for g in channel.cmd.ReportTargetPortGroups().result.target_port_groups]
        assert len(one.cmd.Read16(lba=0, transfer_length=1).data) == 512
    assert seen == {"first": [0x2], "second": [0x2], "first back": [0x0], "second back": [0x0]}, seen


#: Logs, in each xdist worker, which worker ran which test of which device, and when.
_XDIST_LOG_PLUGIN = """
import json, os, time
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.monotonic()
    yield
    callspec = getattr(item, "callspec", None)
    with open(os.environ["SGFRAME_XDIST_LOG"], "a") as log:
        log.write(json.dumps({"nodeid": item.nodeid, "worker": os.environ.get("PYTEST_XDIST_WORKER"),
                              "device": callspec.params.get("scsi_uri") if callspec else None,
                              "start": start, "end": time.monotonic()}) + "\\n")
"""


def test_eight_devices_under_four_xdist_workers(lio_devices, tmp_path):
    """``pytest -n 4`` over the suite on eight LIO disks: every test exactly once per disk,
    each disk driven by one worker, no two tests of one disk at once; verdicts per disk."""
    pytest.importorskip("xdist")
    out = _out_dir(tmp_path) / "xdist"
    out.mkdir(exist_ok=True)
    (out / "sgframe_xdist_log.py").write_text(_XDIST_LOG_PLUGIN)
    log, report = out / "runs.jsonl", out / "sgframe-xdist.json"
    if log.exists():
        log.unlink()
    with lio_fileio_disks(80, 8) as devices:
        command = [sys.executable, "-m", "pytest", *plugin_arguments(), "-p", "sgframe_xdist_log",
                   "-p", "no:cacheprovider", "-q", "-n", "4", "--dist", "loadgroup", "--rootdir", str(out),
                   "--pyargs", "sgframe.conformance", "--scsi-dataloss", "--scsi-report", str(report)]
        for sg in devices:
            command += ["--scsi-device", sg]
        started = time.monotonic()
        done = subprocess.run(command, cwd=out, capture_output=True, text=True, timeout=3000,
                              env=dict(os.environ, PYTHONPATH=f"{ROOT}:{out}", SGFRAME_XDIST_LOG=str(log)))
        seconds = round(time.monotonic() - started, 1)
    (out / "pytest.txt").write_text(done.stdout + done.stderr)
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    # Tests that use no device (the guard's known vectors) run once, on any worker.
    runs = [r for r in map(json.loads, log.read_text().splitlines()) if r["device"] is not None]
    document = json.loads(report.read_text())
    by_device: Dict[str, Dict[str, int]] = {}
    for test in document["tests"]:
        if test["device"] is None:
            continue
        row = by_device.setdefault(test["device"], {})
        row[test["verdict"]] = row.get(test["verdict"], 0) + 1
    (out / "summary.json").write_text(json.dumps({"seconds": seconds, "verdicts": by_device,
                                                  "workers": {d: sorted({r["worker"] for r in runs
                                                                         if r["device"] == d}) for d in devices}},
                                                 indent=1, sort_keys=True) + "\n")
    # Every test exactly once per device: the same test names on every disk, no repeats.
    # A test's id without its device: the same set on every disk, each once.
    names = {d: sorted(r["nodeid"].replace(d, "DEVICE") for r in runs if r["device"] == d) for d in devices}
    assert len(set(map(tuple, names.values()))) == 1, "the disks ran different tests"
    assert all(len(v) == len(set(v)) for v in names.values()), "a test ran twice on one disk"
    assert len(names[devices[0]]) > 100
    assert sorted(by_device) == sorted(devices)
    assert len({r["worker"] for r in runs}) == 4
    for device in devices:
        mine = [r for r in runs if r["device"] == device]
        assert len({r["worker"] for r in mine}) == 1, device
        spans = sorted((r["start"], r["end"]) for r in mine)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), device
    # The disks are alike: the same verdicts on each (what LIO breaks, it breaks everywhere).
    assert len({json.dumps(row, sort_keys=True) for row in by_device.values()}) == 1, by_device
    assert by_device[devices[0]].get("passed", 0) > 50, by_device


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


def compare(libiscsi: Dict[str, str], document: Dict[str, Any]) -> List[Dict[str, Any]]:
    """For every libiscsi test run: its verdict, the sgframe tests covering its rule
    (sgframe.conformance.libiscsi) and their verdict on the same device (failed if any
    failed, else passed if any passed, else skipped), and whether the two agree."""
    from sgframe.conformance.libiscsi import LIBISCSI, matches

    rows = []
    for name, verdict in sorted(libiscsi.items()):
        coverage = LIBISCSI[name]
        seen = [t["verdict"] for t in document["tests"] if any(matches(ref, t["nodeid"]) for ref in coverage.tests)]
        mine = ("not covered" if not coverage.tests else "failed" if {"failed", "error"} & set(seen)
                else "passed" if "passed" in seen else "skipped")
        rows.append({"libiscsi": name, "libiscsi_verdict": verdict, "clause": coverage.clause,
                     "sgframe": list(coverage.tests) or coverage.why_not, "sgframe_verdict": mine,
                     "agree": verdict == mine})
    return rows


_SCSI_DEBUG_WRAP = "scsi_debug's 64-bit LBA + length wrap (KNOWN: test_the_largest_lba)"

#: Where libiscsi's verdict and sgframe's differ on the same disk, and which reads the
#: standard right. Keys: libiscsi test; a difference not listed fails the comparison.
DIFFERENCES: Dict[str, Dict[str, str]] = {
    "scsi_debug": {
        "CompareAndWrite.Miscompare": "sgframe: SBC-4 5.3 wants the offset of the first differing byte in "
                                      "INFORMATION; libiscsi checks only the sense key and ASC",
        "Verify10.BeyondEol": "sgframe: SBC-4 5.33 checks the range whatever BYTCHK; scsi_debug skips it for "
                              "BYTCHK=0, which only sgframe sends",
        "Inquiry.Standard": "sgframe: VERSION 07h is SPC-5 (SPC-5 6.7.2 Table 147); libiscsi knows only 04h-06h",
        "Inquiry.AllocLength": "sgframe: libiscsi skips, reading VERSION 07h as older than SPC-3 (same mistake)",
        "Prefetch10.Simple": "sgframe: libiscsi's LINUX transport reports 'SCSI masked error' for PRE-FETCH, "
                             "a host-side failure; the device answers GOOD to sgframe (SBC-4 5.10)",
        "Prefetch10.Flags": "sgframe: as Prefetch10.Simple",
        "Prefetch16.Simple": "sgframe: as Prefetch10.Simple (SBC-4 5.11)",
        "Prefetch16.Flags": "sgframe: as Prefetch10.Simple",
        "Prefetch16.BeyondEol": "sgframe: as Prefetch10.Simple; the range check itself answers right",
        "ModeSense6.Control-D_SENSE": "both: libiscsi's failure is a READ(16) past the end that completes "
                                      "(" + _SCSI_DEBUG_WRAP + "), not the sense format sgframe checks",
        "WriteSame16.BeyondEol": "libiscsi: its LBAs near 2^64 hit " + _SCSI_DEBUG_WRAP + "; sgframe's beyond-"
                                 "capacity case does not, and its largest-LBA case is READ/WRITE(16) only",
        "GetLBAStatus.BeyondEol": "libiscsi, by its message (LBA OUT OF RANGE expected, SBC-4 5.6): sgframe's "
                                  "start LBA is the capacity, libiscsi's is further out",
        "ReportSupportedOpcodes.OneCommand": "libiscsi: SPC-5 6.35.3, CDB USAGE DATA starts with the operation "
                                             "code (7Fh); sgframe does not check that byte",
        "Unmap.VPD": "libiscsi: REPORT SUPPORTED OPERATION CODES lists UNMAP while LBPU=0 (SBC-4 6.6.7); "
                     "sgframe skips UNMAP tests on LBPU=0 and does not cross-check",
        "WriteSame10.ZeroBlocks": "sgframe: with WSNZ=0 a zero NUMBER OF LOGICAL BLOCKS writes to the end "
                                  "(SBC-4 5.49); libiscsi wants INVALID FIELD IN CDB",
        "WriteSame16.ZeroBlocks": "sgframe: as WriteSame10.ZeroBlocks (SBC-4 5.50)",
        "WriteSame10.UnmapVPD": "both: libiscsi's check passes vacuously on a fully provisioned disk; sgframe "
                                "skips for LBPWS=0",
        "WriteSame16.UnmapVPD": "both: as WriteSame10.UnmapVPD",
    },
    "lio-one-nexus": {
        "ModeSense6.Control-D_SENSE": "both: LIO's D_SENSE is not changeable; sgframe skips saying so, "
                                      "libiscsi counts its skip as a pass",
        **{f"{c}.DpoFua": "sgframe: libiscsi skips where DPOFUA=0; SBC-4 6.5.1 still defines the answer "
                          "(DPO/FUA accepted or INVALID FIELD IN CDB), which sgframe checks"
           for c in ("Read10", "Read12", "Read16", "Write10", "Write12", "Write16")},
        "WriteSame10.ZeroBlocks": "sgframe: libiscsi skips; sgframe checks WSNZ=1 (SBC-4 7.7.4) on LIO",
        "WriteSame16.ZeroBlocks": "sgframe: as WriteSame10.ZeroBlocks",
    },
}


@pytest.mark.parametrize("kind", ["scsi_debug", "lio"])
def test_libiscsi_beside_the_suite(testbed, kind, lio_devices, tmp_path):
    """iscsi-test-cu --test=LINUX --dataloss and sgframe's suite on the same disk in one
    boot: per libiscsi test the sgframe tests of the same rule and whether the verdicts
    agree, and the wall time of both."""
    if shutil.which("iscsi-test-cu") is None:
        pytest.fail("libiscsi-bin is not installed (apt-get install libiscsi-bin)")
    out = _out_dir(tmp_path)
    if kind == "scsi_debug":
        device, label = _first_scsi_debug(testbed).sg, _variant()
        if label == "scsi_debug-zoned":
            # iscsi-test-cu's zero-length READs (Read10.ZeroBlocks ...) would panic the
            # kernel (HAZARDS) and it has no way to leave single tests out of its families.
            pytest.skip("iscsi-test-cu panics the kernel on zoned scsi_debug (zero-length READ)")
    else:
        device, label = lio_devices[-1].sg, "lio-one-nexus"
    result = _libiscsi(device, out, label)
    assert result["tests"], "iscsi-test-cu ran no test: " + (out / f"libiscsi-{label}.txt").read_text()[-2000:]
    document = run_suite(f"beside-{label}", device, out)
    rows = compare(result["tests"], document)
    counts: Dict[str, int] = {}
    for row in rows:
        key = "agree" if row["agree"] else f"libiscsi {row['libiscsi_verdict']}, sgframe {row['sgframe_verdict']}"
        counts[key] = counts.get(key, 0) + 1
    (out / f"libiscsi-{label}.json").write_text(json.dumps(
        {"device": device, "libiscsi_seconds": result["seconds"], "sgframe_seconds": document["seconds"],
         "libiscsi_run": result["run"], "sgframe_summary": document["summary"], "counts": counts,
         "differences": [r for r in rows if not r["agree"]], "rows": rows}, indent=1, sort_keys=True) + "\n")
    # Every libiscsi test that ran has its row; the sgframe side ran its own suite fully.
    assert len(rows) == len(result["tests"]) > 100
    assert document["summary"].get("passed", 0) > 50
    # Where both cover the rule and their verdicts differ, the judgment is written down
    # above. (A skip on one side and "not covered" on the other is not a difference.)
    judged = DIFFERENCES.get(label, {})
    unjudged = [r["libiscsi"] for r in rows if not r["agree"] and r["sgframe_verdict"] != "not covered"
                and {r["libiscsi_verdict"], r["sgframe_verdict"]} != {"skipped"}
                and r["libiscsi"] not in judged]
    assert not unjudged, f"verdicts differ, no judgment written down: {unjudged}"
