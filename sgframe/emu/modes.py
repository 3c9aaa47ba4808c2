"""MODE SENSE and MODE SELECT (SPC-5 6.13-6.16, 7.5): the mode pages of a SAS disk.

Pages 01h, 02h, 03h, 04h, 07h, 08h, 0Ah (with subpages 01h, 02h, 05h, 06h), 18h, 19h (with
subpages 01h-03h), 1Ah (with 01h) and 1Ch (with 01h), keyed by (page, subpage).  The
default values and the changeable masks are built with the page records of
:mod:`sgframe.decode.mode_pages`, so the emulator and the decoder share one declaration of
each layout; MODE SELECT works on bytes against the mask.

Saved values equal current values: saving is supported (PS=1) and costs nothing,
since the emulated disk never loses power.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Tuple

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request
from sgframe.emu.vpd import SAS_PHYS, naa_identifier

# The page records (sgframe.decode.mode_pages) are imported by the functions that build
# pages, not here: a disk builds its pages at the first use (EmulatedDisk.modes), and a
# command-line call that never sends MODE SENSE should not pay for importing them.
if TYPE_CHECKING:
    from sgframe.decode import mode_pages as mp
    from sgframe.emu.state import DiskState as EmulatedDisk

Key = Tuple[int, int]

READ_WRITE_ERROR_RECOVERY: Key = (0x01, 0x00)
CACHING: Key = (0x08, 0x00)
CONTROL: Key = (0x0A, 0x00)
BACKGROUND_CONTROL: Key = (0x1C, 0x01)
INFORMATIONAL_EXCEPTIONS: Key = (0x1C, 0x00)

# Geometry the obsolete pages 03h and 04h report: 8 heads of 63 sectors per track.
HEADS = 8
SECTORS_PER_TRACK = 63
PHYS = SAS_PHYS


def sas_address(disk: "EmulatedDisk", phy: int) -> int:
    """The SAS address of a phy of the emulated target port: NAA 5, from the disk's serial."""
    # NAA 5 with an IEEE company ID in the top 28 bits; 32 bits of the serial's name; the phy.
    serial_part = int.from_bytes(naa_identifier(disk)[-4:], "big")
    return (0x5000C50 << 36) | (serial_part << 4) | phy


def attached_sas_address(phy: int) -> int:
    """The SAS address of the initiator port (an HBA's NAA 5 address) each phy is linked to."""
    return 0x500605B000000000 | (phy + 1)


def _phys(disk: "EmulatedDisk") -> List[mp.SasPhyModeDescriptor]:
    from sgframe.decode import mode_pages as mp

    return [mp.SasPhyModeDescriptor(
        phy_identifier=phy, attached_sas_device_type=1, attached_reason=1, reason=1,
        negotiated_logical_link_rate=0xB, attached_ssp_initiator_port=True,
        sas_address=sas_address(disk, phy), attached_sas_address=attached_sas_address(phy),
        attached_phy_identifier=phy,
        programmed_minimum_physical_link_rate=0x8, hardware_minimum_physical_link_rate=0x8,
        programmed_maximum_physical_link_rate=0xB, hardware_maximum_physical_link_rate=0xB,
    ) for phy in range(PHYS)]


