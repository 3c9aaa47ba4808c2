"""The records that go into and come out of the emulated disk."""
from __future__ import annotations

from typing import Optional

from sgframe._records import record
from sgframe.emu import sense as _sense


@record
class Reply:
    """What the device answered: status, data-in bytes, sense bytes.

    ``data`` is never longer than the allocation length the caller gave; ``sense``
    is empty unless ``status`` is CHECK CONDITION.
    """

    status: int
    data: bytes = b""
    sense: bytes = b""

    @property
    def good(self) -> bool:
        return self.status in (_sense.GOOD, _sense.CONDITION_MET)


@record
class Request:
    """One command as a handler sees it.

    :param cdb: the CDB bytes.
    :param data_out: the data-out buffer (empty for commands without one).
    :param allocation_length: the size of the caller's data-in buffer.
    :param nexus: which I_T nexus (initiator) sent it; 0 unless a test models several.
    """

    cdb: bytes
    data_out: bytes = b""
    allocation_length: int = 0
    nexus: int = 0

    def u(self, start: int, length: int) -> int:
        """A big-endian unsigned field of the CDB (missing bytes read as zero)."""
        return int.from_bytes(self.cdb[start : start + length], "big")

    def parameters(self, length: int) -> bytes:
        """The first ``length`` bytes of the data-out buffer.

        A shorter buffer means the initiator sent less than the CDB announced.
        """
        if len(self.data_out) < length:
            raise _sense.data_phase_error()
        return self.data_out[:length]


def check_condition(failure: _sense.Failure, descriptor: bool, data: Optional[bytes] = None) -> Reply:
    return Reply(
        _sense.CHECK_CONDITION,
        failure.data if data is None else data,
        failure.sense(descriptor),
    )
