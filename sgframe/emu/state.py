"""What the command handlers see of an emulated disk.

:class:`~sgframe.emu.disk.EmulatedDisk` composes the handlers (it imports them to fill
its command table); the handlers in turn work on the disk. Declaring the disk's face
here, below both, keeps that a one-way street: a handler module names this protocol,
never the disk module that imports it.
"""
from __future__ import annotations

from typing import Any, List, Optional, Protocol, Tuple

__all__ = ["DiskState"]


class DiskState(Protocol):
    """The state and helpers of an emulated direct-access device that handlers use."""

    blocks: int
    block_size: int
    lbppbe: int
    vendor: str
    product: str
    revision: str
    serial: str
    lbpu: bool
    zoned: bool
    started: bool
    prevent_removal: bool
    removable: bool
    medium_present: bool
    max_transfer_length: int
    buffer: bytearray
    echo_buffer: Optional[bytes]
    medium: Any
    table: Any
    modes: Any
    logs: Any
    reservations: Any
    zones: Any
    streams: Any
    grown_defects: Any
    copies: Any
    elements: Any
    comids: Any
    alua: Any
    write_protect: bool
    protection: Any
    bad_ranges: Any

    @property
    def last_lba(self) -> int: ...

    def check_range(self, lba: int, count: int) -> None: ...

    def first_bad_block(self, lba: int, count: int) -> Optional[int]: ...

    def heal(self, lba: int, count: int) -> None: ...

    def inject_medium_error(self, lba_start: int, count: int = 1) -> None: ...

    def clear_medium_errors(self) -> None: ...

    def unit_attention(self, asc: int, ascq: int, *, nexuses: Optional[List[int]] = None,
                       exclude: Optional[int] = None) -> None: ...

    def pop_unit_attention(self, nexus: int) -> Optional[Tuple[int, int]]: ...
