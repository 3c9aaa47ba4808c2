"""The VPD pages that say how the emulated disk is reached, built and laid out: management
network addresses (85h), device constituents (8Bh), CFA profile information (8Ch) from
SPC-5 7.7, and referrals (B3h), format presets (B8h) and concurrent positioning ranges (B9h)
from SBC-4 6.6 / SBC-5.

Each builder returns the page body (after the 4-byte header) from the disk's state; this
module is imported at the first INQUIRY of one of these pages, not at start-up.  What
they need of emu/vpd.py (which imports this module) comes as arguments.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Tuple

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

#: Where the emulated disk says its management services are.  ``.invalid`` (RFC 2606)
#: never resolves: like the company ID, no address can point at someone's real service.
MANAGEMENT_HOST = "sgframe-emu.invalid"

#: Network services of 85h (SPC-5 7.7.10, SERVICE TYPE): storage configuration service 01h and
#: diagnostics 02h, both of the logical unit (association 00b).
NETWORK_SERVICES = ((0x01, "config"), (0x02, "diagnostics"))

#: 8Bh constituent type 0003h: a direct access block device (SPC-5 table 632).
CONSTITUENT_DIRECT_ACCESS = 0x0003
#: The product name of the constituent: the store the emulated blocks live in.
CONSTITUENT_PRODUCT = "EMU MEDIUM"

#: 8Ch: the one CFA profile (summary 01h), with sequential writes counted in the stream
#: granularity of VPD B7h, so both pages name the same write unit.
CFA_PROFILE_SUMMARY = 0x01

#: B3h: USER DATA SEGMENT SIZE 0 (and MULTIPLIER 0): the user data segments are no
#: fixed-size pattern; their bounds come with the referrals themselves (REPORT REFERRALS,
#: the referral sense data descriptor).  With one target port group (VPD 83h, TPG 1) the
#: whole LBA space is one user data segment, reached through that group.
USER_DATA_SEGMENT_SIZE = 0
USER_DATA_SEGMENT_MULTIPLIER = 0

#: B8h: the identifier of the one format preset, the format the disk has; FORMAT WITH
#: PRESET (emu/sbc.py) accepts it and no other.
PRESET_IDENTIFIER = 0x00000001
_SCHEMA_BLOCK_DEVICE, _SCHEMA_HOST_MANAGED = 0x01, 0x03

#: B9h: the emulated disk has one actuator: one range covers every LBA, served by all of
#: the disk's storage elements that GET PHYSICAL ELEMENT STATUS reports and REMOVE ELEMENT
#: AND TRUNCATE has not depopulated (sgframe.emu.depopulation).


def _network_service(service_type: int, address: str) -> bytes:
    # Null terminated, null padded to a multiple of 4 bytes (SPC-5 7.7.10).
    raw = address.encode("ascii") + b"\x00"
    raw += bytes(-len(raw) % 4)
    return bytes((service_type & 0x1F, 0)) + len(raw).to_bytes(2, "big") + raw


def management_url(disk: "EmulatedDisk", service: str) -> str:
    from urllib.parse import quote

    return f"http://{MANAGEMENT_HOST}/{quote(disk.serial, safe='')}/{service}"


def management_network_addresses(disk: "EmulatedDisk") -> bytes:
    return b"".join(_network_service(kind, management_url(disk, name)) for kind, name in NETWORK_SERVICES)


def device_constituents(disk: "EmulatedDisk", peripheral: int) -> bytes:
    """One constituent descriptor (SPC-5 7.7.6): the medium behind the logical unit, a
    direct access block device of the disk's own device type (``peripheral`` is byte 0 of
    the disk's pages), named by T10 vendor, product and revision.

    No constituent specific descriptor follows: one of type 01h (a VPD page of the
    constituent) makes sg_vpd 1.46 abort (SIGABRT) when it reads the page from a device,
    though it decodes the same bytes from --inhex."""
    return (CONSTITUENT_DIRECT_ACCESS.to_bytes(2, "big") + bytes((peripheral & 0x1F, 0))
            + disk.vendor.ljust(8).encode("ascii") + CONSTITUENT_PRODUCT.ljust(16).encode("ascii")
            + disk.revision.ljust(4).encode("ascii") + bytes(2) + (0).to_bytes(2, "big"))


def cfa_profile_information(disk: "EmulatedDisk", sequential_write_size: int) -> bytes:
    """One CFA profile descriptor; ``sequential_write_size`` in logical blocks."""
    return bytes((CFA_PROFILE_SUMMARY, 0)) + sequential_write_size.to_bytes(2, "big")


def referrals(disk: "EmulatedDisk") -> bytes:
    return bytes(4) + USER_DATA_SEGMENT_SIZE.to_bytes(4, "big") + USER_DATA_SEGMENT_MULTIPLIER.to_bytes(4, "big")


def protection_format(protection: int) -> Tuple[int, int]:
    """(FMTPINFO, PROT_FIELD_USAGE) that FORMAT UNIT takes for ``protection``, the DIF type
    (SBC-4 table 41): none 00b/000b, type 1 10b/000b, type 2 11b/000b, type 3 11b/001b."""
    return {0: (0, 0), 1: (2, 0), 2: (3, 0), 3: (3, 1)}[protection]


def format_presets(disk: "EmulatedDisk") -> bytes:
    """One 64-byte format preset descriptor (SBC-5): the format the disk has now."""
    d = bytearray(64)
    d[0:4] = PRESET_IDENTIFIER.to_bytes(4, "big")
    d[4] = _SCHEMA_HOST_MANAGED if disk.zoned else _SCHEMA_BLOCK_DEVICE
    d[7] = disk.lbppbe  # LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT, as READ CAPACITY(16) says
    d[8:12] = disk.block_size.to_bytes(4, "big")
    d[16:24] = disk.last_lba.to_bytes(8, "big")  # DESIGNED LAST LOGICAL BLOCK ADDRESS
    fmtpinfo, usage = protection_format(disk.protection or 0)
    d[38] = fmtpinfo << 6 | usage
    d[39] = 0  # PROTECTION INTERVAL EXPONENT: one protection interval per logical block
    if disk.zoned:
        zones = disk.zones
        # Host managed zoned block device schema: the conventional zones are at the low
        # LBAs (emu/zoned.py), in tenths of a percent of all zones.  DESIGNED ZONE
        # ALIGNMENT METHOD 0h and its granularity 0: not reported, as the disk has no
        # zone domains (REPORT ZONE DOMAINS is not supported).
        d[40] = min(255, zones.conventional * 1000 // zones.count)
        d[52:56] = zones.size.to_bytes(4, "big")  # LOGICAL BLOCKS PER ZONE
    return bytes(d)


def concurrent_positioning_ranges(disk: "EmulatedDisk") -> bytes:
    """Bytes 4-63 reserved, then one 32-byte LBA range descriptor: range 0, every LBA."""
    d = bytearray(32)
    d[0] = 0  # LBA RANGE NUMBER
    elements = disk.elements
    d[1] = sum(not elements.depopulated(element) for element in range(1, elements.count + 1))
    d[8:16] = (0).to_bytes(8, "big")
    d[16:24] = disk.blocks.to_bytes(8, "big")
    return bytes(60) + bytes(d)
