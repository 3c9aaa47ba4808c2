"""What several conformance modules do: recognisable block contents, reads and writes."""
from __future__ import annotations

from typing import Any

__all__ = ["pattern", "read", "write", "scratch_lba", "INVALID_FIELD_IN_CDB", "LBA_OUT_OF_RANGE"]

#: ASC/ASCQ pairs the suite names often (SPC-5 Table F.2).
LBA_OUT_OF_RANGE = dict(asc=0x21, ascq=0x00)
INVALID_FIELD_IN_CDB = dict(asc=0x24, ascq=0x00)
INVALID_FIELD_IN_PARAMETER_LIST = dict(asc=0x26, ascq=0x00)
MISCOMPARE_DURING_VERIFY = dict(asc=0x1D, ascq=0x00)


def pattern(lba: int, count: int, block_size: int, tag: int = 0xA5) -> bytes:
    """``count`` blocks that say which LBA and test wrote them (never all zeros)."""
    out = bytearray()
    for n in range(count):
        stamp = b"sgframe %02x lba %016x " % (tag, lba + n)
        out += (stamp * (block_size // len(stamp) + 1))[:block_size]
    return bytes(out)


def write(channel: Any, lba: int, data: bytes) -> None:
    channel.cmd.Write16(lba=lba, transfer_length=len(data) // channel.block_size, data=data)


def read(channel: Any, lba: int, count: int) -> bytes:
    return channel.cmd.Read16(lba=lba, transfer_length=count).data


def scratch_lba(device: Any, count: int = 8) -> int:
    """Where a test may write ``count`` blocks: the middle of the medium, aligned to 8."""
    return max(0, (device.blocks // 2) & ~7) if device.blocks > 2 * count else 0


def drain_unit_attentions(channel: Any, limit: int = 8) -> list:
    """Take the pending UNIT ATTENTIONs of this I_T nexus (SAM-5 5.14: each is reported
    once, to the next command), so the next command answers for itself. Another
    initiator's PREEMPT or CLEAR queues them (SPC-5 5.14.11), as a reset does."""
    from sgframe import errors

    taken = []
    for _ in range(limit):
        try:
            channel.cmd.TestUnitReady()
            return taken
        except errors.UnitAttention as attention:
            taken.append((attention.asc, attention.ascq))
        except errors.CheckCondition:
            return taken
    return taken
