"""sgframe.linux.sysfs against fake sysfs/proc/dev trees laid out like Linux 6.1's."""
from __future__ import annotations

import os
import stat

import attrs
import pytest

from sgframe.errors import UsageError
from sgframe.linux.sysfs import DeviceNodes, block_name, char_major, resolve, scan

BSG_MAJOR = 253

PROC_DEVICES = """Character devices:
  1 mem
 10 misc
 21 sg
253 bsg
254 watchdog

Block devices:
  8 sd
259 blkext
"""


class FakeLinux:
    """A tree shaped like /sys, /proc and /dev of the test bed (paths and symlinks)."""

    def __init__(self, root) -> None:
        self.root = root
        self.write("proc/devices", PROC_DEVICES)
        self.hosts = "sys/devices/platform/host0"

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def link(self, rel: str, target: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)

    def node(self, rel: str, kind: int, major: int, minor: int) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mknod(path, kind | 0o600, os.makedev(major, minor))
        except PermissionError:
            pytest.skip("creating device nodes needs root (mknod)")

    def scsi_device(self, hctl: str, *, sg: int | None, disk: str | None = None,
                    disk_minor: int = 0, sectors: int = 131072, scsi_type: int = 0,
                    vendor: str = "Linux", model: str = "scsi_debug", rev: str = "0191",
                    partitions: int = 0, bsg_minor: int | None = None) -> None:
        h = hctl.split(":")[0]
        dev = f"{self.hosts}/target{h}:0:0/{hctl}"
        # sysfs pads vendor/model with spaces, as INQUIRY does.
        self.write(f"{dev}/vendor", f"{vendor:<8}\n")
        self.write(f"{dev}/model", f"{model:<16}\n")
        self.write(f"{dev}/rev", f"{rev}\n")
        self.write(f"{dev}/type", f"{scsi_type}\n")
        self.link(f"sys/class/scsi_device/{hctl}/device", f"../../../{dev[4:]}")
        if sg is not None:
            self.write(f"{dev}/scsi_generic/sg{sg}/dev", f"21:{sg}\n")
            self.link(f"sys/class/scsi_generic/sg{sg}", f"../../{dev[4:]}/scsi_generic/sg{sg}")
            self.link(f"{dev}/scsi_generic/sg{sg}/device", "../../../" + hctl)
            self.node(f"dev/sg{sg}", stat.S_IFCHR, 21, sg)
        if bsg_minor is not None:
            self.write(f"{dev}/bsg/{hctl}/dev", f"{BSG_MAJOR}:{bsg_minor}\n")
            self.link(f"sys/class/bsg/{hctl}", f"../../{dev[4:]}/bsg/{hctl}")
            self.link(f"{dev}/bsg/{hctl}/device", "../../../" + hctl)
            self.node(f"dev/bsg/{hctl}", stat.S_IFCHR, BSG_MAJOR, bsg_minor)
        if disk is not None:
            bdir = f"{dev}/block/{disk}"
            self.write(f"{bdir}/dev", f"8:{disk_minor}\n")
            self.write(f"{bdir}/size", f"{sectors}\n")
            self.link(f"{bdir}/device", "../../../" + hctl)
            self.link(f"sys/block/{disk}", f"../{bdir[4:]}")
            self.link(f"sys/class/block/{disk}", f"../../{bdir[4:]}")
            self.node(f"dev/{disk}", stat.S_IFBLK, 8, disk_minor)
            for p in range(1, partitions + 1):
                part = f"{disk}{p}"
                self.write(f"{bdir}/{part}/dev", f"8:{disk_minor + p}\n")
                self.write(f"{bdir}/{part}/partition", f"{p}\n")
                self.write(f"{bdir}/{part}/size", "2048\n")
                self.link(f"sys/class/block/{part}", f"../../{bdir[4:]}/{part}")
                self.node(f"dev/{part}", stat.S_IFBLK, 8, disk_minor + p)

    def virtual_block(self, name: str, major: int, minor: int) -> None:
        bdir = f"sys/devices/virtual/block/{name}"
        self.write(f"{bdir}/dev", f"{major}:{minor}\n")
        self.write(f"{bdir}/size", "1024\n")
        self.link(f"sys/block/{name}", f"../{bdir[4:]}")
        self.link(f"sys/class/block/{name}", f"../../{bdir[4:]}")
        self.node(f"dev/{name}", stat.S_IFBLK, major, minor)


@pytest.fixture
def fake(tmp_path) -> FakeLinux:
    f = FakeLinux(tmp_path)
    f.scsi_device("0:0:0:0", sg=0, disk="sda", disk_minor=0, partitions=2, bsg_minor=0)
    f.scsi_device("0:0:0:1", sg=1, disk="sdb", disk_minor=16, sectors=2048, bsg_minor=1)
    f.scsi_device("2:0:1:0", sg=2, scsi_type=1, vendor="HP", model="Ultrium 5-SCSI",
                  rev="Z21D", bsg_minor=2)
    return f


SDA = DeviceNodes(hctl="0:0:0:0", sg="/dev/sg0", block="/dev/sda", bsg="/dev/bsg/0:0:0:0",
                  scsi_type=0, vendor="Linux", model="scsi_debug", rev="0191",
                  size_bytes=131072 * 512)


@pytest.mark.parametrize("name", ["/dev/sg0", "/dev/sda", "/dev/sda1", "/dev/sda2",
                                  "/dev/bsg/0:0:0:0", "0:0:0:0"])
def test_every_name_of_a_disk_resolves_to_the_same_nodes(fake, name):
    assert resolve(name, root=str(fake.root)) == SDA


