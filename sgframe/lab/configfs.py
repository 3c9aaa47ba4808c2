"""LIO's configfs tree for the lab: TCMU backstores, a tcm_loop target, their removal.

What a serving process creates carries its process id in every name, so that whatever a
killed server left behind can be found and removed by the next one (:func:`owners`, then
:meth:`Configfs.remove_exports` and :meth:`Configfs.remove_backstores` of a
``Configfs(pid, lab=None)``, which covers every lab of that process).  One process may run
several labs; each has a number:

* ``core/user_<pid>/lab<n>_<i>``: one TCMU backstore per served device (an HBA of the
  ``user`` plugin holds them; its number is free-form);
* ``loopback/naa.5001405f<n: 2 hex digits><pid: 6 hex digits>/tpgt_1``: a tcm_loop target per
  lab, its I_T nexus ``naa.5001405e<n><pid>`` and one ``lun/lun_<i>`` per device, a
  symlink to the backstore.  (Linux pids stay below 2**22: six hex digits hold them.)

* ``iscsi/iqn.2026-12.org.sgframe.lab:<pid>.<n>/tpgt_1``: with ``Lab(iscsi=PORTAL)``, an
  iSCSI target per lab with the same LUNs, one network portal, no authentication and
  generated node ACLs (any initiator; a lab is a test device, not a store of secrets).

Removal runs in the reverse order of creation, and the order is the kernel's: a LUN's
symlink before its directory, the nexus (written ``NULL``) before the portal group, the
portal group before the WWN, every LUN before the backstore it points at.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import List, Optional, Set, Tuple, Union

from sgframe.errors import SgframeError

__all__ = [
    "ROOT",
    "LabError",
    "Configfs",
    "hba_name",
    "target_wwn",
    "nexus_wwn",
    "control_string",
    "owners",
    "iscsi_target_name",
    "check_portal",
]

ROOT = Path("/sys/kernel/config/target")
_TARGET_PREFIX = "naa.5001405f"
_NEXUS_PREFIX = "naa.5001405e"
_TPG = "tpgt_1"
_HBA = re.compile(r"^user_([0-9]+)$")
_WWN = re.compile(r"^" + re.escape(_TARGET_PREFIX) + r"[0-9a-f]{2}([0-9a-f]{6})$")
_IQN_PREFIX = "iqn.2026-12.org.sgframe.lab:"
_IQN = re.compile(r"^" + re.escape(_IQN_PREFIX) + r"([0-9]+)\.[0-9]+$")
_PORTAL = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$")
#: target_core_user's TCMU_CONFIG_LEN, less the handler name and its slash.
_MAX_CONFIG = 200


class LabError(SgframeError, OSError):
    """The kernel refused a step of setting up or removing a served device."""

    def __str__(self) -> str:
        # OSError(errno, text) would print "[Errno 2] text": the text names the errno already.
        return self.strerror if self.strerror else super().__str__()


def hba_name(owner: int) -> str:
    """The TCMU HBA directory of the process ``owner``."""
    return f"user_{owner}"


def _check_ids(owner: int, lab: int) -> None:
    if not 0 < owner <= 0xFFFFFF or not 0 <= lab <= 0xFF:
        raise LabError(f"lab names hold a process id up to {0xFFFFFF} and a lab number up to 255, "
                       f"not {owner} and {lab}")


def target_wwn(owner: int, lab: int = 0) -> str:
    """The tcm_loop target WWN of lab ``lab`` of the process ``owner`` (an NAA IEEE
    Registered name)."""
    _check_ids(owner, lab)
    return f"{_TARGET_PREFIX}{lab:02x}{owner:06x}"


def nexus_wwn(owner: int, lab: int = 0) -> str:
    """The initiator port of that target's I_T nexus."""
    _check_ids(owner, lab)
    return f"{_NEXUS_PREFIX}{lab:02x}{owner:06x}"


def iscsi_target_name(owner: int, lab: int = 0) -> str:
    """The iSCSI target name (IQN) of lab ``lab`` of the process ``owner``."""
    _check_ids(owner, lab)
    return f"{_IQN_PREFIX}{owner}.{lab}"


def check_portal(portal: str) -> str:
    """``ADDRESS:PORT`` (IPv4), as LIO names a network portal directory."""
    match = _PORTAL.match(portal) if isinstance(portal, str) else None
    if not match or not 0 < int(match.group(2)) < 65536 or any(int(x) > 255 for x in match.group(1).split(".")):
        raise LabError(f"iSCSI portal {portal!r}: expected IPv4ADDRESS:PORT, e.g. 127.0.0.1:3261")
    return portal


