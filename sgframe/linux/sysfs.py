"""From a device name to every node of that SCSI device, through sysfs.

A SCSI logical unit appears in sysfs as a directory named ``H:C:T:L`` (reached through
``/sys/class/scsi_device/H:C:T:L/device``) with child directories naming its upper-level
nodes: ``scsi_generic/sgN`` (the sg driver), ``block/sdX`` (sd, sr, st have theirs) and
``bsg/H:C:T:L``. A device node is matched by its device number, not its name: the node is
``stat``-ed and its major:minor compared with the ``dev`` files under
``/sys/class/scsi_generic``, ``/sys/class/bsg`` and ``/sys/class/block``, so symlinks such
as ``/dev/disk/by-id/...`` work too. sg's major is fixed (21); bsg's is allocated at boot
and listed in ``/proc/devices``.

Every function takes ``root`` ("/" by default): the tree in which ``sys``, ``proc`` and
``dev`` are looked up, so tests can build a fake one.
"""
from __future__ import annotations

import os
import re
import stat
from typing import Optional

import attrs

from ..errors import UsageError, for_errno
from .sg import SCSI_GENERIC_MAJOR

__all__ = ["DeviceNodes", "PERIPHERAL_TYPES", "resolve", "scan", "block_name", "char_major"]

_HCTL = re.compile(r"^\d+:\d+:\d+:\d+$")

#: Peripheral device type (SPC-6 table 141) -> the short name lsscsi prints.
PERIPHERAL_TYPES = {
    0x00: "disk",
    0x01: "tape",
    0x02: "printer",
    0x03: "process",
    0x04: "worm",
    0x05: "cd/dvd",
    0x06: "scanner",
    0x07: "optical",
    0x08: "mediumx",
    0x09: "comms",
    0x0C: "storage",
    0x0D: "enclosu",
    0x0E: "sim dsk",
    0x0F: "opti rd",
    0x10: "bridge",
    0x11: "osd",
    0x12: "adi",
    0x13: "sec man",
    0x14: "zbc",
    0x1E: "wlun",
    0x1F: "no dev",
}

_ALLOWED = "/dev/sgN, /dev/sdX (or a partition), /dev/bsg/H:C:T:L or H:C:T:L"


@attrs.frozen
class DeviceNodes:
    """Every node of one SCSI logical unit, and what sysfs says about it.

    :param hctl: ``"H:C:T:L"``.
    :param sg: ``/dev/sgN``, or None when the sg driver is not loaded.
    :param block: the whole-disk block node (``/dev/sdX``, ``/dev/sr0``) or None.
    :param bsg: ``/dev/bsg/H:C:T:L`` or None.
    :param scsi_type: the peripheral device type (0 disk, 1 tape, 5 cd/dvd, ...).
    :param size_bytes: the block device's capacity, or None without one.
    """

    hctl: str
    sg: Optional[str]
    block: Optional[str]
    bsg: Optional[str]
    scsi_type: int
    vendor: str
    model: str
    rev: str
    size_bytes: Optional[int]

    @property
    def type_name(self) -> str:
        """lsscsi's name for the peripheral type (``"disk"``), or ``"type 0xNN"``."""
        return PERIPHERAL_TYPES.get(self.scsi_type, f"type 0x{self.scsi_type:02x}")

    @property
    def hctl_tuple(self) -> tuple[int, int, int, int]:
        h, c, t, lun = (int(x) for x in self.hctl.split(":"))
        return h, c, t, lun


def _p(root: str, path: str) -> str:
    return os.path.join(root, path.lstrip("/"))


def _read(path: str, default: str = "") -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return default


def _entries(path: str) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def char_major(name: str, root: str = "/") -> Optional[int]:
    """The major number /proc/devices gives the character driver ``name`` (``"bsg"``)."""
    in_chars = False
    for line in _read(_p(root, "proc/devices")).splitlines():
        if line.startswith("Character devices"):
            in_chars = True
        elif line.startswith("Block devices"):
            in_chars = False
        elif in_chars:
            parts = line.split()
            if len(parts) == 2 and parts[1] == name and parts[0].isdigit():
                return int(parts[0])
    return None


def _by_dev(root: str, class_dir: str, majmin: str) -> Optional[str]:
    """The entry of /sys/class/<class_dir> whose ``dev`` file says ``majmin``."""
    base = _p(root, "sys/class/" + class_dir)
    for name in _entries(base):
        if _read(os.path.join(base, name, "dev")) == majmin:
            return name
    return None


def _hctl_of(link: str) -> Optional[str]:
    """The H:C:T:L a sysfs ``device`` symlink points at, if it is a SCSI device."""
    try:
        target = os.path.basename(os.readlink(link).rstrip("/"))
    except OSError:
        return None
    return target if _HCTL.match(target) else None


def block_name(device: str, root: str = "/") -> tuple[str, Optional[str]]:
    """The kernel names of a block node: ``(disk, partition or None)``.

    :raises DeviceNodeMissing: when the node does not exist.
    :raises UsageError: when it is not a block device.
    """
    st = _stat(device, root)
    if not stat.S_ISBLK(st.st_mode):
        raise UsageError(f"{device} is not a block device")
    majmin = f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
    name = _by_dev(root, "block", majmin)
    if name is None:
        raise UsageError(f"{device}: block device {majmin} is not in /sys/class/block")
    entry = _p(root, "sys/class/block/" + name)
    if os.path.exists(os.path.join(entry, "partition")):
        disk = os.path.basename(os.path.dirname(os.path.realpath(entry)))
        return disk, name
    return name, None


