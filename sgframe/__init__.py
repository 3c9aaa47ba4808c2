"""sgframe: SCSI commands through the Linux sg driver."""
from __future__ import annotations

__all__: list[str] = []
