"""INQUIRY data: the standard page (SPC-5 6.7.2) and the VPD pages a solid state SAS disk
answers: 00h, 80h, 83h, 84h, 85h, 86h, 87h, 88h, 8Ah, 8Bh, 8Ch, 8Dh, 8Fh, 90h, 91h, 92h,
B0h, B1h, B2h, B3h, B4h, B5h, B7h, B8h, B9h, and B6h on a zoned disk (SPC-5 7.7, SBC-4 6.6,
ZBC-2 6.5).  85h, 8Bh, 8Ch, B3h, B8h and B9h are built in emu/vpd_device.py, imported at
their first INQUIRY.

Every other page code answers ILLEGAL REQUEST, INVALID FIELD IN CDB, as a page not listed
in 00h must: 89h ATA information belongs to a SATL (the sgframe-sat plugin's emu:sata)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request
from sgframe.emu.sbc_extra import MAX_STREAMS

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

# Not an assigned IEEE company ID: the emulated disk must never collide with a real one
# in a multipath map, and a value from a registry would pretend to be someone's device.
EMU_COMPANY_ID = 0x2A2A2A

# Version descriptors (SPC-5 table 147): SAM-5, SPC-5, SBC-4, ZBC; "no version claimed".
_VERSIONS = (0x00A0, 0x05C0, 0x0600)
_ZBC_VERSION = 0x0620

# Block limits reported in B0h and enforced by the SBC handlers.
MAX_ATOMIC_TRANSFER_LENGTH = 256  # WRITE ATOMIC(16); no atomic boundaries
MAX_COMPARE_AND_WRITE = 8
MAX_UNMAP_LBA_COUNT = 0x400000
MAX_UNMAP_DESCRIPTORS = 256
MAX_WRITE_SAME = 0x10000
OPTIMAL_GRANULARITY = 8
#: Streams (B7h STREAM GRANULARITY SIZE) and the CFA profile (8Ch SEQUENTIAL WRITE DATA
#: SIZE) write in units of 1024 logical blocks.
STREAM_GRANULARITY = OPTIMAL_GRANULARITY * 128

# The copy manager's limits (emu/copy_manager.py enforces them), reported in 8Fh and by
# RECEIVE COPY OPERATING PARAMETERS: CSCD and segment descriptors (32 and 28 bytes each)
# and the descriptor type codes implemented, block to block (02h) and identification (E4h).
MAX_CSCD_DESCRIPTORS = 2
MAX_SEGMENT_DESCRIPTORS = 16
CSCD_DESCRIPTOR_LENGTH = 32
SEGMENT_DESCRIPTOR_LENGTH = 28
COPY_DESCRIPTORS_IMPLEMENTED = (0x02, 0xE4)
MAX_DESCRIPTOR_LIST_LENGTH = (MAX_CSCD_DESCRIPTORS * CSCD_DESCRIPTOR_LENGTH
                              + MAX_SEGMENT_DESCRIPTORS * SEGMENT_DESCRIPTOR_LENGTH)

#: The phys of the disk's one SAS target port (mode page 19h/01h, VPD 91h, log page 18h).
SAS_PHYS = 2
SAS_PROTOCOL = 0x6


def max_copy_segment_length(disk: "EmulatedDisk") -> int:
    """MAXIMUM SEGMENT LENGTH in bytes: what one READ of the largest transfer holds."""
    return min(min(disk.max_transfer_length, 0xFFFF) * disk.block_size, 0xFFFFFFFF)


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
    raw[5] = disk.alua.tpgs << 4  # TPGS: 01b implicit ALUA, 11b explicit too (SET TARGET PORT GROUPS)
    if disk.protection:
        raw[5] |= 0x01  # PROTECT: the logical unit supports protection information
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
    body[4] = 0x10  # R_SUP: REPORT REFERRALS is supported (SBC-4 4.25)
    if disk.protection:
        # SPT (bits 5-3): 000b type 1, 010b type 2, 100b type 3 (the one the medium has);
        # GRD_CHK, APP_CHK (32-byte CDBs), and REF_CHK except for type 3.
        body[0] = ((disk.protection - 1) * 2) << 3 | 0x06 | (0x01 if disk.protection != 3 else 0)
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
    body[40:44] = MAX_ATOMIC_TRANSFER_LENGTH.to_bytes(4, "big")
    body[44:48] = (1).to_bytes(4, "big")  # ATOMIC ALIGNMENT: any LBA
    body[48:52] = (1).to_bytes(4, "big")  # ATOMIC TRANSFER LENGTH GRANULARITY: any length
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


def _software_interface(disk: "EmulatedDisk") -> bytes:
    # One software interface identifier, an EUI-48 (SPC-5 7.7.20): the company ID the
    # emulator uses everywhere, extension 000001h.
    return EMU_COMPANY_ID.to_bytes(3, "big") + (1).to_bytes(3, "big")


def _tpc_descriptor(kind: int, body: bytes) -> bytes:
    body = body + bytes(-(len(body) + 4) % 4)  # descriptors are a multiple of 4 bytes long
    return kind.to_bytes(2, "big") + len(body).to_bytes(2, "big") + body


def _third_party_copy(disk: "EmulatedDisk") -> bytes:
    """8Fh (SPC-5 7.7.18): what the copy manager of emu/copy_manager.py implements."""
    commands = (bytes((0x83, 2, 0x00, 0x01))  # EXTENDED COPY(LID1), (LID4)
                # RECEIVE COPY STATUS(LID1), DATA(LID1), OPERATING PARAMETERS, FAILURE
                # DETAILS(LID1), STATUS(LID4), DATA(LID4), RECEIVE ROD TOKEN INFORMATION
                + bytes((0x84, 7, 0x00, 0x01, 0x03, 0x04, 0x05, 0x06, 0x07)))
    parameter_data = bytearray(28)
    parameter_data[4:6] = MAX_CSCD_DESCRIPTORS.to_bytes(2, "big")
    parameter_data[6:8] = MAX_SEGMENT_DESCRIPTORS.to_bytes(2, "big")
    parameter_data[8:12] = MAX_DESCRIPTOR_LIST_LENGTH.to_bytes(4, "big")
    general = bytearray(32)  # SPC-5: DESCRIPTOR LENGTH 0020h
    general[0:4] = (1).to_bytes(4, "big")  # TOTAL CONCURRENT COPIES
    general[4:8] = (1).to_bytes(4, "big")  # MAXIMUM IDENTIFIED CONCURRENT COPIES
    general[8:12] = max_copy_segment_length(disk).to_bytes(4, "big")
    general[12] = disk.block_size.bit_length() - 1  # DATA SEGMENT GRANULARITY (log2)
    return (_tpc_descriptor(0x0001, bytes((len(commands),)) + commands)
            + _tpc_descriptor(0x0004, bytes(parameter_data))
            + _tpc_descriptor(0x0008, bytes((len(COPY_DESCRIPTORS_IMPLEMENTED),)) + bytes(COPY_DESCRIPTORS_IMPLEMENTED))
            + _tpc_descriptor(0x8001, bytes(general)))


def _protocol_lu(disk: "EmulatedDisk") -> bytes:
    # SAS logical unit information (SPL-4 9.2.8.2) for relative port 1: TLR CONTROL
    # SUPPORTED 0 (no transport layer retries).
    return (1).to_bytes(2, "big") + bytes((SAS_PROTOCOL, 0, 0, 0)) + (4).to_bytes(2, "big") + bytes(4)


def _protocol_port(disk: "EmulatedDisk") -> bytes:
    # SAS port information (SPL-4 9.2.8.3) for relative port 1: the phys of mode page
    # 19h/01h, each SSP persistent capable.
    phys = b"".join(bytes((0, phy, 0x01, 0)) for phy in range(SAS_PHYS))
    return (1).to_bytes(2, "big") + bytes((SAS_PROTOCOL, 0, 0, 0)) + len(phys).to_bytes(2, "big") + phys


def _block_limits_extension(disk: "EmulatedDisk") -> bytes:
    # SBC-4 6.6.5: STREAM CONTROL opens up to MAX_STREAMS streams (emu/sbc_extra.py);
    # write and granularity sizes in logical blocks, from the optimal transfer granularity.
    body = bytearray(60)
    body[2:4] = MAX_STREAMS.to_bytes(2, "big")
    body[4:6] = OPTIMAL_GRANULARITY.to_bytes(2, "big")  # OPTIMAL STREAM WRITE SIZE
    body[6:10] = STREAM_GRANULARITY.to_bytes(4, "big")  # STREAM GRANULARITY SIZE
    return bytes(body)


def _zoned(disk: "EmulatedDisk") -> bytes:
    body = bytearray(60)
    assert disk.zones is not None
    body[0] = 0x01 if disk.zones.unrestricted_reads else 0x00  # URSWRZ: reads past write pointers allowed
    body[4:8] = b"\xff\xff\xff\xff"
    body[8:12] = b"\xff\xff\xff\xff"
    assert disk.zones is not None
    body[12:16] = disk.zones.max_open.to_bytes(4, "big")
    return bytes(body)


# 85h, 8Bh, 8Ch, B3h, B8h, B9h: emu/vpd_device.py, imported at the first INQUIRY of one.

def _management_network_addresses(disk: "EmulatedDisk") -> bytes:
    from sgframe.emu import vpd_device

    return vpd_device.management_network_addresses(disk)


def _device_constituents(disk: "EmulatedDisk") -> bytes:
    from sgframe.emu import vpd_device

    return vpd_device.device_constituents(disk, peripheral(disk))


def _cfa_profile_information(disk: "EmulatedDisk") -> bytes:
    from sgframe.emu import vpd_device

    return vpd_device.cfa_profile_information(disk, STREAM_GRANULARITY)


def _referrals(disk: "EmulatedDisk") -> bytes:
    from sgframe.emu import vpd_device

    return vpd_device.referrals(disk)


def _format_presets(disk: "EmulatedDisk") -> bytes:
    from sgframe.emu import vpd_device

    return vpd_device.format_presets(disk)


def _concurrent_positioning_ranges(disk: "EmulatedDisk") -> bytes:
    from sgframe.emu import vpd_device

    return vpd_device.concurrent_positioning_ranges(disk)


_PAGES: Dict[int, Callable[["EmulatedDisk"], bytes]] = {
    0x00: _supported,
    0x80: _serial,
    0x83: _identification,
    0x84: _software_interface,
    0x85: _management_network_addresses,
    0x86: _extended,
    0x87: _mode_page_policy,
    0x88: _scsi_ports,
    0x8A: _power_condition,
    0x8B: _device_constituents,
    0x8C: _cfa_profile_information,
    0x8D: _power_consumption,
    0x8F: _third_party_copy,
    0x90: _protocol_lu,
    0x91: _protocol_port,
    0x92: _feature_sets,
    0xB0: _block_limits,
    0xB1: _characteristics,
    0xB2: _provisioning,
    0xB3: _referrals,
    0xB4: _block_lengths,
    0xB5: _characteristics_extension,
    0xB7: _block_limits_extension,
    0xB8: _format_presets,
    0xB9: _concurrent_positioning_ranges,
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