def _stat(device: str, root: str) -> os.stat_result:
    try:
        return os.stat(_p(root, device))
    except FileNotFoundError as exc:
        # An OSError with advice, not a UsageError: the name may be right and the device
        # gone (deleted, or the driver not loaded).
        raise for_errno(exc, device) from None
    except OSError as exc:
        raise UsageError(f"{device}: cannot stat it: {exc.strerror}") from None


def _hctl_from_node(device: str, root: str) -> str:
    st = _stat(device, root)
    majmin = f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
    if stat.S_ISCHR(st.st_mode):
        if os.major(st.st_rdev) == SCSI_GENERIC_MAJOR:
            name = _by_dev(root, "scsi_generic", majmin)
            if name is None:
                raise UsageError(f"{device}: sg device {majmin} has no SCSI device behind it "
                                 "(removed?)")
            hctl = _hctl_of(_p(root, f"sys/class/scsi_generic/{name}/device"))
        else:
            name = _by_dev(root, "bsg", majmin)
            if name is None:
                bsg = char_major("bsg", root)
                raise UsageError(
                    f"{device} is character device {majmin}, neither an sg node (major "
                    f"{SCSI_GENERIC_MAJOR}) nor a bsg node (major "
                    f"{bsg if bsg is not None else 'unknown: bsg not in /proc/devices'})")
            hctl = _hctl_of(_p(root, f"sys/class/bsg/{name}/device"))
            if hctl is None:
                raise UsageError(f"{device} is a bsg node of {name}, not of a SCSI device")
        if hctl is None:
            raise UsageError(f"{device}: sysfs does not link it to a SCSI device")
        return hctl
    if stat.S_ISBLK(st.st_mode):
        disk, _part = block_name(device, root)
        hctl = _hctl_of(_p(root, f"sys/block/{disk}/device"))
        if hctl is None:
            raise UsageError(f"{device} is block device {disk}, which is not a SCSI device "
                             "(loop, device-mapper, md, nvme ... have no sg node)")
        return hctl
    raise UsageError(f"{device} is not a device node (give {_ALLOWED})")


def _nodes(root: str, hctl: str) -> DeviceNodes:
    dev = _p(root, f"sys/class/scsi_device/{hctl}/device")
    if not os.path.isdir(dev):
        raise UsageError(f"no SCSI device {hctl} (see `sgframe scan` or lsscsi)")

    def child(kind: str) -> Optional[str]:
        # Very old kernels named these "scsi_generic:sg0"; keep the part after the colon.
        names = _entries(os.path.join(dev, kind))
        if not names:
            return None
        return names[0].split(":", 1)[1] if names[0].startswith(kind + ":") else names[0]

    sg = child("scsi_generic")
    block = child("block")
    bsg = child("bsg")
    size = None
    if block is not None:
        sectors = _read(os.path.join(dev, "block", block, "size"))
        # sysfs "size" counts 512-byte units whatever the logical block size.
        size = int(sectors) * 512 if sectors.isdigit() else None
    scsi_type = _read(os.path.join(dev, "type"), "-1")
    return DeviceNodes(
        hctl=hctl,
        sg=f"/dev/{sg}" if sg else None,
        block=f"/dev/{block}" if block else None,
        bsg=f"/dev/bsg/{bsg}" if bsg else None,
        scsi_type=int(scsi_type) if scsi_type.lstrip("-").isdigit() else -1,
        vendor=_read(os.path.join(dev, "vendor")),
        model=_read(os.path.join(dev, "model")),
        rev=_read(os.path.join(dev, "rev")),
        size_bytes=size,
    )


def resolve(device: str, root: str = "/") -> DeviceNodes:
    """The nodes of the SCSI device named by ``device``.

    :param device: ``/dev/sgN``, a block node (``/dev/sdX``, a partition ``/dev/sdX1``
        gives its disk, any symlink to one), ``/dev/bsg/H:C:T:L`` or ``H:C:T:L``.
    :raises DeviceNodeMissing: when the node does not exist (an OSError, with advice).
    :raises UsageError: when it is not a device node, or not a SCSI device; the message
        says which, and what is allowed.
    """
    if not isinstance(device, str) or not device:
        raise UsageError(f"a device is {_ALLOWED}; got {device!r}")
    if _HCTL.match(device):
        return _nodes(root, device)
    if "/" not in device:
        raise UsageError(f"{device!r} is not a device: give {_ALLOWED}")
    return _nodes(root, _hctl_from_node(device, root))


def scan(root: str = "/") -> list[DeviceNodes]:
    """Every SCSI device, ordered by H:C:T:L (what ``lsscsi -g`` lists)."""
    found = []
    for name in _entries(_p(root, "sys/class/scsi_device")):
        if _HCTL.match(name):
            try:
                found.append(_nodes(root, name))
            except UsageError:
                continue   # removed while we looked
    return sorted(found, key=lambda n: n.hctl_tuple)
