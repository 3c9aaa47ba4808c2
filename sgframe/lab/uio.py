"""The uio side of a TCMU backstore: find its /dev/uioN, map the shared region, wait, notify.

``target_core_user`` registers one uio device per enabled backstore; its
``/sys/class/uio/uioN/name`` is ``tcm-user/<hba number>/<device name>/<dev_config>``, and
``maps/map0/size`` the size of the region (mailbox, command ring and data area) to map.

uio's protocol is the one of interrupts: ``read()`` of 4 bytes blocks until the kernel
signalled work (the event count; epoll says readable then) and ``write()`` of 4 bytes calls
the driver's irqcontrol, which for TCMU means "look at cmd_tail: completions are there".
"""
from __future__ import annotations

import mmap
import os
from pathlib import Path
from typing import Optional, Union

from sgframe.lab.configfs import LabError

__all__ = ["SYS_UIO", "UioDevice", "find_uio"]

SYS_UIO = Path("/sys/class/uio")
_NOTIFY = b"\0\0\0\0"


def find_uio(name: str, sys_uio: Union[str, Path] = SYS_UIO) -> Optional[str]:
    """The ``uioN`` whose name is ``name`` (``tcm-user/<hba>/<device>/<config>``), or None."""
    sys_uio = Path(sys_uio)
    try:
        entries = sorted(os.listdir(sys_uio))
    except OSError:
        return None
    for entry in entries:
        try:
            if (sys_uio / entry / "name").read_text().strip() == name:
                return entry
        except OSError:
            continue
    return None


class UioDevice:
    """An open /dev/uioN and its mapped region.

    :param uio: ``uioN``.
    :raises LabError: it cannot be opened or mapped.
    """

    def __init__(self, uio: str, sys_uio: Union[str, Path] = SYS_UIO, dev: str = "/dev") -> None:
        self.name = uio
        size_text = (Path(sys_uio) / uio / "maps" / "map0" / "size").read_text().strip()
        self.size = int(size_text, 0)
        path = os.path.join(dev, uio)
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_CLOEXEC | os.O_NONBLOCK)
        except OSError as error:
            raise LabError(error.errno, f"cannot open {path}: {error.strerror}") from None
        try:
            # uio maps map N at offset N pages; TCMU has one map.
            self.mem = mmap.mmap(self.fd, self.size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0)
        except OSError as error:
            os.close(self.fd)
            raise LabError(error.errno, f"cannot map {self.size} bytes of {path}: {error.strerror}") from None

    def acknowledge(self) -> bool:
        """Consume the pending event count; False when there was none (a spurious wake-up)."""
        try:
            return len(os.read(self.fd, 4)) == 4
        except BlockingIOError:
            return False

    def notify(self) -> None:
        """Tell the kernel that completions wait at the ring's tail."""
        os.write(self.fd, _NOTIFY)

    def close(self) -> None:
        if self.fd < 0:
            return
        try:
            self.mem.close()
        except (BufferError, ValueError):
            pass  # a memoryview still refers to it: the fd's close unmaps nothing, the process exit will
        os.close(self.fd)
        self.fd = -1
