"""The test bed itself, seen from inside: the manifest is the kernel's truth."""
from __future__ import annotations

import os
import subprocess

import pytest

from sgframe.testbed import guest


def test_manifest_matches_sysfs(testbed):
    in_sysfs = sorted(os.listdir("/sys/class/scsi_generic"), key=lambda n: int(n[2:]))
    assert [d.sg for d in testbed.devices] == [f"/dev/{n}" for n in in_sysfs]
    for device in testbed.devices:
        sysfs = f"/sys/class/scsi_generic/{device.sg[5:]}/device"
        assert os.path.basename(os.path.realpath(sysfs)) == device.hctl
        assert os.path.exists(device.sg)
        assert device.bsg == f"/dev/bsg/{device.hctl}" and os.path.exists(device.bsg)
        assert device.block is not None and os.path.exists(device.block)
        assert device.peripheral_device_type == 0


def test_manifest_counts(testbed, scsi_debug_devices):
    assert len(scsi_debug_devices) == 4
    assert [d.hctl.split(":")[1:] for d in scsi_debug_devices] == [
        ["0", "0", "0"], ["0", "0", "1"], ["0", "1", "0"], ["0", "1", "1"]
    ]
    assert len(testbed.of_kind("lio")) == len(testbed.lio_files)


def _inquiry(sg: str) -> dict:
    out = subprocess.run(["sg_inq", sg], check=True, capture_output=True, text=True).stdout
    fields = {}
    for line in out.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def test_sg_inq_scsi_debug(scsi_debug_devices):
    for device in scsi_debug_devices:
        fields = _inquiry(device.sg)
        assert fields["Vendor identification"] == "Linux"
        assert fields["Product identification"] == "scsi_debug"
        assert (device.vendor, device.product, device.revision) == ("Linux", "scsi_debug", "0191")


def test_sg_inq_lio(lio_devices):
    for device in lio_devices:
        fields = _inquiry(device.sg)
        assert fields["Vendor identification"] == "LIO-ORG"
        assert fields["Product identification"] == "FILEIO"
        assert (device.vendor, device.product, device.revision) == ("LIO-ORG", "FILEIO", "4.0")


def test_sg_driver_version(testbed):
    with open("/proc/scsi/sg/version") as f:
        assert f.read().split()[0] == "30536"
    assert testbed.sg_version == 30536


def test_environment_reaches_the_guest():
    assert os.environ["SGFRAME_TESTBED"] == "1"
    assert "SGFRAME_TESTBED_REASON" not in os.environ
    assert os.path.isfile(os.environ["SGFRAME_TESTBED_MANIFEST"])


def test_sdebug_params_fixture_sets_and_restores(sdebug_params):
    assert guest.sdebug_param("dsense") == "0"
    previous = sdebug_params(dsense=1, opts=0x10)
    assert previous == {"dsense": "0", "opts": "0x0"}
    assert guest.sdebug_param("dsense") == "1"
    assert guest.sdebug_param("opts") == "0x10"


def test_sdebug_params_were_restored():
    # Runs after the test above (file order): its fixture must have put everything back.
    assert guest.sdebug_param("dsense") == "0"
    assert guest.sdebug_param("opts") == "0x0"


def test_sdebug_params_context_manager_restores_on_error():
    with pytest.raises(RuntimeError):
        with guest.sdebug_params(every_nth=3, medium_error_start=100):
            assert guest.sdebug_param("every_nth") == "3"
            assert guest.sdebug_param("medium_error_start") == "100"
            raise RuntimeError("test body failed")
    assert guest.sdebug_param("every_nth") == "0"
    assert guest.sdebug_param("medium_error_start") != "100"


def test_unknown_sdebug_param_is_a_usage_error():
    from sgframe.errors import UsageError

    with pytest.raises(UsageError, match="no parameter 'no_such_param'"):
        guest.set_sdebug_params(no_such_param=1)


def test_add_and_delete_devices(testbed, no_fd_leak):
    added = guest.add_sdebug_hosts(1)
    try:
        assert len(added) == 4
        assert all(d.kind == "scsi_debug" and os.path.exists(d.sg) for d in added)
        assert {d.sg for d in added}.isdisjoint(d.sg for d in testbed.devices)
        guest.delete_device(added[0])
        assert not os.path.exists(added[0].sg)
        assert not added[0].exists()
        assert added[1].exists()
    finally:
        guest.remove_sdebug_host()
    guest.wait_for(lambda: not any(d.exists() for d in added[1:]), 10, "host removal")
    assert all(d.exists() for d in testbed.devices)


def test_mounted_filesystem_is_seen(scsi_debug_devices):
    block = scsi_debug_devices[-1].block
    assert block not in guest.mounted_block_devices()
    with guest.mounted_filesystem(block) as point:
        assert guest.mounted_block_devices()[block] == point
    assert block not in guest.mounted_block_devices()
    assert guest.holders(block) == []


def test_leaked_fds_reports_a_kept_descriptor(no_fd_leak):
    before = guest.open_fds()
    fd = os.open("/dev/null", os.O_RDONLY)
    try:
        assert guest.leaked_fds(before, guest.open_fds()) == {fd: "/dev/null"}
    finally:
        os.close(fd)
    assert guest.leaked_fds(before, guest.open_fds()) == {}


def test_identity_parameters_apply_at_inquiry_time(scsi_debug_devices):
    # scsi_debug builds each INQUIRY response from the current parameters, so a change is
    # seen at once by every device; sysfs keeps what the kernel's scan read.
    device = scsi_debug_devices[0]
    with guest.sdebug_params(inq_vendor="SGFRAME", inq_product="TESTDISK"):
        fields = _inquiry(device.sg)
        assert (fields["Vendor identification"], fields["Product identification"]) == (
            "SGFRAME", "TESTDISK"
        )
        added = guest.add_sdebug_hosts(1)
    try:
        assert {(d.vendor, d.product) for d in added} == {("SGFRAME", "TESTDISK")}
    finally:
        guest.remove_sdebug_host()
    guest.wait_for(lambda: not any(d.exists() for d in added), 10, "host removal")
    assert guest.sdebug_param("inq_vendor") == "Linux"
    assert _inquiry(device.sg)["Vendor identification"] == "Linux"


def test_sdebug_host_fixture_gives_private_devices(sdebug_host, scsi_debug_devices):
    assert len(sdebug_host) == 4
    guest.delete_device(sdebug_host[0].hctl)
    assert not sdebug_host[0].exists()
    assert all(d.exists() for d in scsi_debug_devices)


def test_nothing_is_swap():
    assert guest.swap_devices() == []
