"""A lab: emulated devices served to the kernel through TCMU, exported on tcm_loop.

:class:`Lab` owns everything one serving process creates: per device a TCMU backstore, its
uio mapping and :class:`~sgframe.lab.serve.ServedDevice`, and one tcm_loop target with a
LUN per device, so each appears as a real /dev/sgN (and /dev/sdX for a disk).

Order matters at both ends, because the kernel talks to the handler while configfs calls
are in progress: mapping a LUN makes the SCSI mid-layer scan it (INQUIRY, READ CAPACITY
...) before the symlink call returns, and removing it makes ``sd`` send SYNCHRONIZE CACHE.
So the reactor serves from a background thread before the first export and until the last
LUN is gone; only then are the uio devices closed and the backstores removed.

:func:`remove_leftovers` removes what a killed server (SIGKILL: no clean-up ran) left in
configfs; ``sgframe lab serve`` calls it first, so a crash costs the next serve nothing.
"""
from __future__ import annotations

import errno
import itertools
import logging
import os
import time
from pathlib import Path
from typing import Any, List, Optional, Sequence, Union

import attrs

from sgframe.errors import UsageError
from sgframe.lab.configfs import ROOT, Configfs, LabError, check_portal, control_string, owners
from sgframe.lab.ring import Ring
from sgframe.lab.serve import ServedDevice
from sgframe.lab.uio import SYS_UIO, UioDevice, find_uio

__all__ = ["LabLun", "Lab", "remove_leftovers", "pid_alive"]

_log = logging.getLogger("sgframe.lab")
_SYS_SCSI_DEVICE = Path("/sys/class/scsi_device")
#: Several labs may run in one process (a test's and a fixture's): each has a number.
_lab_numbers = itertools.count()
#: The most one command carries through tcm_loop: its SCSI host takes 256 scatter-gather
#: segments (tcm_loop's sg_tablesize), one 4 KiB page each for an SG_IO user buffer.  A disk
#: that advertises more in its Block Limits page (MAXIMUM TRANSFER LENGTH) invites commands
#: that SG_IO refuses before they reach the handler (libiscsi's suite sends them).
TRANSFER_LIMIT = 256 * 4096


@attrs.frozen
class LabLun:
    """What one served device became in the kernel.

    :param uri: the emu URI it serves.
    :param hctl: its SCSI address, ``H:C:T:L``.
    :param sg: ``/dev/sgN``.
    :param block: ``/dev/sdX`` for a disk, else None.
    :param uio: the ``uioN`` of its backstore.
    :param backstore: its configfs directory.
    :param iscsi: its ``iscsi://portal/target/lun`` URL when the lab exports over iSCSI.
    """

    uri: str
    hctl: str
    sg: Optional[str]
    block: Optional[str]
    uio: str
    backstore: str
    iscsi: Optional[str] = None

    def to_dict(self) -> dict:
        return attrs.asdict(self)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(root: Union[str, Path] = ROOT) -> List[str]:
    """Remove the configfs objects of lab servers that are no longer running.

    Returns what could not be removed.  A LUN of a dead server is removed all the same: the
    commands the kernel sends it (SYNCHRONIZE CACHE) fail at the backstore's ``cmd_time_out``.
    """
    problems: List[str] = []
    for owner in sorted(owners(root)):
        if owner == os.getpid() or pid_alive(owner):
            continue
        configfs = Configfs(owner, root, lab=None)
        problems += configfs.remove_exports()
        problems += configfs.remove_backstores()
    return problems


def _size_of(device: Any) -> int:
    blocks = getattr(device, "blocks", 0)
    block_size = getattr(device, "block_size", 512)
    return max(1, blocks) * block_size


