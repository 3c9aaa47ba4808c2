"""The device lab: sgframe's emulated devices served to the real kernel through TCMU.

``target_core_user`` puts a user-space handler behind a LIO backstore; exported as a LUN
of the loopback fabric (tcm_loop) the emulated device becomes a real /dev/sgN and
/dev/sdX that sg3_utils, fio, mkfs and the kernel's ``sd`` and ``ses`` drivers use.

* :mod:`sgframe.lab.ring`: the command ring, sans-IO;
* :mod:`sgframe.lab.serve`: one device answering its ring, with faults of timing;
* :mod:`sgframe.lab.configfs`, :mod:`sgframe.lab.uio`: the kernel's two interfaces;
* :mod:`sgframe.lab.server`: :class:`Lab`, which ties them together and cleans up.
"""
from __future__ import annotations

from sgframe.lab.configfs import LabError
from sgframe.lab.ring import Command, Mailbox, Ring, RingError
from sgframe.lab.serve import ServedDevice, TimingFault
from sgframe.lab.server import Lab, LabLun, remove_leftovers

__all__ = [
    "Command",
    "Lab",
    "LabError",
    "LabLun",
    "Mailbox",
    "Ring",
    "RingError",
    "ServedDevice",
    "TimingFault",
    "remove_leftovers",
]
