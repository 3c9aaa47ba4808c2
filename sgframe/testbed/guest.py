"""Helpers for code running INSIDE the test bed guest: the device manifest and scsi_debug.

Integration tests and benchmarks use these to find the devices the boot created, inject
faults through scsi_debug's run-time parameters, remove and add devices, and see what is
mounted.  Everything goes through sysfs, procfs and devtmpfs (no udev runs in the guest).
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple, TypeVar, Union

import attrs

from sgframe.errors import UsageError
from sgframe.testbed import _guest_init

__all__ = [
    "SDEBUG_DRIVER",
    "SDEBUG_MODULE",
    "Device",
    "Manifest",
    "in_testbed",
    "unavailable_reason",
    "load_manifest",
    "devices",
    "scan",
    "wait_for",
    "sdebug_param",
    "set_sdebug_params",
    "sdebug_params",
    "delete_device",
    "add_sdebug_hosts",
    "remove_sdebug_host",
    "mounted_block_devices",
    "holders",
    "swap_devices",
    "mounted_filesystem",
    "open_fds",
    "leaked_fds",
    "LAB_MODULES",
    "load_modules",
]

#: What serving emulated devices through TCMU needs (``--lab`` loads them at boot).
LAB_MODULES = ("uio", "target_core_mod", "target_core_user", "tcm_loop", "ses")

#: Driver attributes: writing here also updates scsi_debug's derived state (for ``opts``,
#: whether any fault injection is active), so it is preferred to the module parameter.
SDEBUG_DRIVER = Path("/sys/bus/pseudo/drivers/scsi_debug")
#: Module parameters: the rest (``medium_error_start``, ``inq_vendor`` ...) live only here.
SDEBUG_MODULE = Path("/sys/module/scsi_debug/parameters")

T = TypeVar("T")


@attrs.frozen
class Device:
    """One SCSI logical unit of the guest, as the manifest describes it.

    :param hctl: ``"H:C:T:L"``; also the name under /sys/class/scsi_device.
    :param sg: the sg node, ``/dev/sgN``.
    :param block: the block node (``/dev/sdX``) or ``None`` for non-disk types.
    :param bsg: ``/dev/bsg/H:C:T:L`` or ``None``.
    :param kind: ``"scsi_debug"``, ``"lio"``, ``"lab"`` (served through TCMU by
        ``--lab``) or the SCSI host's ``proc_name``.
    """

    hctl: str
    host: int
    channel: int
    target: int
    lun: int
    sg: str
    block: Optional[str]
    bsg: Optional[str]
    vendor: str
    product: str
    revision: str
    peripheral_device_type: int
    kind: str
    #: The emu URI a ``"lab"`` device serves (``--lab``), else None.
    uri: Optional[str] = None

    @classmethod
    def from_dict(cls, record: dict) -> "Device":
        names = {a.name for a in attrs.fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in names})

    @property
    def sysfs(self) -> Path:
        """``/sys/class/scsi_device/H:C:T:L/device``."""
        return Path("/sys/class/scsi_device", self.hctl, "device")

    def exists(self) -> bool:
        """Is the sg node still there (the device not deleted)?"""
        return os.path.exists(self.sg) and self.sysfs.exists()


@attrs.frozen
class Manifest:
    """What one boot of the test bed created (the JSON written before the command ran)."""

    path: str
    kernel: str
    sg_version: Optional[int]
    scsi_debug: Optional[str]
    lio_files: Tuple[str, ...]
    devices: Tuple[Device, ...]

    def of_kind(self, kind: Optional[str] = None) -> List[Device]:
        return [d for d in self.devices if kind is None or d.kind == kind]


def in_testbed() -> bool:
    """True inside a booted test bed guest (``SGFRAME_TESTBED=1``)."""
    return os.environ.get("SGFRAME_TESTBED") == "1"


def unavailable_reason() -> str:
    """Why the test bed is not here, in words fit for ``pytest.skip``."""
    if in_testbed():
        return ""
    reason = os.environ.get("SGFRAME_TESTBED_REASON")
    if reason:
        return reason
    return (
        "not inside the sgframe test bed: run "
        "`python -m sgframe.testbed run --lio 2 -- python -m pytest tests/integration`"
    )


def load_manifest(path: Optional[str] = None) -> Manifest:
    """Read the manifest named by ``SGFRAME_TESTBED_MANIFEST`` (or ``path``).

    :raises UsageError: not inside the test bed and no path given.
    """
    if path is None:
        path = os.environ.get("SGFRAME_TESTBED_MANIFEST")
        if not path:
            raise UsageError(f"no test bed manifest: {unavailable_reason()}")
    with open(path) as f:
        raw = json.load(f)
    return Manifest(
        path=path,
        kernel=raw.get("kernel", ""),
        sg_version=raw.get("sg_version"),
        scsi_debug=raw.get("scsi_debug"),
        lio_files=tuple(raw.get("lio_files", ())),
        devices=tuple(Device.from_dict(d) for d in raw.get("devices", ())),
    )


def devices(kind: Optional[str] = None) -> List[Device]:
    """The devices the boot created, optionally only one ``kind`` (``"scsi_debug"``, ``"lio"``)."""
    return load_manifest().of_kind(kind)


def scan() -> List[Device]:
    """Every SCSI device with an sg node now, from sysfs (the manifest is the boot's view)."""
    return [Device.from_dict(d) for d in _guest_init.scan_devices()]


def wait_for(predicate: Callable[[], T], timeout: float = 10.0, what: str = "condition") -> T:
    """Poll ``predicate`` until it returns something true; raise TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout:g} s")
        time.sleep(0.02)


def _param_path(name: str) -> Path:
    if not name or "/" in name or name.startswith("."):
        raise UsageError(f"bad scsi_debug parameter name {name!r}")
    for base in (SDEBUG_DRIVER, SDEBUG_MODULE):
        path = base / name
        if path.exists():
            return path
    raise UsageError(
        f"scsi_debug has no parameter {name!r} (looked in {SDEBUG_DRIVER} and {SDEBUG_MODULE})"
    )


def sdebug_param(name: str) -> str:
    """The current value of a scsi_debug parameter, as sysfs shows it (``opts`` is hex)."""
    return _param_path(name).read_text().strip()


def _format(value: Union[int, str, bool]) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise UsageError(f"scsi_debug parameter values are int, bool or str, not {value!r}")


def set_sdebug_params(**params: Union[int, str, bool]) -> Dict[str, str]:
    """Write scsi_debug parameters now, in the order given; return their previous values.

    Set ``every_nth`` after ``opts``: writing ``every_nth`` restarts scsi_debug's command
    counter.  ``opts`` bits: 2 medium error (in ``medium_error_start``/``medium_error_count``),
    4 timeout, 8 recovered error, 0x10 transport error, 0x20 DIF error, 0x800 TASK SET FULL,
    0x8000 host busy, 0x10000 command abort.
    """
    previous: Dict[str, str] = {}
    for name, value in params.items():
        path = _param_path(name)
        previous[name] = path.read_text().strip()
        try:
            path.write_text(_format(value) + "\n")
        except OSError as exc:
            raise UsageError(
                f"scsi_debug refused {name}={value!r}: {exc.strerror}"
            ) from None
    return previous


@contextlib.contextmanager
def sdebug_params(**params: Union[int, str, bool]) -> Iterator[Dict[str, str]]:
    """Set scsi_debug parameters for the ``with`` block, then restore them (reverse order)."""
    previous: Dict[str, str] = {}
    try:
        for name, value in params.items():
            previous.update(set_sdebug_params(**{name: value}))
        yield dict(previous)
    finally:
        for name in reversed(list(previous)):
            _param_path(name).write_text(previous[name] + "\n")


def _hctl(device: Union[Device, str]) -> str:
    return device.hctl if isinstance(device, Device) else device


def delete_device(device: Union[Device, str], wait: bool = True, timeout: float = 10.0) -> None:
    """Detach a device as hot removal does (``echo 1 > .../device/delete``).

    :param device: a :class:`Device` or ``"H:C:T:L"``.
    :param wait: return only once its sg node is gone.
    """
    hctl = _hctl(device)
    delete = Path("/sys/class/scsi_device", hctl, "device", "delete")
    sg_nodes = [f"/dev/{n}" for n in _sg_of(hctl)]
    if not delete.exists():
        raise UsageError(f"no SCSI device {hctl!r} in /sys/class/scsi_device")
    delete.write_text("1\n")
    if wait:
        wait_for(
            lambda: not any(os.path.exists(n) for n in sg_nodes),
            timeout,
            f"removal of {hctl}",
        )


def _sg_of(hctl: str) -> List[str]:
    try:
        return os.listdir(Path("/sys/class/scsi_device", hctl, "device", "scsi_generic"))
    except OSError:
        return []


def add_sdebug_hosts(count: int = 1, luns: Optional[int] = None, timeout: float = 10.0) -> List[Device]:
    """Add ``count`` scsi_debug hosts (each with ``num_tgts`` x ``max_luns`` devices).

    Returns the new devices once their sg nodes exist.

    :param luns: how many devices to wait for; default ``count * num_tgts * max_luns``
        (less LUN 0 per target with ``no_lun_0``).
    """
    if not isinstance(count, int) or count < 1:
        raise UsageError(f"count must be a positive integer, not {count!r}")
    if luns is None:
        per_target = int(sdebug_param("max_luns")) - (1 if int(sdebug_param("no_lun_0")) else 0)
        luns = count * int(sdebug_param("num_tgts")) * max(per_target, 0)
    before = set(_guest_init.sg_names())
    (SDEBUG_DRIVER / "add_host").write_text(f"{count}\n")

    def new_devices() -> List[Device]:
        names = [n for n in _guest_init.sg_names() if n not in before]
        if len(names) < luns or not all(os.path.exists(f"/dev/{n}") for n in names):
            return []
        return [Device.from_dict(_guest_init.describe(n)) for n in names]

    if luns == 0:
        return []
    return wait_for(new_devices, timeout, f"{luns} new scsi_debug devices")


def remove_sdebug_host(count: int = 1) -> None:
    """Remove the ``count`` most recently added scsi_debug hosts and their devices."""
    if not isinstance(count, int) or count < 1:
        raise UsageError(f"count must be a positive integer, not {count!r}")
    (SDEBUG_DRIVER / "add_host").write_text(f"-{count}\n")


def _unescape_mount(field: str) -> str:
    # /proc/self/mounts escapes space, tab, newline and backslash as octal.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def mounted_block_devices() -> Dict[str, str]:
    """Block devices with a mounted filesystem: ``{"/dev/sda1": "/mnt/x", ...}``."""
    result: Dict[str, str] = {}
    with open("/proc/self/mounts") as f:
        for line in f:
            source, target = line.split()[:2]
            if source.startswith("/dev/"):
                result.setdefault(_unescape_mount(source), _unescape_mount(target))
    return result


def holders(block: str) -> List[str]:
    """Block devices stacked on ``block`` (device-mapper, MD ...), from sysfs ``holders``."""
    name = os.path.basename(block)
    try:
        return sorted(os.listdir(f"/sys/class/block/{name}/holders"))
    except OSError:
        return []


def swap_devices() -> List[str]:
    """Block devices in use as swap (``/proc/swaps``)."""
    try:
        with open("/proc/swaps") as f:
            lines = f.read().splitlines()[1:]
    except OSError:
        return []
    return [_unescape_mount(line.split()[0]) for line in lines if line.strip()]


@contextlib.contextmanager
def mounted_filesystem(block: str, fstype: str = "ext2") -> Iterator[str]:
    """Make a filesystem on ``block``, mount it for the ``with`` block, unmount it.

    The mount point is a fresh directory under /tmp (on the host's filesystem, through
    hostfs: mounting over it inside the guest changes nothing on the host).
    """
    subprocess.run(
        [f"mkfs.{fstype}", "-q", "-F", block] if fstype.startswith("ext") else [f"mkfs.{fstype}", block],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    point = tempfile.mkdtemp(prefix="sgframe-mnt-")
    try:
        subprocess.run(["mount", "-t", fstype, block, point], check=True)
        try:
            yield point
        finally:
            subprocess.run(["umount", point], check=True)
    finally:
        os.rmdir(point)


def open_fds() -> Dict[int, str]:
    """This process's open file descriptors and what they point at (``/proc/self/fd``)."""
    result: Dict[int, str] = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            result[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            # The fd listdir itself used, closed by now.
            continue
    return result


def leaked_fds(before: Dict[int, str], after: Dict[int, str]) -> Dict[int, str]:
    """Descriptors in ``after`` that were not open (or pointed elsewhere) in ``before``."""
    return {fd: target for fd, target in after.items() if before.get(fd) != target}


def load_modules(*names: str) -> None:
    """Load kernel modules in the guest (they come from Debian's UML module tree), and mount
    configfs when LIO's core is among them.

    The boot pointed ``/proc/sys/kernel/modprobe`` at a wrapper that finds that tree; it
    is called here as the kernel would call it.
    """
    wrapper = Path("/proc/sys/kernel/modprobe").read_text().strip()
    for name in names:
        if not Path("/sys/module", name.replace("-", "_")).exists():
            subprocess.run([wrapper, name], check=True)
    if "target_core_mod" in names and not Path("/sys/kernel/config/target").exists():
        subprocess.run(["mount", "-t", "configfs", "configfs", "/sys/kernel/config"], check=True)
