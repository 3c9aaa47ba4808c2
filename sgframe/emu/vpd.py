"""INQUIRY data: the standard page (SPC-5 6.7.2) and the VPD pages a solid state disk
answers: 00h, 80h, 83h, 86h, 87h, 88h, 8Ah, 8Dh, 92h, B0h, B1h, B2h, B4h, B5h, and B6h on a
zoned disk (SPC-5 7.7, SBC-4 6.6, ZBC-2 6.5)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

# Not an assigned IEEE company ID: the emulated disk must never collide with a real one
# in a multipath map, and a value from a registry would pretend to be someone's device.
EMU_COMPANY_ID = 0x2A2A2A

# Version descriptors (SPC-5 table 147): SAM-5, SPC-5, SBC-4, ZBC; "no version claimed".
_VERSIONS = (0x00A0, 0x05C0, 0x0600)
_ZBC_VERSION = 0x0620

# Block limits reported in B0h and enforced by the SBC handlers.
MAX_COMPARE_AND_WRITE = 8
MAX_UNMAP_LBA_COUNT = 0x400000
MAX_UNMAP_DESCRIPTORS = 256
MAX_WRITE_SAME = 0x10000
OPTIMAL_GRANULARITY = 8


def peripheral(disk: "EmulatedDisk") -> int:
    # Peripheral qualifier 000b (connected); 14h is a host-managed zoned block device.
    return 0x14 if disk.zoned else 0x00


def standard_inquiry(disk: "EmulatedDisk") -> bytes:
    raw = bytearray(96)
    raw[0] = peripheral(disk)
    raw[1] = 0x80 if disk.removable else 0x00  # RMB
    raw[2] = 0x07  # VERSION: SPC-5
    raw[3] = 0x12  # HISUP, RESPONSE DATA FORMAT 2
    raw[4] = len(raw) - 5
    raw[5] = 0x10  # TPGS 01b: implicit ALUA, so REPORT TARGET PORT GROUPS applies
    raw[7] = 0x02  # CMDQUE
    raw[8:16] = disk.vendor.ljust(8).encode("ascii")
    raw[16:32] = disk.product.ljust(16).encode("ascii")
    raw[32:36] = disk.revision.ljust(4).encode("ascii")
    versions = _VERSIONS + ((_ZBC_VERSION,) if disk.zoned else ())
    for index, version in enumerate(versions):
        raw[58 + 2 * index : 60 + 2 * index] = version.to_bytes(2, "big")
    return bytes(raw)


def naa_identifier(disk: "EmulatedDisk") -> bytes:
    """The 16-byte NAA 6 (IEEE registered extended) name, derived from the serial."""
    import hashlib  # here, not at the top: its OpenSSL binding costs 4 ms to import

    digest = int.from_bytes(hashlib.sha256(disk.serial.encode("ascii")).digest()[:13], "big")
    value = (0x6 << 124) | (EMU_COMPANY_ID << 100) | (digest & ((1 << 100) - 1))
    return value.to_bytes(16, "big")


def _vpd(disk: "EmulatedDisk", code: int, body: bytes) -> bytes:
    return bytes((peripheral(disk), code)) + len(body).to_bytes(2, "big") + body


def _designator(code_set: int, association: int, kind: int, value: bytes) -> bytes:
    return bytes((code_set, (association << 4) | kind, 0, len(value))) + value


def _supported(disk: "EmulatedDisk") -> bytes:
    return bytes(sorted(pages(disk)))


def _serial(disk: "EmulatedDisk") -> bytes:
    return disk.serial.encode("ascii")


def _identification(disk: "EmulatedDisk") -> bytes:
    t10 = disk.vendor.ljust(8) + disk.product.ljust(16) + disk.serial
    return (
        _designator(0x1, 0, 0x3, naa_identifier(disk))  # NAA, logical unit
        + _designator(0x2, 0, 0x1, t10.encode("ascii"))  # T10 vendor ID, logical unit
        + _designator(0x1, 1, 0x4, (1).to_bytes(4, "big"))  # relative target port 1
        + _designator(0x1, 1, 0x5, (1).to_bytes(4, "big"))  # target port group 1
    )


def _extended(disk: "EmulatedDisk") -> bytes:
    body = bytearray(60)
    body[1] = 0x07  # HEADSUP, ORDSUP, SIMPSUP
    body[2] = 0x01  # V_SUP: a volatile write cache exists
    body[6:8] = (1).to_bytes(2, "big")  # extended self-test completion minutes
    return bytes(body)


def _block_limits(disk: "EmulatedDisk") -> bytes:
    body = bytearray(60)
    body[0] = 0x01  # WSNZ: WRITE SAME with zero blocks is rejected, never "to the end"
    body[1] = MAX_COMPARE_AND_WRITE
    body[2:4] = OPTIMAL_GRANULARITY.to_bytes(2, "big")
    body[4:8] = disk.max_transfer_length.to_bytes(4, "big")
    body[8:12] = min(128, disk.max_transfer_length).to_bytes(4, "big")
    body[12:16] = disk.max_transfer_length.to_bytes(4, "big")
    if disk.lbpu:
        body[16:20] = MAX_UNMAP_LBA_COUNT.to_bytes(4, "big")
        body[20:24] = MAX_UNMAP_DESCRIPTORS.to_bytes(4, "big")
        body[24:28] = OPTIMAL_GRANULARITY.to_bytes(4, "big")
    body[32:40] = MAX_WRITE_SAME.to_bytes(8, "big")
    return bytes(body)


def _characteristics(disk: "EmulatedDisk") -> bytes:
    body = bytearray(60)
    body[0:2] = (1).to_bytes(2, "big")  # MEDIUM ROTATION RATE 1: non-rotating
    return bytes(body)


def _provisioning(disk: "EmulatedDisk") -> bytes:
    if disk.lbpu:
        # LBPU, LBPWS, LBPWS10, LBPRZ 001b; PROVISIONING TYPE 010b: thin.
        return bytes((0, 0xE4, 0x02, 0))
    return bytes(4)


def port_identifier(disk: "EmulatedDisk") -> bytes:
    """The 16-byte NAA 6 name of the disk's one target port, derived like the LU's."""
    import hashlib

    digest = int.from_bytes(hashlib.sha256(disk.serial.encode("ascii") + b"/port1").digest()[:13], "big")
    value = (0x6 << 124) | (EMU_COMPANY_ID << 100) | (digest & ((1 << 100) - 1))
    return value.to_bytes(16, "big")


def _mode_page_policy(disk: "EmulatedDisk") -> bytes:
    # Page 3Fh subpage FFh: one policy for every mode page; shared (00b) because the
    # emulated disk keeps one set of mode pages for all I_T nexuses. MLUS 1: the pages
    # belong to the logical unit, not to the target.
    return bytes((0x3F, 0xFF, 0x80, 0x00))


def _scsi_ports(disk: "EmulatedDisk") -> bytes:
    # One port, relative port 1, no initiator port TransportID; its target port descriptor
    # is the port's NAA name (PIV 0: the emulator has no SCSI transport protocol).
    target = _designator(0x1, 1, 0x3, port_identifier(disk))
    return ((1).to_bytes(4, "big") + bytes(4)
            + bytes(2) + len(target).to_bytes(2, "big") + target)


def _power_condition(disk: "EmulatedDisk") -> bytes:
    # START STOP UNIT accepts the IDLE and STANDBY conditions (emu/spc.py), which are
    # idle_a and standby_z; leaving any condition takes no time on an emulated disk.
    return bytes((0x01, 0x01)) + bytes(12)


#: Power consumption identifier 0: the disk's one level, 6 watts (units 011b), the figure
#: a 2.5 inch SATA/SAS SSD states for active use.
POWER_CONSUMPTION_WATTS = 6


def _power_consumption(disk: "EmulatedDisk") -> bytes:
    return bytes((0x00, 0x03)) + POWER_CONSUMPTION_WATTS.to_bytes(2, "big")


def _feature_sets(disk: "EmulatedDisk") -> bytes:
    # SPC-5 Discovery 2016 and SBC-4 SBC Base 2016 (0101h); Basic provisioning 2016
    # (0103h) when thin provisioned; ZBC-2 Host Managed 2020 (0301h) when zoned.
    codes = [0x0001, 0x0101]
    if disk.lbpu:
        codes.append(0x0103)
    if disk.zoned:
        codes.append(0x0301)
    return bytes(4) + b"".join(c.to_bytes(2, "big") for c in codes)


def _block_lengths(disk: "EmulatedDisk") -> bytes:
    # Only the formatted length, and only without protection information (T0PS).
    return disk.block_size.to_bytes(4, "big") + bytes((0x00, 0x01, 0, 0))


#: Block device characteristics extension: designed for 550 TB a year of combined reads
#: and writes (type 01h, terabytes 04h, per year 0Eh), a common SSD endurance rating.
UTILIZATION_TB_PER_YEAR = 550


def _characteristics_extension(disk: "EmulatedDisk") -> bytes:
    return bytes((0, 0x01, 0x04, 0x0E)) + bytes(4) + UTILIZATION_TB_PER_YEAR.to_bytes(4, "big")


def _zoned(disk: "EmulatedDisk") -> bytes:
    body = bytearray(60)
    body[0] = 0x01  # URSWRZ: reads of unwritten sequential zones are allowed
    body[4:8] = b"\xff\xff\xff\xff"
    body[8:12] = b"\xff\xff\xff\xff"
    assert disk.zones is not None
    body[12:16] = disk.zones.max_open.to_bytes(4, "big")
    return bytes(body)


_PAGES: Dict[int, Callable[["EmulatedDisk"], bytes]] = {
    0x00: _supported,
    0x80: _serial,
    0x83: _identification,
    0x86: _extended,
    0x87: _mode_page_policy,
    0x88: _scsi_ports,
    0x8A: _power_condition,
    0x8D: _power_consumption,
    0x92: _feature_sets,
    0xB0: _block_limits,
    0xB1: _characteristics,
    0xB2: _provisioning,
    0xB4: _block_lengths,
    0xB5: _characteristics_extension,
}


def pages(disk: "EmulatedDisk") -> Dict[int, Callable[["EmulatedDisk"], bytes]]:
    if disk.zoned:
        with_zoned = dict(_PAGES)
        with_zoned[0xB6] = _zoned
        return with_zoned
    return _PAGES


def inquiry(disk: "EmulatedDisk", request: Request) -> bytes:
    cdb = request.cdb
    code = cdb[2]
    if not cdb[1] & 0x01:
        if code:
            raise _sense.invalid_field_in_cdb(2)  # PAGE CODE without EVPD
        return standard_inquiry(disk)
    builder = pages(disk).get(code)
    if builder is None:
        raise _sense.invalid_field_in_cdb(2)
    return _vpd(disk, code, builder(disk))
