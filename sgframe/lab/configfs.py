"""LIO's configfs tree for the lab: TCMU backstores, a tcm_loop target, their removal.

What one ``sgframe lab serve`` process creates carries its process id in every name, so
that whatever a killed server left behind can be found and removed by the next one
(:func:`owners`, then :meth:`Configfs.remove_exports` and :meth:`Configfs.remove_backstores`):

* ``core/user_<pid>/<name>``: one TCMU backstore per served device (an HBA of the ``user``
  plugin holds them; its number is free-form);
* ``loopback/naa.5001405f<pid as 8 hex digits>/tpgt_1``: a tcm_loop target, its I_T nexus
  ``naa.5001405e<pid>`` and one ``lun/lun_<n>`` per device, a symlink to the backstore.

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
]

ROOT = Path("/sys/kernel/config/target")
_TARGET_PREFIX = "naa.5001405f"
_NEXUS_PREFIX = "naa.5001405e"
_TPG = "tpgt_1"
_HBA = re.compile(r"^user_([0-9]+)$")
_WWN = re.compile(r"^" + re.escape(_TARGET_PREFIX) + r"([0-9a-f]{8})$")
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


def target_wwn(owner: int) -> str:
    """The tcm_loop target WWN of the process ``owner`` (an NAA IEEE Registered name)."""
    return f"{_TARGET_PREFIX}{owner:08x}"


def nexus_wwn(owner: int) -> str:
    """The initiator port of that target's I_T nexus."""
    return f"{_NEXUS_PREFIX}{owner:08x}"


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
    for directory, pattern, base in ((root / "core", _HBA, 10), (root / "loopback", _WWN, 16)):
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
    """The lab's objects of one owner (a process id) under LIO's configfs ``root``."""

    def __init__(self, owner: Optional[int] = None, root: Union[str, Path] = ROOT) -> None:
        self.owner = os.getpid() if owner is None else owner
        self.root = Path(root)

    @property
    def hba(self) -> Path:
        return self.root / "core" / hba_name(self.owner)

    @property
    def tpg(self) -> Path:
        return self.root / "loopback" / target_wwn(self.owner) / _TPG

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
            _write(self.tpg / "nexus", nexus_wwn(self.owner))
        lun_dir = self.tpg / "lun" / f"lun_{lun}"
        _mkdir(lun_dir)
        try:
            os.symlink(backstore, lun_dir / backstore.name)
        except OSError as error:
            raise LabError(error.errno, f"configfs: cannot map {backstore} as LUN {lun}: {error.strerror}") from None

    def scsi_address(self) -> Tuple[int, int]:
        """(SCSI host number, target id) of this owner's tcm_loop target; LUN n is H:0:T:n.

        tcm_loop shows them in the portal group's ``address`` attribute, ``host:0:tpgt``.
        """
        text = (self.tpg / "address").read_text().strip()
        host, _, target = text.split(":")
        return int(host), int(target)

    # --- removal ------------------------------------------------------------------------

    def remove_exports(self) -> List[str]:
        """Remove this owner's tcm_loop target, LUNs first.  Returns what failed (empty:
        all gone).  The SCSI devices go away here; sd may send SYNCHRONIZE CACHE first,
        so the handler must still be serving."""
        problems: List[str] = []
        wwn = self.tpg.parent
        if not wwn.is_dir():
            return problems
        if self.tpg.is_dir():
            for lun_dir in sorted((self.tpg / "lun").glob("lun_*")):
                for link in lun_dir.iterdir():
                    if link.is_symlink():
                        _attempt(problems, os.unlink, link)
                _attempt(problems, os.rmdir, lun_dir)
            nexus = self.tpg / "nexus"
            try:
                has_nexus = nexus.read_text().strip() not in ("", "NULL")
            except OSError:
                has_nexus = False
            if has_nexus:
                _attempt(problems, _write, nexus, "NULL")
            _attempt(problems, os.rmdir, self.tpg)
        _attempt(problems, os.rmdir, wwn)
        return problems

    def remove_backstores(self) -> List[str]:
        """Remove this owner's TCMU backstores and their HBA.  Returns what failed.  Close
        the uio devices first: a backstore whose uio device is open is still removed, but
        the handler's mapping then points at nothing."""
        problems: List[str] = []
        if not self.hba.is_dir():
            return problems
        for device in sorted(p for p in self.hba.iterdir() if p.is_dir()):
            _attempt(problems, os.rmdir, device)
        _attempt(problems, os.rmdir, self.hba)
        return problems


def _attempt(problems: List[str], action, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        action(*args)
    except OSError as error:
        problems.append(f"{action.__name__} {args[0]}: {error.strerror or error}")
