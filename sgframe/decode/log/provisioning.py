"""Logical block provisioning log page, 0Ch (SBC-4 6.4.5): resource counts and their scope."""
from __future__ import annotations

from typing import Optional, Tuple

from .._util import Record, name_of, record
from ._core import LogPage, read_page

__all__ = ["SCOPE_NAMES", "ProvisioningResource", "LogicalBlockProvisioningLogPage",
           "decode_logical_block_provisioning_page"]

#: SBC-4 table 196 (SCOPE field).
SCOPE_NAMES = {0: "not reported", 1: "dedicated to the logical unit", 2: "not dedicated to the logical unit"}

_NAMES = {
    0x0001: "available LBA mapping resource count",
    0x0002: "used LBA mapping resource count",
    0x0003: "available provisioning resource percentage",
    0x0100: "de-duplicated LBA resource count",
    0x0101: "compressed LBA resource count",
    0x0102: "total efficiency LBA resource count",
}


@record
class ProvisioningResource(Record):
    """One resource count parameter (or 0003h, a percentage), with its SCOPE."""

    parameter_code: int
    name: str
    resource_count: int
    scope: Optional[int] = None
    scope_name: Optional[str] = None


@record
class LogicalBlockProvisioningLogPage(LogPage):
    """Logical block provisioning, 0Ch (SBC-4 6.4.5).  Resource counts are in units the
    Logical Block Provisioning VPD page gives (THRESHOLD EXPONENT)."""

    resources: Tuple[ProvisioningResource, ...] = ()


def decode_logical_block_provisioning_page(data: bytes) -> LogicalBlockProvisioningLogPage:
    r, f = read_page(data, "Logical block provisioning log page", _NAMES)
    out = []
    for p in f["parameters"]:
        name = _NAMES.get(p.parameter_code)
        if name is None:
            continue
        v = p.value
        if len(v) < 4:
            r.problem(f"parameter {p.parameter_code:04x}h has {len(v)} of 4 bytes")
            continue
        # 0003h is a two-byte percentage; the others a four-byte count.
        count = int.from_bytes(v[0:2] if p.parameter_code == 3 else v[0:4], "big")
        scope = v[4] & 0x3 if len(v) > 4 else None
        out.append(ProvisioningResource(parameter_code=p.parameter_code, name=name, resource_count=count,
                                        scope=scope, scope_name=name_of(SCOPE_NAMES, scope)))
    return LogicalBlockProvisioningLogPage(resources=tuple(out), problems=tuple(r.problems), **f)
