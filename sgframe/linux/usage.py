"""Is this SCSI device in use by the system? Reasons not to write to it.

Writing through sg bypasses the block layer: the kernel will not stop a test from
overwriting a mounted filesystem. Before a medium-modifying command, the command line asks
:func:`in_use` and refuses unless forced. Sources, for the disk and each of its partitions:

* ``/proc/self/mountinfo``: the third field is the major:minor of the mounted device;
* ``/proc/mounts``: the mount source by name, for filesystems whose mountinfo number is
  an anonymous one (btrfs reports 0:N) rather than the block device's;
* ``/proc/swaps``: active swap areas, by path;
* ``/sys/block/X/holders`` and ``/sys/block/X/Y/holders``: block devices built on top
  (device-mapper: LVM, dm-crypt, multipath; md RAID; bcache ...), followed upwards so a
  filesystem mounted on an LVM volume on this disk is reported too.
"""
from __future__ import annotations

import os
from typing import Iterable

from .sysfs import DeviceNodes

__all__ = ["in_use", "holder_description"]


def _p(root: str, path: str) -> str:
    return os.path.join(root, path.lstrip("/"))


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _unescape(field: str) -> str:
    # /proc/mounts and mountinfo escape space, tab, newline and backslash as \ooo.
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 4 <= len(field) and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def _block_devices(root: str, disk: str) -> dict[str, str]:
    """The disk and its partitions: kernel name -> "major:minor"."""
    base = _p(root, f"sys/block/{disk}")
    found = {disk: _read(os.path.join(base, "dev")).strip()}
    try:
        names = sorted(os.listdir(base))
    except OSError:
        names = []
    for name in names:
        if os.path.exists(os.path.join(base, name, "partition")):
            found[name] = _read(os.path.join(base, name, "dev")).strip()
    return found


def _holder_dir(root: str, disk: str, name: str) -> str:
    base = _p(root, f"sys/block/{disk}")
    return os.path.join(base, "holders") if name == disk else os.path.join(base, name, "holders")


def holder_description(name: str, root: str = "/") -> str:
    """Say what block device ``name`` (a holder: ``dm-0``, ``md127`` ...) is."""
    dm = _p(root, f"sys/block/{name}/dm")
    if os.path.isdir(dm):
        dm_name = _read(os.path.join(dm, "name")).strip()
        uuid = _read(os.path.join(dm, "uuid")).strip()
        kind = "device-mapper device"
        if uuid.startswith("LVM-"):
            kind = "LVM logical volume"
        elif uuid.startswith("CRYPT-"):
            kind = "dm-crypt (LUKS) device"
        elif uuid.startswith("mpath-"):
            kind = "multipath device"
        elif uuid.startswith("part"):
            kind = "device-mapper partition"
        return f"{kind} {dm_name} ({name})" if dm_name else f"{kind} {name}"
    md = _p(root, f"sys/block/{name}/md")
    if os.path.isdir(md):
        level = _read(os.path.join(md, "level")).strip()
        return f"MD array {name}" + (f" ({level})" if level else "")
    if os.path.isdir(_p(root, f"sys/block/{name}/bcache")):
        return f"bcache device {name}"
    return f"block device {name}"


def _mount_reasons(root: str, devs: dict[str, str]) -> list[str]:
    by_number = {mm: name for name, mm in devs.items() if mm}
    reasons: list[str] = []
    seen: set[tuple[str, str]] = set()
    for line in _read(_p(root, "proc/self/mountinfo")).splitlines():
        fields = line.split()
        # id parent major:minor root mountpoint options [optional...] - fstype source super
        if len(fields) < 7 or fields[2] not in by_number:
            continue
        name, mountpoint = by_number[fields[2]], _unescape(fields[4])
        fstype = fields[fields.index("-") + 1] if "-" in fields[6:] else "?"
        if (name, mountpoint) not in seen:
            seen.add((name, mountpoint))
            reasons.append(f"/dev/{name} is mounted on {mountpoint} ({fstype})")
    paths = {f"/dev/{name}": name for name in devs}
    for line in _read(_p(root, "proc/mounts")).splitlines():
        fields = line.split()
        if len(fields) < 3 or _unescape(fields[0]) not in paths:
            continue
        name, mountpoint = paths[_unescape(fields[0])], _unescape(fields[1])
        if (name, mountpoint) not in seen:
            seen.add((name, mountpoint))
            reasons.append(f"/dev/{name} is mounted on {mountpoint} ({fields[2]})")
    return reasons


def _swap_reasons(root: str, devs: dict[str, str]) -> list[str]:
    numbers = {mm: name for name, mm in devs.items() if mm}
    reasons = []
    for line in _read(_p(root, "proc/swaps")).splitlines()[1:]:
        fields = line.split()
        if not fields:
            continue
        path = _unescape(fields[0])
        name = path[5:] if path.startswith("/dev/") and path[5:] in devs else None
        if name is None:
            try:
                st = os.stat(_p(root, path))
            except OSError:
                continue
            name = numbers.get(f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}") \
                if st.st_rdev else None
        if name is not None:
            reasons.append(f"/dev/{name} is active swap")
    return reasons


def _holder_reasons(root: str, disk: str, devs: Iterable[str], seen: set[str]) -> list[str]:
    reasons = []
    for name in devs:
        try:
            holders = sorted(os.listdir(_holder_dir(root, disk, name)))
        except OSError:
            continue
        for holder in holders:
            reasons.append(f"/dev/{name} is held by {holder_description(holder, root)}")
            # Holders form a DAG (one md array on two partitions): follow each once.
            if holder not in seen:
                seen.add(holder)
                reasons.extend(_reasons_for_disk(root, holder, seen))
    return reasons


def _reasons_for_disk(root: str, disk: str, seen: set[str]) -> list[str]:
    devs = _block_devices(root, disk)
    return (_mount_reasons(root, devs) + _swap_reasons(root, devs)
            + _holder_reasons(root, disk, devs, seen))


def in_use(nodes: DeviceNodes, root: str = "/") -> list[str]:
    """Human-readable reasons why writing to this device would be unsafe; [] if none.

    A device without a block node (a tape, an enclosure, sd not loaded) cannot back a
    filesystem through this kernel, so it yields [].

    :param nodes: from :func:`sgframe.linux.sysfs.resolve`.
    """
    if nodes.block is None:
        return []
    disk = os.path.basename(nodes.block)
    return _reasons_for_disk(root, disk, {disk})
