"""The sg driver's limits and the errnos of a vanished device: plain numbers, no ctypes.

Kept apart from :mod:`sgframe.linux.sg` (which builds the pass-through header with ctypes)
because the transport base and the exchange check every command against them, including
commands to an emulated device or over iSCSI, which never load ctypes.
"""
from __future__ import annotations

import errno

__all__ = ["SG_MAX_QUEUE", "SG_MAX_TRANSFER", "SG_MAX_CDB_SIZE", "DEVICE_GONE_ERRNOS"]

#: Commands one sg file descriptor holds at once (sg.c, SG_MAX_QUEUE).
SG_MAX_QUEUE = 16
#: The largest data transfer sg accepts: it refuses 256 MiB or more (sg.c, sg_common_write).
SG_MAX_TRANSFER = (256 << 20) - 1
SG_MAX_CDB_SIZE = 252            # sg.c: cmd_len must be 6..252, else EMSGSIZE

#: errno values that mean the device is no longer there: sg.c answers ENODEV once the
#: device is detaching, and open() of a node whose device went away answers ENXIO.
DEVICE_GONE_ERRNOS = (errno.ENODEV, errno.ENXIO)