def _wait_for(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise LabError(errno.ETIMEDOUT, f"{what} did not appear within {timeout:g} s")
        time.sleep(0.01)


def _only(path: Path) -> Optional[str]:
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return None
    return names[0] if names else None


class Lab:
    """Serve emulated devices through TCMU; :meth:`close` (or ``with``) removes it all.

    :param devices: emu URIs (``"emu:disk?blocks=4096"``) or emulated device objects.
    :param cmd_time_out: seconds before the kernel fails a command the handler did not
        answer (the kernel's default, 30, when None).
    :param reactor: the reactor to serve on (a new one by default); it is started.
    :param owner: the id in the configfs names (this process's pid by default).
    :param control: bind a control socket here (:mod:`sgframe.lab.control`): faults on cue
        from other processes.
    :param iscsi: also export every device as a LUN of an iSCSI target on this portal
        (``"127.0.0.1:3261"``; LIO's ``iscsi_target_mod`` loaded, the interface up).
    """

    def __init__(
        self,
        devices: Sequence[Union[str, Any]],
        *,
        cmd_time_out: Optional[int] = None,
        reactor: Any = None,
        owner: Optional[int] = None,
        root: Union[str, Path] = ROOT,
        sys_uio: Union[str, Path] = SYS_UIO,
        control: Union[str, Path, None] = None,
        iscsi: Optional[str] = None,
    ) -> None:
        if not devices:
            raise UsageError("a lab needs at least one device (an emu: URI)")
        from sgframe import emu

        plugins = None
        if any(isinstance(item, str) for item in devices):
            from sgframe.plugins import manager

            plugins = manager()  # installed plugins register their emu kinds (emu:sata) on loading
        self._specs = []
        for item in devices:
            if isinstance(item, str):
                device = emu.create(item)
                # As the emu transport does: the plugins that apply teach the device their
                # commands (the SAT plugin installs ATA PASS-THROUGH on emu:sata).
                plugins.emulate(device, emu.parse_emu_uri(item)[0])
                self._specs.append((item, device))
            else:
                self._specs.append((type(item).__name__, item))
        self._own_reactor = reactor is None
        if reactor is None:
            from sgframe.reactor import Reactor

            reactor = Reactor()
        self.reactor = reactor
        self.cmd_time_out = cmd_time_out
        self.configfs = Configfs(owner, root, lab=next(_lab_numbers) % 256)
        self.sys_uio = Path(sys_uio)
        self.served: List[ServedDevice] = []
        self.luns: List[LabLun] = []
        self._uios: List[UioDevice] = []
        self._closed = False
        self.control_path = None if control is None else str(control)
        self.iscsi_portal = None if iscsi is None else check_portal(iscsi)
        self._control: Any = None

    def __enter__(self) -> "Lab":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self, timeout: float = 30.0) -> List[LabLun]:
        """Create, serve and export every device; returns their kernel names.

        :raises LabError: a configfs step failed (not root, LIO modules not loaded ...);
            what was created is removed again.
        """
        try:
            return self._start(timeout)
        except BaseException:
            self.close()
            raise

    def _start(self, timeout: float) -> List[LabLun]:
        owner = self.configfs.owner
        backstores = []
        for index, (uri, device) in enumerate(self._specs):
            _fit_transfer_length(device)
            name = self.configfs.device_name(index)
            config = f"{owner}.{name}"
            block_size = getattr(device, "block_size", 512)
            backstore = self.configfs.create_backstore(
                name, control_string(config, _size_of(device), block_size), cmd_time_out=self.cmd_time_out
            )
            backstores.append(backstore)
            suffix = f"/{name}/sgframe/{config}"
            uio_name = _wait_for(
                lambda: self._find_uio(suffix), timeout, f"the uio device of TCMU backstore {backstore}"
            )
            uio = UioDevice(uio_name, self.sys_uio)
            self._uios.append(uio)
            served = ServedDevice(device, Ring(uio.mem), uio.notify, self.reactor.call_later, uri)
            self.served.append(served)
            self.reactor.register(uio.fd, _on_readable(uio, served), _on_hangup(self.reactor, uri))
        if self.control_path is not None:
            from sgframe.lab.control import ControlServer

            self._control = ControlServer(self.control_path, self.served, self.reactor)
        self.reactor.start()
        for index, backstore in enumerate(backstores):
            self.configfs.export(index, backstore)
        iscsi_urls: List[Optional[str]] = [None] * len(backstores)
        if self.iscsi_portal is not None:
            for index, backstore in enumerate(backstores):
                target = self.configfs.export_iscsi(index, backstore, self.iscsi_portal)
                iscsi_urls[index] = f"iscsi://{self.iscsi_portal}/{target}/{index}"
            self.configfs.enable_iscsi()
        host, target = self.configfs.scsi_address()
        for index, ((uri, device), backstore, uio) in enumerate(zip(self._specs, backstores, self._uios)):
            hctl = f"{host}:0:{target}:{index}"
            base = _SYS_SCSI_DEVICE / hctl / "device"
            sg = _wait_for(lambda: _only(base / "scsi_generic"), timeout, f"the sg node of {hctl}")
            _wait_for(lambda: os.path.exists(f"/dev/{sg}"), timeout, f"/dev/{sg}")
            block = None
            if not getattr(device, "zoned", False) and not hasattr(device, "diagnostic_page"):
                # sd attaches asynchronously after the scan: wait for the disk's node too.
                block = _wait_for(lambda: _only(base / "block"), timeout, f"the block device of {hctl}")
                _wait_for(lambda: os.path.exists(f"/dev/{block}"), timeout, f"/dev/{block}")
            self.luns.append(
                LabLun(uri, hctl, f"/dev/{sg}", f"/dev/{block}" if block else None, uio.name, str(backstore),
                       iscsi_urls[index])
            )
        for lun in self.luns:
            _consume_unit_attentions(lun.sg)
        return list(self.luns)

    def _find_uio(self, suffix: str) -> Optional[str]:
        # The name is "tcm-user/<hba>/<device>/<dev_config>"; the config is unique per owner.
        try:
            entries = os.listdir(self.sys_uio)
        except OSError:
            return None
        for entry in entries:
            try:
                if (self.sys_uio / entry / "name").read_text().strip().endswith(suffix):
                    return entry
            except OSError:
                continue
        return None

    def close(self) -> List[str]:
        """Remove the LUNs (still serving), stop, close the uio devices, remove the
        backstores.  Returns what could not be removed; safe to call twice."""
        if self._closed:
            return []
        self._closed = True
        problems = self.configfs.remove_exports()
        self.reactor.stop()
        if self._control is not None:
            self._control.close()
        for uio in self._uios:
            self.reactor.unregister(uio.fd)
            uio.close()
        problems += self.configfs.remove_backstores()
        if self._own_reactor:
            self.reactor.close()
        for problem in problems:
            _log.warning("lab clean-up: %s", problem)
        return problems


