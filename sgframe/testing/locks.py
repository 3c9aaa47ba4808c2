"""One driver per device: an exclusive lock file per device, shared by pytest-xdist workers.

xdist hands tests to workers in any order, so two workers may reach tests of the same
device at once; a SCSI device under test must see one initiator's commands at a time
(a test's reservation, mode page or medium contents belong to that test). Each test
holds its device's lock (``flock``, released by the kernel if the worker dies) while
its channels are open. ``--dist loadgroup`` (the conformance front passes it) also
sends all of a device's tests to one worker, so the locks are rarely contended; they
are what guarantees it under any scheduling.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import Optional

__all__ = ["DeviceLock", "device_key"]


def device_key(uri: str) -> str:
    """What names the same device whichever node or alias reached it.

    A Linux node resolves to its H:C:T:L (``/dev/sda`` and ``/dev/sg0`` are one device);
    an emulated device shared by name is that name; anything else is its URI.
    """
    if uri.startswith("emu:"):
        query = uri.partition("?")[2]
        for item in query.split("&"):
            name, _, value = item.partition("=")
            if name == "share" and value:
                return "emu-share-" + value
        return uri
    try:
        from ..linux.sysfs import resolve

        nodes = resolve(uri.partition(":")[2] if uri.startswith(("sg:", "bsg:")) else uri)
        hctl = getattr(nodes, "hctl", None)
        if hctl:
            return "hctl-" + str(hctl)
    except Exception:  # noqa: BLE001 - not a local node (a remote URI): the URI names it
        pass
    return uri


class DeviceLock:
    """An exclusive lock on one device, as a file under ``directory``."""

    def __init__(self, directory: Path, uri: str) -> None:
        key = device_key(uri)
        digest = hashlib.sha1(key.encode()).hexdigest()[:16]
        self.path = Path(directory) / f"sgframe-device-{digest}.lock"
        self.key = key
        self._fd: Optional[int] = None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits for the worker that has the device
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> DeviceLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
