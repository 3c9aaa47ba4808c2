"""ZBC-2 commands for host-managed and host-aware zoned disks: REPORT ZONES and, for zone
domains and realms, REPORT REALMS, REPORT ZONE DOMAINS, ZONE ACTIVATE and ZONE QUERY (ZBC
IN, 95h); the ZBC OUT (94h) zone operations, SEQUENTIALIZE ZONE among them; REMOVE ELEMENT
AND MODIFY ZONES (a SERVICE ACTION IN(16) command ZBC-2 defines)."""
from __future__ import annotations

from typing import Any

from ..cdb import Command, Direction, define, field, flag

__all__ = [
    "CloseZone", "FinishZone", "OpenZone", "ReportRealms", "ReportZoneDomains", "ReportZones",
    "RemoveElementAndModifyZones", "ResetWritePointer", "SequentializeZone", "ZoneActivate", "ZoneQuery",
]


@define
class ReportZones(Command):
    """REPORT ZONES (ZBC-2): ZBC IN, service action 00h.

    ====  ==================================================
    byte  fields
    ====  ==================================================
    0     OPERATION CODE (95h)
    1     reserved (7-5), SERVICE ACTION (4-0) = 00h
    2-9   ZONE START LBA
    10-13 ALLOCATION LENGTH
    14    PARTIAL (7), reserved (6), REPORTING OPTIONS (5-0)
    15    CONTROL
    ====  ==================================================
    """

    OPCODE = 0x95
    SERVICE_ACTION = 0x00
    NAME = "REPORT ZONES"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    zone_start_lba: int = field(byte=2, width=64)
    allocation_length: int = field(byte=10, width=32, default=4096)
    partial: bool = flag(byte=14, bit=7)
    reporting_options: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The zone descriptors."""
        from ..decode import decode_report_zones

        return decode_report_zones(data)


_ZBC_OUT_TABLE = """

    ====  ==================================================
    byte  fields
    ====  ==================================================
    0     OPERATION CODE (94h)
    1     reserved (7-5), SERVICE ACTION (4-0) = {sa:02X}h
    2-9   ZONE ID
    10-11 reserved
    12-13 ZONE COUNT (ZBC-2)
    14    reserved (7-1), ALL (0)
    15    CONTROL
    ====  ==================================================
    """


class _ZbcOut(Command):
    """The ZBC OUT layout shared by the four zone operations (ZBC-2, 5.5)."""

    __slots__ = ()
    OPCODE = 0x94
    CDB_LENGTH = 16


@define
class CloseZone(_ZbcOut):
    __doc__ = "CLOSE ZONE (ZBC-2): ZBC OUT, service action 01h." + _ZBC_OUT_TABLE.format(sa=1)
    SERVICE_ACTION = 0x01
    NAME = "CLOSE ZONE"
    zone_id: int = field(byte=2, width=64)
    zone_count: int = field(byte=12, width=16)
    all: bool = flag(byte=14, bit=0)
    control: int = field(byte=15)


@define
class FinishZone(_ZbcOut):
    __doc__ = (
        "FINISH ZONE (ZBC-2): ZBC OUT, service action 02h. Counted as modifying the "
        "medium: it moves the write pointer to the end of the zone, so the zone can take no "
        "more writes until it is reset." + _ZBC_OUT_TABLE.format(sa=2)
    )
    SERVICE_ACTION = 0x02
    NAME = "FINISH ZONE"
    MODIFIES_MEDIUM = True
    zone_id: int = field(byte=2, width=64)
    zone_count: int = field(byte=12, width=16)
    all: bool = flag(byte=14, bit=0)
    control: int = field(byte=15)


@define
class OpenZone(_ZbcOut):
    __doc__ = "OPEN ZONE (ZBC-2): ZBC OUT, service action 03h." + _ZBC_OUT_TABLE.format(sa=3)
    SERVICE_ACTION = 0x03
    NAME = "OPEN ZONE"
    zone_id: int = field(byte=2, width=64)
    zone_count: int = field(byte=12, width=16)
    all: bool = flag(byte=14, bit=0)
    control: int = field(byte=15)


@define
class ResetWritePointer(_ZbcOut):
    __doc__ = (
        "RESET WRITE POINTER (ZBC-2): ZBC OUT, service action 04h. Modifies the medium: "
        "the zone's data is no longer readable." + _ZBC_OUT_TABLE.format(sa=4)
    )
    SERVICE_ACTION = 0x04
    NAME = "RESET WRITE POINTER"
    MODIFIES_MEDIUM = True
    zone_id: int = field(byte=2, width=64)
    zone_count: int = field(byte=12, width=16)
    all: bool = flag(byte=14, bit=0)
    control: int = field(byte=15)


@define
class ReportRealms(Command):
    """REPORT REALMS (ZBC-2): ZBC IN, service action 06h.

    ====  ==================================================
    byte  fields
    ====  ==================================================
    0     OPERATION CODE (95h)
    1     reserved (7-5), SERVICE ACTION (4-0) = 06h
    2-9   REALM LOCATOR
    10-13 ALLOCATION LENGTH
    14    reserved (7-6), REPORTING OPTIONS (5-0)
    15    CONTROL
    ====  ==================================================
    """

    OPCODE = 0x95
    SERVICE_ACTION = 0x06
    NAME = "REPORT REALMS"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    realm_locator: int = field(byte=2, width=64)
    allocation_length: int = field(byte=10, width=32, default=4096)
    reporting_options: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The realm descriptors."""
        from ..decode.zone_domains import decode_report_realms

        return decode_report_realms(data)