def _fit_transfer_length(device: Any) -> None:
    limit = getattr(device, "max_transfer_length", None)
    block_size = getattr(device, "block_size", 512)
    if limit is not None and limit * block_size > TRANSFER_LIMIT:
        device.max_transfer_length = TRANSFER_LIMIT // block_size


def _consume_unit_attentions(sg: Optional[str]) -> None:
    """Leave the unit clean, as the mid-layer's scan leaves a real disk.

    LIO itself (not the handler) gives every LUN of the nexus a REPORTED LUNS DATA HAS
    CHANGED unit attention (3Fh/0Eh) when a later LUN is mapped; the first command
    through /dev/sgN would get it.
    """
    from sgframe.channel import Channel
    from sgframe.errors import UnitAttention

    with Channel.open(sg) as channel:
        for _ in range(8):
            try:
                channel.cmd.TestUnitReady()
                return
            except UnitAttention:
                continue


def _on_readable(uio: UioDevice, served: ServedDevice) -> Any:
    def on_readable(fd: int) -> int:
        uio.acknowledge()
        return served.serve()

    return on_readable


def _on_hangup(reactor: Any, uri: str) -> Any:
    def on_hangup(fd: int) -> int:
        # The backstore went away under us (someone removed it from configfs).
        _log.warning("%s: its TCMU device hung up; no longer serving it", uri)
        reactor.unregister(fd)
        return 0

    return on_hangup
