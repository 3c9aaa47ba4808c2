"""``scan iscsi://host[:port]``: the portal's targets (SendTargets) and each target's LUNs.

Discovery is a Discovery session (RFC 7143 appendix C); then one Normal session per
target sends REPORT LUNS to LUN 0, and INQUIRY to each LUN listed, like ``iscsi-ls -s``.
The URI's options (initiator name, CHAP, digests) apply to every login.
"""
from __future__ import annotations

from typing import Any, Dict, List

import attrs

from ..command.spc import Inquiry, ReportLuns
from ..decode.inquiry import decode_inquiry
from ..decode.luns import decode_report_luns
from ..errors import UnitAttention
from ..iscsi.blocking import BlockingSession
from ..iscsi.events import CommandCompleted, error_for
from ..iscsi.uri import parse_url
from ..linux.sysfs import PERIPHERAL_TYPES

__all__ = ["scan_portal"]

# A new I_T nexus sees a unit attention (POWER ON OCCURRED, then perhaps REPORTED LUNS
# DATA HAS CHANGED) before its first command succeeds; a few tries get past them.
_TRIES = 4


def _execute(session: BlockingSession, cdb: bytes, length: int, lun: int, what: str) -> CommandCompleted:
    for _ in range(_TRIES):
        done = session.execute(cdb, data_in_length=length, lun=lun)
        error = error_for(done, command=what, device="%s LUN %d" % (session.url, lun))
        if error is None:
            return done
        if not isinstance(error, UnitAttention):
            raise error
    raise error


def scan_portal(uri: str, *, timeout: float = 10.0) -> List[Dict[str, Any]]:
    """[{"target", "addresses", "luns": [{"lun", "scsi_type", "type_name", "vendor",
    "model", "rev"}, ...]}, ...] for every target the portal reports."""
    portal = parse_url(uri, require_lun=False)
    if portal.target is not None:
        portal = attrs.evolve(portal, target=None, lun=None)
    with BlockingSession(portal, timeout=timeout) as discovery:
        targets = discovery.send_targets("All")
    out = []
    for name, addresses in targets:
        luns = []
        with BlockingSession(attrs.evolve(portal, target=name, lun=0), timeout=timeout) as session:
            report = decode_report_luns(_execute(session, bytes(ReportLuns(allocation_length=8192)), 8192, 0,
                                                 "REPORT LUNS").data)
            for entry in report.luns:
                number = entry.lun
                if len(entry.levels) != 1 or entry.levels[0].address_method not in (0, 1) or number is None:
                    continue  # a well-known or multi-level LUN: not addressable by number
                inquiry = decode_inquiry(_execute(session, bytes(Inquiry(allocation_length=96)), 96, number,
                                                  "INQUIRY").data)
                pdt = inquiry.peripheral_device_type
                luns.append({
                    "lun": number, "scsi_type": pdt,
                    "type_name": PERIPHERAL_TYPES.get(pdt, "type 0x%02x" % pdt) if pdt is not None else None,
                    "vendor": inquiry.vendor_identification, "model": inquiry.product_identification,
                    "rev": inquiry.product_revision_level,
                })
        out.append({"target": name, "addresses": list(addresses), "luns": luns})
    return out
