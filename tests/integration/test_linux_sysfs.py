"""sgframe.linux.sysfs and .usage on the test bed's real sysfs, procfs and devices."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from sgframe.errors import DeviceNodeMissing, UsageError
from sgframe.linux import in_use, resolve, scan
from sgframe.testbed import guest


def test_every_name_resolves_to_the_manifest_nodes(scsi_debug_devices, testbed):
    for dev in testbed.devices:
        if not dev.exists():
            continue
        names = [dev.hctl, dev.sg] + [n for n in (dev.block, dev.bsg) if n]
        found = {name: resolve(name) for name in names}
        for name, nodes in found.items():
            assert (nodes.hctl, nodes.sg, nodes.block, nodes.bsg) == (
                dev.hctl, dev.sg, dev.block, dev.bsg), name
            assert (nodes.vendor, nodes.model, nodes.rev, nodes.scsi_type) == (
                dev.vendor, dev.product, dev.revision, dev.peripheral_device_type), name


def test_scsi_debug_disk_size_and_type(scsi_debug_devices):
    dev = scsi_debug_devices[0]
    nodes = resolve(dev.block)
    size_mb = int(guest.sdebug_param("dev_size_mb"))
    assert nodes.size_bytes == size_mb * 1024 * 1024
    assert nodes.type_name == "disk"


def test_scan_agrees_with_lsscsi(scsi_debug_devices):
    listed = scan()
    assert {d.hctl for d in scsi_debug_devices} <= {n.hctl for n in listed}
    if shutil.which("lsscsi") is None:
        pytest.skip("lsscsi is not installed (apt-get install lsscsi)")
    out = subprocess.run(["lsscsi", "-g"], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines() if line.strip()]
    by_hctl = {row[0].strip("[]"): row for row in rows}
    assert sorted(by_hctl) == sorted(n.hctl for n in listed)
    for nodes in listed:
        row = by_hctl[nodes.hctl]
        assert row[1] == nodes.type_name.split()[0]
        assert row[-1] == (nodes.sg or "-")
        assert row[-2] == (nodes.block or "-")


def test_nodes_that_are_not_scsi_devices():
    with pytest.raises(UsageError, match="is character device 1:3, neither an sg node"):
        resolve("/dev/null")
    with pytest.raises(DeviceNodeMissing, match=r"^cannot open /dev/sg999: no such device node \(ENOENT\)"):
        resolve("/dev/sg999")


def test_in_use_sees_a_mounted_filesystem(scsi_debug_devices):
    dev = scsi_debug_devices[-1]
    nodes = resolve(dev.sg)
    assert in_use(nodes) == []
    if shutil.which("mkfs.ext4") is None:
        pytest.skip("mkfs.ext4 is not installed (apt-get install e2fsprogs)")
    with guest.mounted_filesystem(dev.block, "ext4") as point:
        assert in_use(nodes) == [f"{dev.block} is mounted on {point} (ext4)"]
    assert in_use(nodes) == []


def test_in_use_sees_active_swap(scsi_debug_devices):
    dev = scsi_debug_devices[-2]
    if shutil.which("mkswap") is None or shutil.which("swapon") is None:
        pytest.skip("mkswap/swapon are not installed (util-linux)")
    subprocess.run(["mkswap", dev.block], check=True, capture_output=True)
    subprocess.run(["swapon", dev.block], check=True)
    try:
        assert in_use(resolve(dev.hctl)) == [f"{dev.block} is active swap"]
    finally:
        subprocess.run(["swapoff", dev.block], check=True)
    assert in_use(resolve(dev.hctl)) == []


def test_in_use_names_a_device_mapper_holder(scsi_debug_devices):
    dev = scsi_debug_devices[-1]
    if shutil.which("dmsetup") is None:
        pytest.skip("dmsetup is not installed (apt-get install dmsetup)")
    subprocess.run(["modprobe", "dm-mod"], capture_output=True)   # via the test bed's wrapper
    sectors = resolve(dev.block).size_bytes // 512
    made = subprocess.run(["dmsetup", "create", "sgframe-test", "--table",
                           f"0 {sectors} linear {dev.block} 0"], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"dmsetup create failed (dm-mod not loadable?): {made.stderr.strip()}")
    try:
        holders = os.listdir(f"/sys/block/{os.path.basename(dev.block)}/holders")
        assert len(holders) == 1 and holders[0].startswith("dm-")
        assert in_use(resolve(dev.block)) == [
            f"{dev.block} is held by device-mapper device sgframe-test ({holders[0]})"]
    finally:
        subprocess.run(["dmsetup", "remove", "sgframe-test"], check=True)
    assert in_use(resolve(dev.block)) == []