def _disk_defaults(disk: "EmulatedDisk") -> Dict[Key, mp.ModePage]:
    """The pages whose values depend on the disk: its geometry and its SAS addresses."""
    from sgframe.decode import mode_pages as mp

    cylinders = min(-(-disk.blocks // (HEADS * SECTORS_PER_TRACK)), 0xFFFFFF)
    return {
        (0x03, 0): mp.FormatDevicePage(sectors_per_track=SECTORS_PER_TRACK,
                                       data_bytes_per_physical_sector=disk.block_size, interleave=1, hsec=True),
        # MEDIUM ROTATION RATE as in the block device characteristics VPD page: non-rotating.
        (0x04, 0): mp.RigidDiskGeometryPage(number_of_cylinders=cylinders, number_of_heads=HEADS,
                                            medium_rotation_rate=1),
        (0x19, 1): mp.PhyControlAndDiscoverPage(descriptors=_phys(disk)),
    }


def _static_defaults() -> Dict[Key, mp.ModePage]:
    from sgframe.decode import mode_pages as mp

    return {
        # AWRE and ARRE set: the disk reallocates on its own.
        (0x01, 0): mp.ReadWriteErrorRecoveryPage(awre=True, arre=True),
        (0x02, 0): mp.DisconnectReconnectPage(),
        (0x07, 0): mp.VerifyErrorRecoveryPage(),
        # WCE set (patched from write_cache); 16 cache segments.
        (0x08, 0): mp.CachingPage(wce=True, disable_pre_fetch_transfer_length=0xFFFF, maximum_pre_fetch=0xFFFF,
                                  maximum_pre_fetch_ceiling=0xFFFF, number_of_cache_segments=0x10),
        # GLTSD set; QUEUE ALGORITHM MODIFIER 1 (unrestricted reordering); busy timeout
        # unlimited; extended self-test completion time 30 s.
        (0x0A, 0): mp.ControlPage(gltsd=True, queue_algorithm_modifier=1, busy_timeout_period=0xFFFF,
                                  extended_self_test_completion_time=30),
        (0x0A, 1): mp.ControlExtensionPage(maximum_sense_data_length=252),
        # No protection information (ATO clear): no application tags.
        (0x0A, 2): mp.ApplicationTagPage(),
        (0x0A, 5): mp.IoAdviceHintsGroupingPage(descriptors=[mp.IoAdviceHintsGroupDescriptor()] * 64),
        (0x0A, 6): mp.BackgroundOperationControlPage(),
        (0x18, 0): mp.SasLogicalUnitPage(),
        # I_T NEXUS LOSS TIME 2 s, the SAS default.
        (0x19, 0): mp.SasPortPage(i_t_nexus_loss_time=2000),
        (0x19, 2): mp.SharedPortControlPage(),
        (0x19, 3): mp.EnhancedPhyControlPage(descriptors=[
            mp.EnhancedPhyControlDescriptor(phy_identifier=phy, negotiated_physical_link_rate=0xB)
            for phy in range(PHYS)]),
        # Idle_a after 2 s (the timers count 100 ms); standby_z after 15 minutes, disabled.
        (0x1A, 0): mp.PowerConditionPage(idle_a=True, idle_a_condition_timer=20, standby_z_condition_timer=9000,
                                         ccf_idle=1, ccf_standby=1, ccf_stopped=1),
        (0x1A, 1): mp.PowerConsumptionPage(),
        # MRIE 6: report informational exceptions only on request (LOG SENSE page 2Fh).
        (0x1C, 0): mp.InformationalExceptionsControlPage(mrie=6),
        # Background medium scans enabled, every 24 hours, after 100 ms idle.
        (0x1C, 1): mp.BackgroundControlPage(en_bms=True, background_medium_scan_interval_time=24,
                                            minimum_idle_time_before_background_scan=1),
    }


def _changeable() -> Dict[Key, mp.ModePage]:
    from sgframe.decode import mode_pages as mp

    ones = 0xFFFFFFFF
    return {
        (0x01, 0): mp.ReadWriteErrorRecoveryPage(awre=True, arre=True, read_retry_count=0xFF, write_retry_count=0xFF),
        (0x02, 0): mp.DisconnectReconnectPage(),
        (0x03, 0): mp.FormatDevicePage(),
        (0x04, 0): mp.RigidDiskGeometryPage(),
        (0x07, 0): mp.VerifyErrorRecoveryPage(verify_retry_count=0xFF),
        (0x08, 0): mp.CachingPage(wce=True, rcd=True),
        (0x0A, 0): mp.ControlPage(d_sense=True, gltsd=True),
        (0x0A, 1): mp.ControlExtensionPage(),
        (0x0A, 2): mp.ApplicationTagPage(),
        (0x0A, 5): mp.IoAdviceHintsGroupingPage(descriptors=[mp.IoAdviceHintsGroupDescriptor()] * 64),
        (0x0A, 6): mp.BackgroundOperationControlPage(bo_mode=3),
        (0x18, 0): mp.SasLogicalUnitPage(protocol_identifier=0),
        (0x19, 0): mp.SasPortPage(protocol_identifier=0, i_t_nexus_loss_time=0xFFFF,
                                  initiator_response_timeout=0xFFFF),
        (0x19, 1): mp.PhyControlAndDiscoverPage(protocol_identifier=0, descriptors=[
            mp.SasPhyModeDescriptor()] * PHYS),
        (0x19, 2): mp.SharedPortControlPage(protocol_identifier=0),
        (0x19, 3): mp.EnhancedPhyControlPage(protocol_identifier=0, descriptors=[
            mp.EnhancedPhyControlDescriptor(descriptor_length=0)] * PHYS),
        (0x1A, 0): mp.PowerConditionPage(idle_a=True, standby_z=True, idle_a_condition_timer=ones,
                                         standby_z_condition_timer=ones),
        (0x1A, 1): mp.PowerConsumptionPage(),
        (0x1C, 0): mp.InformationalExceptionsControlPage(perf=True, ewasc=True, dexcpt=True, test=True, logerr=True,
                                                         mrie=0xF, interval_timer=ones, report_count=ones),
        (0x1C, 1): mp.BackgroundControlPage(en_bms=True, en_ps=True,
                                            background_medium_scan_interval_time=0xFFFF,
                                            minimum_idle_time_before_background_scan=0xFFFF),
    }


def _body(page: mp.ModePage) -> bytes:
    raw = page.encode()
    return raw[4:] if raw[0] & 0x40 else raw[2:]


def _mask(page: mp.ModePage) -> bytes:
    """A changeable mask: the page's body, with a descriptor count (which encode() writes
    from the list) not changeable."""
    raw = bytearray(page.encode())
    for row in page.LAYOUT:
        if row[0] == getattr(page, "COUNT_FIELD", None):
            raw[row[1]] = 0
    return bytes(raw[4:] if raw[0] & 0x40 else raw[2:])


_SHARED: Dict[str, Dict[Key, bytes]] = {}


def _shared(name: str) -> Dict[Key, bytes]:
    # Encoded once per process: building every disk's pages from records costs a
    # millisecond, and tests make thousands of disks.
    if not _SHARED:
        _SHARED["defaults"] = {key: _body(page) for key, page in _static_defaults().items()}
        _SHARED["changeable"] = {key: _mask(page) for key, page in _changeable().items()}
    return _SHARED[name]


class ModePages:
    """Current values of the mode pages of one disk: (page, subpage) -> page body (the
    bytes after the page header)."""

    def __init__(self, disk: "EmulatedDisk", *, dsense: bool, write_cache: bool) -> None:
        self._disk = disk
        defaults = dict(_shared("defaults"))
        defaults.update((key, _body(page)) for key, page in _disk_defaults(disk).items())
        self.defaults: Dict[Key, bytes] = defaults
        self.changeable: Dict[Key, bytes] = _shared("changeable")
        self.current: Dict[Key, bytearray] = {key: bytearray(body) for key, body in self.defaults.items()}
        if not write_cache:
            self.current[CACHING][0] &= ~0x04
        if dsense:
            self.current[CONTROL][0] |= 0x04

    @property
    def keys(self) -> List[Key]:
        return sorted(self.defaults)

    @property
    def descriptor_sense(self) -> bool:
        return bool(self.current[CONTROL][0] & 0x04)

    @property
    def write_cache(self) -> bool:
        return bool(self.current[CACHING][0] & 0x04)

    @property
    def ie_test(self) -> bool:
        return bool(self.current[INFORMATIONAL_EXCEPTIONS][0] & 0x04)

    @property
    def background_medium_scans(self) -> bool:
        """EN_BMS of the background control page."""
        return bool(self.current[BACKGROUND_CONTROL][0] & 0x01)

    def page(self, key: Key, page_control: int) -> bytes:
        if page_control == 1:
            body = self.changeable[key]
        elif page_control == 2:
            body = self.defaults[key]
        else:
            body = bytes(self.current[key])
        code, subpage = key
        if subpage:
            return bytes((0xC0 | code, subpage)) + len(body).to_bytes(2, "big") + body
        return bytes((0x80 | code, len(body))) + body


def _block_descriptor(disk: "EmulatedDisk", long_lba: bool, page_control: int) -> bytes:
    if page_control == 1:
        # Neither the capacity nor the block length can be changed.
        return bytes(16 if long_lba else 8)
    if long_lba:
        return disk.blocks.to_bytes(8, "big") + bytes(4) + disk.block_size.to_bytes(4, "big")
    return min(disk.blocks, 0xFFFFFFFF).to_bytes(4, "big") + b"\x00" + disk.block_size.to_bytes(3, "big")


# Device-specific parameter: DPOFUA=1, and WP (bit 7) when the medium is write protected (SBC-4 6.5.1).
_DEVICE_SPECIFIC = 0x10
_WP = 0x80


def _selected(disk: "EmulatedDisk", page_code: int, subpage: int) -> List[Key]:
    keys = disk.modes.keys
    if page_code == 0x3F:
        # SPC-5 6.14: 3Fh/00h is every page_0 page, 3Fh/FFh every page and subpage.
        if subpage == 0x00:
            return [k for k in keys if k[1] == 0]
        if subpage == 0xFF:
            return keys
        raise _sense.invalid_field_in_cdb(3)
    if subpage == 0xFF:
        chosen = [k for k in keys if k[0] == page_code]
    else:
        chosen = [(page_code, subpage)] if (page_code, subpage) in keys else []
    if not chosen:
        if any(k[0] == page_code for k in keys):
            raise _sense.invalid_field_in_cdb(3)
        raise _sense.invalid_field_in_cdb(2, 5)
    return chosen


def mode_sense(disk: "EmulatedDisk", request: Request) -> bytes:
    cdb = request.cdb
    ten = cdb[0] == 0x5A
    dbd = bool(cdb[1] & 0x08)
    llbaa = ten and bool(cdb[1] & 0x10)
    page_control = cdb[2] >> 6
    keys = _selected(disk, cdb[2] & 0x3F, cdb[3])
    descriptor = b"" if dbd else _block_descriptor(disk, llbaa, page_control)
    specific = _DEVICE_SPECIFIC | (_WP if disk.write_protect else 0)
    pages = b""
    for key in keys:
        page = disk.modes.page(key, page_control)
        if not ten and 4 + len(descriptor) + len(pages) + len(page) > 0x100:
            # MODE DATA LENGTH of MODE SENSE(6) is one byte: whole pages that fit, the
            # rest needs MODE SENSE(10).
            break
        pages += page
    if ten:
        length = 6 + len(descriptor) + len(pages)
        header = length.to_bytes(2, "big") + bytes(
            (0, specific, 0x01 if len(descriptor) == 16 else 0x00, 0)
        ) + len(descriptor).to_bytes(2, "big")
    else:
        length = 3 + len(descriptor) + len(pages)
        header = bytes((length, 0, specific, len(descriptor)))
    return header + descriptor + pages


def _header(data: bytes, ten: bool) -> Tuple[bool, int, int]:
    """(long LBA, block descriptor length, offset of its length field) of a MODE SELECT list."""
    if ten:
        if data[0] or data[1]:
            raise _sense.invalid_field_in_parameter_list(0)  # MODE DATA LENGTH is reserved here
        if data[2]:
            raise _sense.invalid_field_in_parameter_list(2)
        return bool(data[4] & 0x01), int.from_bytes(data[6:8], "big"), 6
    if data[0]:
        raise _sense.invalid_field_in_parameter_list(0)
    if data[1]:
        raise _sense.invalid_field_in_parameter_list(1)
    return False, data[3], 3


def _check_descriptor(disk: "EmulatedDisk", descriptor: bytes, long_lba: bool, offset: int) -> None:
    if long_lba:
        blocks = int.from_bytes(descriptor[0:8], "big")
        block_length = int.from_bytes(descriptor[12:16], "big")
        expected = disk.blocks
        length_offset = 12
    else:
        blocks = int.from_bytes(descriptor[0:4], "big")
        block_length = int.from_bytes(descriptor[5:8], "big")
        expected = min(disk.blocks, 0xFFFFFFFF)
        length_offset = 5
    if blocks not in (0, expected):
        raise _sense.invalid_field_in_parameter_list(offset)
    if block_length != disk.block_size:
        raise _sense.invalid_field_in_parameter_list(offset + length_offset)


def mode_select(disk: "EmulatedDisk", request: Request) -> None:
    cdb = request.cdb
    ten = cdb[0] == 0x55
    length = request.u(7, 2) if ten else cdb[4]
    if length == 0:
        return None
    if not cdb[1] & 0x10:
        # Only the page format (PF=1) is implemented; vendor formats are not.
        raise _sense.invalid_field_in_cdb(1, 4)
    data = request.parameters(length)
    header_length = 8 if ten else 4
    if length < header_length:
        raise _sense.parameter_list_length_error()
    long_lba, descriptor_length, length_at = _header(data, ten)
    if descriptor_length not in (0, 16 if long_lba else 8):
        raise _sense.invalid_field_in_parameter_list(length_at)
    offset = header_length
    if descriptor_length:
        if offset + descriptor_length > length:
            raise _sense.parameter_list_length_error()
        _check_descriptor(disk, data[offset:offset + descriptor_length], long_lba, offset)
        offset += descriptor_length
    updates: Dict[Key, bytes] = {}
    modes = disk.modes
    while offset < length:
        if offset + 2 > length:
            raise _sense.parameter_list_length_error()
        spf = bool(data[offset] & 0x40)
        code = data[offset] & 0x3F
        if spf:
            if offset + 4 > length:
                raise _sense.parameter_list_length_error()
            key, page_length, head = (code, data[offset + 1]), int.from_bytes(data[offset + 2:offset + 4], "big"), 4
        else:
            key, page_length, head = (code, 0), data[offset + 1], 2
        if key not in modes.defaults or (spf and key[1] == 0):
            if spf and any(k[0] == code for k in modes.defaults):
                raise _sense.invalid_field_in_parameter_list(offset + 1)  # no such subpage
            raise _sense.invalid_field_in_parameter_list(offset, 5)
        if page_length != len(modes.defaults[key]):
            raise _sense.invalid_field_in_parameter_list(offset + (2 if spf else 1))
        if offset + head + page_length > length:
            raise _sense.parameter_list_length_error()
        body = data[offset + head:offset + head + page_length]
        current = modes.current[key]
        changeable = modes.changeable[key]
        for index, value in enumerate(body):
            bad = (value ^ current[index]) & ~changeable[index] & 0xFF
            if bad:
                raise _sense.invalid_field_in_parameter_list(offset + head + index, bad.bit_length() - 1)
        updates[key] = body
        offset += head + page_length
    changed = [key for key, body in updates.items() if modes.current[key] != body]
    for key in changed:
        modes.current[key][:] = updates[key]
    if changed:
        # SPC-5 7.5.1: other I_T nexuses learn that mode parameters changed; the log page
        # 0Bh/02h lists which pages.
        disk.logs.mode_pages_changed(changed)
        disk.unit_attention(0x2A, 0x01, exclude=request.nexus)
    return None

