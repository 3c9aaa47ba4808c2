"""``--dist loadgroup`` by device: every test of one device goes to one xdist worker.

pytest-xdist's own loadgroup reads a group name that the workers append to each test id
(``test[...]@group``); pytest 9.2 computes test ids afresh, so the suffix is lost and the
groups with it. The plugin hands xdist this scheduler instead: it finds the device in
the test id (the plugin puts the device's URI there) and makes each device one unit of
work. The device locks (:mod:`sgframe.testing.locks`) still guarantee one driver per
device under any other ``--dist``.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from .locks import device_key

__all__ = ["device_in_test_id", "make_scheduler"]


def device_in_test_id(nodeid: str, devices: Iterable[str]) -> Optional[str]:
    """The device whose URI is a whole part of the test's parameter id, or None.

    Parameter ids are joined with ``-``; the longest URI that starts and ends at a part
    boundary wins (``emu:disk?share=a`` over ``emu:disk``).
    """
    start = nodeid.find("[")
    if start < 0 or not nodeid.endswith("]"):
        return None
    ids = nodeid[start + 1:-1]
    best = None
    for uri in devices:
        at = ids.find(uri)
        while at >= 0:
            end = at + len(uri)
            if (at == 0 or ids[at - 1] == "-") and (end == len(ids) or ids[end] == "-"):
                if best is None or len(uri) > len(best):
                    best = uri
                break
            at = ids.find(uri, at + 1)
    return best


def make_scheduler(config: Any, log: Any, devices: list) -> Any:
    from xdist.scheduler import LoadGroupScheduling

    class DeviceScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            uri = device_in_test_id(nodeid, devices)
            if uri is not None:
                return "device " + device_key(uri)
            return super()._split_scope(nodeid)

    return DeviceScheduling(config, log)