def control_string(config: str, dev_size: int, block_size: int) -> str:
    """The backstore's ``control`` line: the handler's config string, size, block size.

    ``dev_config`` is ``<handler>/<config>``: the uio device's name ends in it, which is how
    a handler finds its device.  configfs splits the line at commas, so none may appear.
    """
    if not re.fullmatch(r"[A-Za-z0-9_.:+-]{1,%d}" % _MAX_CONFIG, config):
        raise LabError(
            f"TCMU config {config!r}: letters, digits and '_.:+-' only, at most {_MAX_CONFIG} characters"
        )
    if dev_size <= 0 or block_size <= 0 or dev_size % block_size:
        raise LabError(f"TCMU device size {dev_size} must be a positive multiple of the block size {block_size}")
    return f"dev_config=sgframe/{config},dev_size={dev_size},hw_block_size={block_size}"


def owners(root: Union[str, Path] = ROOT) -> Set[int]:
    """Process ids that own lab objects under ``root`` (alive or not)."""
    root = Path(root)
    found: Set[int] = set()
    for directory, pattern, base in ((root / "core", _HBA, 10), (root / "loopback", _WWN, 16),
                                     (root / "iscsi", _IQN, 10)):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            match = pattern.match(name)
            if match:
                found.add(int(match.group(1), base))
    return found


def _write(path: Path, text: str) -> None:
    try:
        with open(path, "w") as f:
            f.write(text)
    except OSError as error:
        raise LabError(error.errno, f"configfs: writing {text.strip()!r} to {path}: {error.strerror}") from None


def _mkdir(path: Path) -> None:
    try:
        path.mkdir()
    except OSError as error:
        raise LabError(error.errno, f"configfs: mkdir {path}: {error.strerror}") from None


class Configfs:
    """The objects of lab number ``lab`` of the process ``owner`` under LIO's configfs
    ``root``; with ``lab=None``, removal covers every lab of that process.
    """

    def __init__(self, owner: Optional[int] = None, root: Union[str, Path] = ROOT, lab: Optional[int] = 0) -> None:
        self.owner = os.getpid() if owner is None else owner
        self.root = Path(root)
        self.lab = lab
        _check_ids(self.owner, lab or 0)

    @property
    def hba(self) -> Path:
        return self.root / "core" / hba_name(self.owner)

    @property
    def tpg(self) -> Path:
        if self.lab is None:
            raise LabError("Configfs(lab=None) removes every lab of a process; it creates nothing")
        return self.root / "loopback" / target_wwn(self.owner, self.lab) / _TPG

    def device_name(self, index: int) -> str:
        """The backstore name of device ``index`` of this lab."""
        return f"lab{self.lab}_{index}"

    def _mine(self, name: str) -> bool:
        return name.startswith("lab") if self.lab is None else name.startswith(f"lab{self.lab}_")

    def _targets(self) -> List[Path]:
        loopback = self.root / "loopback"
        if self.lab is not None:
            return [self.tpg.parent]
        try:
            names = os.listdir(loopback)
        except OSError:
            return []
        return [loopback / n for n in sorted(names) if (m := _WWN.match(n)) and int(m.group(1), 16) == self.owner]

    def create_backstore(
        self, name: str, control: str, *, cmd_time_out: Optional[int] = None
    ) -> Path:
        """Create and enable one TCMU backstore; its uio device appears when this returns.

        :param cmd_time_out: seconds before the kernel fails a command user space has not
            answered (the kernel's default is 30).
        """
        device = self.hba / name
        if not self.hba.is_dir():
            _mkdir(self.hba)
        _mkdir(device)
        _write(device / "control", control)
        if cmd_time_out is not None:
            _write(device / "attrib" / "cmd_time_out", str(int(cmd_time_out)))
        _write(device / "enable", "1")
        return device

    def export(self, lun: int, backstore: Path) -> None:
        """Make ``backstore`` LUN ``lun`` of this owner's tcm_loop target.

        The kernel scans the new LUN before the symlink call returns: the handler must be
        serving by then, from another thread.
        """
        if not self.tpg.is_dir():
            # The fabric's own directory appears on the first mkdir (LIO registers the
            # fabric then), as the WWN's does.
            for directory in (self.tpg.parent.parent, self.tpg.parent):
                if not directory.is_dir():
                    _mkdir(directory)
            _mkdir(self.tpg)
            # tcm_loop needs its I_T nexus before a LUN can be mapped.
            _write(self.tpg / "nexus", nexus_wwn(self.owner, self.lab or 0))
        lun_dir = self.tpg / "lun" / f"lun_{lun}"
        _mkdir(lun_dir)
        try:
            os.symlink(backstore, lun_dir / backstore.name)
        except OSError as error:
            raise LabError(error.errno, f"configfs: cannot map {backstore} as LUN {lun}: {error.strerror}") from None

    @property
    def iscsi_tpg(self) -> Path:
        if self.lab is None:
            raise LabError("Configfs(lab=None) removes every lab of a process; it creates nothing")
        return self.root / "iscsi" / iscsi_target_name(self.owner, self.lab) / _TPG

    def export_iscsi(self, lun: int, backstore: Path, portal: str) -> str:
        """Make ``backstore`` LUN ``lun`` of this lab's iSCSI target on ``portal``; returns
        the target's name.  The first call creates the target, its portal and opens it to
        any initiator (generated node ACLs, no CHAP, writable)."""
        tpg = self.iscsi_tpg
        if not tpg.is_dir():
            for directory in (tpg.parent.parent, tpg.parent, tpg):
                if not directory.is_dir():
                    _mkdir(directory)
            _mkdir(tpg / "np" / check_portal(portal))
            for name, value in (("authentication", "0"), ("generate_node_acls", "1"),
                                ("demo_mode_write_protect", "0"), ("cache_dynamic_acls", "1")):
                _write(tpg / "attrib" / name, value)
        lun_dir = tpg / "lun" / f"lun_{lun}"
        _mkdir(lun_dir)
        try:
            os.symlink(backstore, lun_dir / backstore.name)
        except OSError as error:
            raise LabError(error.errno, f"configfs: cannot map {backstore} as iSCSI LUN {lun}: "
                                        f"{error.strerror}") from None
        return tpg.parent.name

    def enable_iscsi(self) -> None:
        """Open the iSCSI target to logins (after its LUNs are mapped)."""
        _write(self.iscsi_tpg / "enable", "1")

    def scsi_address(self) -> Tuple[int, int]:
        """(SCSI host number, target id) of this owner's tcm_loop target; LUN n is H:0:T:n.

        tcm_loop shows them in the portal group's ``address`` attribute, ``host:0:tpgt``.
        """
        text = (self.tpg / "address").read_text().strip()
        host, _, target = text.split(":")
        return int(host), int(target)

    # --- removal ------------------------------------------------------------------------

    def remove_exports(self) -> List[str]:
        """Remove this lab's tcm_loop target (every lab's, with ``lab=None``), LUNs first.
        Returns what failed (empty: all gone).  The SCSI devices go away here; sd may send
        SYNCHRONIZE CACHE first, so the handler must still be serving."""
        problems: List[str] = []
        for wwn in self._targets():
            if wwn.is_dir():
                _remove_target(wwn, problems)
        for iqn in self._iscsi_targets():
            if iqn.is_dir():
                _remove_iscsi_target(iqn, problems)
        return problems

    def _iscsi_targets(self) -> List[Path]:
        iscsi = self.root / "iscsi"
        if self.lab is not None:
            return [self.iscsi_tpg.parent]
        try:
            names = os.listdir(iscsi)
        except OSError:
            return []
        return [iscsi / n for n in sorted(names) if (m := _IQN.match(n)) and int(m.group(1)) == self.owner]

    def remove_backstores(self) -> List[str]:
        """Remove this lab's TCMU backstores, and the HBA once no lab of the process has one.
        Returns what failed.  Close the uio devices first: a backstore whose uio device is
        open is still removed, but the handler's mapping then points at nothing."""
        problems: List[str] = []
        if not self.hba.is_dir():
            return problems
        for device in sorted(p for p in self.hba.iterdir() if p.is_dir() and self._mine(p.name)):
            _attempt(problems, os.rmdir, device)
        if not any(p.is_dir() for p in self.hba.iterdir()):
            _attempt(problems, os.rmdir, self.hba)
        return problems