def test_second_lun(fake):
    nodes = resolve("/dev/sdb", root=str(fake.root))
    assert (nodes.hctl, nodes.sg, nodes.bsg, nodes.size_bytes) == (
        "0:0:0:1", "/dev/sg1", "/dev/bsg/0:0:0:1", 2048 * 512)


def test_symlink_to_a_node_is_followed(fake):
    fake.link("dev/disk/by-id/scsi-foo", "../../sdb")
    assert resolve("/dev/disk/by-id/scsi-foo", root=str(fake.root)).hctl == "0:0:0:1"


def test_tape_without_block_node(fake):
    nodes = resolve("/dev/sg2", root=str(fake.root))
    assert nodes == DeviceNodes(hctl="2:0:1:0", sg="/dev/sg2", block=None,
                                bsg="/dev/bsg/2:0:1:0", scsi_type=1, vendor="HP",
                                model="Ultrium 5-SCSI", rev="Z21D", size_bytes=None)
    assert nodes.type_name == "tape"
    assert nodes.hctl_tuple == (2, 0, 1, 0)


def test_unknown_peripheral_type_name():
    assert attrs.evolve(SDA, scsi_type=0x15).type_name == "type 0x15"


def test_scan_lists_every_device_in_hctl_order(fake):
    fake.scsi_device("10:0:0:0", sg=3, scsi_type=0x0D, vendor="ACME", model="Encl")
    found = scan(root=str(fake.root))
    assert [n.hctl for n in found] == ["0:0:0:0", "0:0:0:1", "2:0:1:0", "10:0:0:0"]
    assert [n.type_name for n in found] == ["disk", "disk", "tape", "enclosu"]
    assert found[0] == SDA
    assert found[3].bsg is None


def test_scan_of_an_empty_tree(tmp_path):
    assert scan(root=str(tmp_path)) == []


def test_device_without_sg_driver(fake):
    fake.scsi_device("3:0:0:0", sg=None, disk="sdc", disk_minor=32)
    nodes = resolve("/dev/sdc", root=str(fake.root))
    assert (nodes.sg, nodes.block, nodes.bsg) == (None, "/dev/sdc", None)


def test_block_name(fake):
    root = str(fake.root)
    assert block_name("/dev/sda", root) == ("sda", None)
    assert block_name("/dev/sda2", root) == ("sda", "sda2")
    with pytest.raises(UsageError, match="not a block device"):
        block_name("/dev/sg0", root)


def test_char_major(fake):
    assert char_major("bsg", str(fake.root)) == BSG_MAJOR
    assert char_major("sg", str(fake.root)) == 21
    assert char_major("sd", str(fake.root)) is None   # a block driver, not a char one


@pytest.mark.parametrize("name, message", [
    ("9:0:0:0", "no SCSI device 9:0:0:0"),
    ("sda", "'sda' is not a device: give /dev/sgN"),
    ("", "a device is /dev/sgN"),
    ("/proc/devices", "/proc/devices is not a device node"),
])
def test_bad_names(fake, name, message):
    with pytest.raises(UsageError) as info:
        resolve(name, root=str(fake.root))
    assert message in str(info.value)


def test_a_missing_node_is_an_open_error_with_advice(fake):
    from sgframe.errors import DeviceNodeMissing

    with pytest.raises(DeviceNodeMissing) as info:
        resolve("/dev/sg9", root=str(fake.root))
    assert str(info.value).startswith("cannot open /dev/sg9: no such device node (ENOENT); list the SCSI")
    assert isinstance(info.value, FileNotFoundError)


def test_non_scsi_block_device(fake):
    fake.virtual_block("loop0", 7, 0)
    with pytest.raises(UsageError, match="block device loop0, which is not a SCSI device"):
        resolve("/dev/loop0", root=str(fake.root))


def test_other_character_device(fake):
    fake.node("dev/watchdog", stat.S_IFCHR, 254, 0)
    with pytest.raises(UsageError) as info:
        resolve("/dev/watchdog", root=str(fake.root))
    assert str(info.value) == ("/dev/watchdog is character device 254:0, neither an sg node "
                               "(major 21) nor a bsg node (major 253)")


def test_sg_node_whose_device_was_removed(fake):
    fake.node("dev/sg7", stat.S_IFCHR, 21, 7)
    with pytest.raises(UsageError, match="sg device 21:7 has no SCSI device behind it"):
        resolve("/dev/sg7", root=str(fake.root))


def test_bsg_node_of_a_non_scsi_device(fake):
    fake.write("sys/devices/platform/fc/fc_host0/dev", f"{BSG_MAJOR}:9\n")
    fake.link("sys/class/bsg/fc_host0", "../../devices/platform/fc/fc_host0")
    fake.link("sys/devices/platform/fc/fc_host0/device", "../../fc")
    fake.node("dev/bsg/fc_host0", stat.S_IFCHR, BSG_MAJOR, 9)
    with pytest.raises(UsageError, match="bsg node of fc_host0, not of a SCSI device"):
        resolve("/dev/bsg/fc_host0", root=str(fake.root))


def test_usage_error_is_a_value_error(fake):
    with pytest.raises(ValueError):
        resolve("nonsense", root=str(fake.root))


def test_on_this_host_resolve_agrees_with_scan():
    # Whatever this machine has (often nothing): each scanned device resolves to itself.
    for nodes in scan():
        assert resolve(nodes.hctl) == nodes
        if nodes.sg is not None and os.path.exists(nodes.sg):
            assert resolve(nodes.sg) == nodes
