"""A sparse medium: only written blocks take memory, so ``blocks=2**32`` is cheap.

Every block is in one of two provisioning states (SBC-4 4.7): mapped (it holds
data) or deallocated (it reads as zeros, because the disk reports LBPRZ=1).  A
block absent from the dictionary takes the medium's *background* state: deallocated
on a fresh or block-erased medium, a fixed pattern after SANITIZE OVERWRITE.
"""
from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Tuple

MAPPED = 0
DEALLOCATED = 1


class SparseMedium:
    """Blocks of ``block_size`` bytes, addressed 0 .. ``blocks - 1``."""

    def __init__(self, blocks: int, block_size: int) -> None:
        self.blocks = blocks
        self.block_size = block_size
        self._zero = bytes(block_size)
        # lba -> block bytes, or None for a block explicitly deallocated while the
        # background is a pattern.
        self._data: Dict[int, Optional[bytes]] = {}
        self._background: Optional[bytes] = None

    def read(self, lba: int, count: int) -> bytes:
        get = self._data.get
        background = self._background
        zero = self._zero
        parts = []
        for block in range(lba, lba + count):
            value = get(block, background)
            parts.append(zero if value is None else value)
        return b"".join(parts)

    def write(self, lba: int, data: bytes) -> None:
        size = self.block_size
        for index in range(len(data) // size):
            self._data[lba + index] = bytes(data[index * size : (index + 1) * size])

    def write_same(self, lba: int, count: int, block: bytes) -> None:
        # One shared bytes object for every block keeps WRITE SAME cheap.
        block = bytes(block)
        for index in range(lba, lba + count):
            self._data[index] = block

    def deallocate(self, lba: int, count: int) -> None:
        if self._background is None:
            if count > len(self._data):
                for key in [k for k in self._data if lba <= k < lba + count]:
                    del self._data[key]
            else:
                for key in range(lba, lba + count):
                    self._data.pop(key, None)
        else:
            for key in range(lba, lba + count):
                self._data[key] = None

    def fill(self, pattern: Optional[bytes]) -> None:
        """Every block becomes ``pattern`` (mapped), or deallocated when None."""
        self._data.clear()
        self._background = None if pattern is None else bytes(pattern)

    def state(self, lba: int) -> int:
        return DEALLOCATED if self._data.get(lba, self._background) is None else MAPPED

    def runs(self, start: int, limit: int) -> Iterator[Tuple[int, int, int]]:
        """(lba, count, state) runs from ``start`` to the end, at most ``limit`` of them.

        Runs are coalesced and never longer than 2**32 - 1 blocks, the size of the
        NUMBER OF LOGICAL BLOCKS field of an LBA status descriptor.
        """
        background = DEALLOCATED if self._background is None else MAPPED
        pieces: List[Tuple[int, int, int]] = []
        position = start
        for key in sorted(k for k in self._data if k >= start):
            if key > position:
                pieces.append((position, key - position, background))
            pieces.append((key, 1, self.state(key)))
            position = key + 1
        if position < self.blocks:
            pieces.append((position, self.blocks - position, background))
        emitted = 0
        current: Optional[List[int]] = None
        for lba, count, state in pieces:
            if current is not None and current[2] == state and current[0] + current[1] == lba:
                current[1] += count
                continue
            if current is not None:
                for run in _split(current):
                    yield run
                    emitted += 1
                    if emitted >= limit:
                        return
            current = [lba, count, state]
        if current is not None:
            for run in _split(current):
                yield run
                emitted += 1
                if emitted >= limit:
                    return

    def truncate(self, blocks: int) -> None:
        """Shrink to ``blocks`` blocks: what lay past the new end is gone (REMOVE ELEMENT
        AND TRUNCATE)."""
        for key in [k for k in self._data if k >= blocks]:
            del self._data[key]
        self.blocks = blocks

    @property
    def written_blocks(self) -> int:
        """How many blocks the dictionary holds (a measure of memory use)."""
        return len(self._data)


def _split(run: List[int]) -> Iterator[Tuple[int, int, int]]:
    lba, count, state = run
    while count > 0:
        piece = min(count, 0xFFFFFFFF)
        yield (lba, piece, state)
        lba += piece
        count -= piece