def _remove_target(wwn: Path, problems: List[str]) -> None:
    for tpg in sorted(wwn.glob("tpgt_*")):
        for lun_dir in sorted((tpg / "lun").glob("lun_*")):
            for link in lun_dir.iterdir():
                if link.is_symlink():
                    _attempt(problems, os.unlink, link)
            _attempt(problems, os.rmdir, lun_dir)
        nexus = tpg / "nexus"
        try:
            has_nexus = nexus.read_text().strip() not in ("", "NULL")
        except OSError:
            has_nexus = False
        if has_nexus:
            _attempt(problems, _write, nexus, "NULL")
        _attempt(problems, os.rmdir, tpg)
    _attempt(problems, os.rmdir, wwn)


def _remove_iscsi_target(iqn: Path, problems: List[str]) -> None:
    # Disable first: logins stop and LIO ends the sessions before the LUNs go.
    for tpg in sorted(iqn.glob("tpgt_*")):
        try:
            enabled = (tpg / "enable").read_text().strip() == "1"
        except OSError:
            enabled = False
        if enabled:
            _attempt(problems, _write, tpg / "enable", "0")
        for lun_dir in sorted((tpg / "lun").glob("lun_*")):
            for link in lun_dir.iterdir():
                if link.is_symlink():
                    _attempt(problems, os.unlink, link)
            _attempt(problems, os.rmdir, lun_dir)
        for portal in sorted((tpg / "np").glob("*")):
            if portal.is_dir():
                _attempt(problems, os.rmdir, portal)
        _attempt(problems, os.rmdir, tpg)
    _attempt(problems, os.rmdir, iqn)


def _attempt(problems: List[str], action, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        action(*args)
    except OSError as error:
        problems.append(f"{action.__name__} {args[0]}: {error.strerror or error}")