@define
class ReportZoneDomains(Command):
    """REPORT ZONE DOMAINS (ZBC-2): ZBC IN, service action 07h.

    ====  ==================================================
    byte  fields
    ====  ==================================================
    0     OPERATION CODE (95h)
    1     reserved (7-5), SERVICE ACTION (4-0) = 07h
    2-9   ZONE DOMAIN LOCATOR
    10-13 ALLOCATION LENGTH
    14    reserved (7-6), REPORTING OPTIONS (5-0)
    15    CONTROL
    ====  ==================================================
    """

    OPCODE = 0x95
    SERVICE_ACTION = 0x07
    NAME = "REPORT ZONE DOMAINS"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    zone_domain_locator: int = field(byte=2, width=64)
    allocation_length: int = field(byte=10, width=32, default=4096)
    reporting_options: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The zone domain descriptors."""
        from ..decode.zone_domains import decode_report_zone_domains

        return decode_report_zone_domains(data)


_ZONE_ACTIVATION_TABLE = """

    ====  ==================================================
    byte  fields
    ====  ==================================================
    0     OPERATION CODE (95h)
    1     ALL (7), reserved (6-5), SERVICE ACTION (4-0) = {sa:02X}h
    2-9   ZONE ID
    10-11 NUMBER OF ZONES
    12-13 ALLOCATION LENGTH
    14    OTHER ZONE DOMAIN ID
    15    CONTROL
    ====  ==================================================
    """


class _ZoneActivation(Command):
    """ZONE ACTIVATE(16) and ZONE QUERY(16) share a layout and their parameter data."""

    __slots__ = ()
    OPCODE = 0x95
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"

    def decode_response(self, data: bytes) -> Any:
        """The zone activation results."""
        from ..decode.zone_domains import decode_zone_activation_results

        return decode_zone_activation_results(data)


@define
class ZoneActivate(_ZoneActivation):
    __doc__ = (
        "ZONE ACTIVATE(16) (ZBC-2): ZBC IN, service action 08h. Counted as modifying the "
        "medium: the zones it deactivates in the other domain lose their data."
        + _ZONE_ACTIVATION_TABLE.format(sa=8)
    )
    SERVICE_ACTION = 0x08
    NAME = "ZONE ACTIVATE(16)"
    MODIFIES_MEDIUM = True
    all: bool = flag(byte=1, bit=7)
    zone_id: int = field(byte=2, width=64)
    number_of_zones: int = field(byte=10, width=16)
    allocation_length: int = field(byte=12, width=16, default=4096)
    other_zone_domain_id: int = field(byte=14)
    control: int = field(byte=15)


@define
class ZoneQuery(_ZoneActivation):
    __doc__ = ("ZONE QUERY(16) (ZBC-2): ZBC IN, service action 09h: what ZONE ACTIVATE would do."
               + _ZONE_ACTIVATION_TABLE.format(sa=9))
    SERVICE_ACTION = 0x09
    NAME = "ZONE QUERY(16)"
    all: bool = flag(byte=1, bit=7)
    zone_id: int = field(byte=2, width=64)
    number_of_zones: int = field(byte=10, width=16)
    allocation_length: int = field(byte=12, width=16, default=4096)
    other_zone_domain_id: int = field(byte=14)
    control: int = field(byte=15)


@define
class SequentializeZone(_ZbcOut):
    __doc__ = (
        "SEQUENTIALIZE ZONE (ZBC-2): ZBC OUT, service action 10h. Makes a sequential write "
        "preferred zone's write pointer valid again (after writes out of order), keeping its "
        "data." + _ZBC_OUT_TABLE.format(sa=0x10)
    )
    SERVICE_ACTION = 0x10
    NAME = "SEQUENTIALIZE ZONE"
    zone_id: int = field(byte=2, width=64)
    zone_count: int = field(byte=12, width=16)
    all: bool = flag(byte=14, bit=0)
    control: int = field(byte=15)


@define
class RemoveElementAndModifyZones(Command):
    """REMOVE ELEMENT AND MODIFY ZONES (ZBC-2): SERVICE ACTION IN(16), service action 1Ah.
    Depopulates a physical element of a zoned disk; the zones it held become offline, so
    their data is gone: it counts as modifying the medium.

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (9Eh)
    1     reserved (7-5), SERVICE ACTION (4-0) = 1Ah
    2-9   reserved
    10-13 ELEMENT IDENTIFIER
    14    reserved
    15    CONTROL
    ====  ==============================================
    """

    OPCODE = 0x9E
    SERVICE_ACTION = 0x1A
    NAME = "REMOVE ELEMENT AND MODIFY ZONES"
    CDB_LENGTH = 16
    MODIFIES_MEDIUM = True
    element_identifier: int = field(byte=10, width=32)
    control: int = field(byte=15)


COMMANDS = (
    ReportZones, ResetWritePointer, OpenZone, CloseZone, FinishZone, ReportRealms, ReportZoneDomains,
    ZoneActivate, ZoneQuery, SequentializeZone, RemoveElementAndModifyZones,
)
