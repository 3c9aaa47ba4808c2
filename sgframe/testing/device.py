"""What a test needs to know about the device under test, asked once per device.

:func:`probe` sends the questions every conformance test would otherwise repeat
(standard INQUIRY, READ CAPACITY, the Block Limits, Block Device Characteristics and
Logical Block Provisioning VPD pages, REPORT SUPPORTED OPERATION CODES, the Control
mode page and the WP bit) and keeps the answers in a :class:`DeviceUnderTest`. A device
that does not answer a question leaves that part ``None``: "not reported" is not
"unsupported", and the tests that depend on it decide (SPC-5 6.35: a device need not
implement REPORT SUPPORTED OPERATION CODES at all).
"""
from __future__ import annotations

from typing import Any, Dict, FrozenSet, Optional, Tuple

import attrs

from .. import errors

__all__ = ["DeviceUnderTest", "FEATURES", "probe", "command_class"]

#: The ZBC zoned models (SBC-4 6.6.3 ZONED field of VPD page B1h; ZBC-2 peripheral type 14h).
ZONED_MODELS = {1: "host-aware", 2: "device-managed"}


@attrs.frozen
class DeviceUnderTest:
    """A device as the tests see it. ``None`` means the device did not say.

    :param uri: what it was opened as.
    :param opcodes: (operation code, service action or None) of every command REPORT
        SUPPORTED OPERATION CODES lists, or None when the device does not answer it.
    """

    uri: str
    vendor_identification: str
    product_identification: str
    product_revision_level: str
    peripheral_device_type: int
    version: int
    rmb: bool
    protect: bool
    block_size: int
    blocks: int
    prot_en: bool = False
    p_type: int = 0
    lbpme: bool = False
    lbprz: bool = False
    write_protected: bool = False
    dpofua: bool = False
    d_sense: Optional[bool] = None
    supported_vpd_pages: Tuple[int, ...] = ()
    block_limits: Any = None
    block_device_characteristics: Any = None
    logical_block_provisioning: Any = None
    opcodes: Optional[FrozenSet[Tuple[int, Optional[int]]]] = None
    second_nexus: Optional[str] = None

    @property
    def identity(self) -> str:
        return " ".join(p for p in (self.vendor_identification, self.product_identification,
                                    self.product_revision_level) if p)

    @property
    def protection_type(self) -> int:
        """0 without protection information, else the DIF type 1..3 (SBC-4 4.22.2)."""
        return self.p_type + 1 if self.prot_en else 0

    @property
    def zoned_model(self) -> Optional[str]:
        """"host-managed", "host-aware", "device-managed" or None (not zoned)."""
        if self.peripheral_device_type == 0x14:
            return "host-managed"
        zoned = getattr(self.block_device_characteristics, "zoned", 0)
        return ZONED_MODELS.get(zoned)

    @property
    def last_lba(self) -> int:
        return self.blocks - 1

    def supports(self, name: str, service_action: Optional[int] = None) -> Optional[bool]:
        """Does REPORT SUPPORTED OPERATION CODES list the command? None: not reported.

        :param name: a command class name (``"WriteSame16"``).
        :param service_action: for commands whose service action is a field, not fixed
            by the class (PERSISTENT RESERVE IN, SANITIZE ...).
        """
        if self.opcodes is None:
            return None
        opcode, action = command_key(name, service_action)
        if action is None:
            return any(op == opcode for op, _ in self.opcodes)
        return (opcode, action) in self.opcodes

    def to_dict(self) -> Dict[str, Any]:
        return {
            "uri": self.uri,
            "identity": self.identity,
            "peripheral_device_type": self.peripheral_device_type,
            "version": self.version,
            "block_size": self.block_size,
            "blocks": self.blocks,
            "protection_type": self.protection_type,
            "zoned_model": self.zoned_model,
            "thin_provisioning": self.lbpme,
            "removable": self.rmb,
            "write_protected": self.write_protected,
            "dpofua": self.dpofua,
            "d_sense": self.d_sense,
            "supported_vpd_pages": list(self.supported_vpd_pages),
            "opcodes": None if self.opcodes is None else sorted(
                f"{op:02X}h" + (f"/{sa:02X}h" if sa is not None else "") for op, sa in self.opcodes),
            "second_nexus": self.second_nexus,
        }


def command_class(name: str) -> type:
    """The registered command class called ``name`` (a clear error for a typo)."""
    from ..command import REGISTRY

    try:
        return REGISTRY.by_name(name)
    except (KeyError, errors.UsageError):
        raise errors.UsageError(f"requires_command({name!r}): no such command; "
                                "names are class names such as 'WriteSame16' (sgframe commands)") from None


def command_key(name: str, service_action: Optional[int] = None) -> Tuple[int, Optional[int]]:
    cls = command_class(name)
    action = getattr(cls, "SERVICE_ACTION", None)
    return cls.OPCODE, service_action if service_action is not None else action


def _feature(test: Any, skip: str) -> Tuple[Any, str]:
    return test, skip


#: requires("name") -> (predicate on DeviceUnderTest, why a test is skipped without it).
FEATURES = {
    "thin_provisioning": _feature(lambda d: d.lbpme, "the device is not thin provisioned (LBPME=0, SBC-4 4.7)"),
    "unmap": _feature(lambda d: bool(getattr(d.logical_block_provisioning, "lbpu", False)),
                      "the device does not support UNMAP (LBPU=0 in VPD page B2h)"),
    "write_same_unmap": _feature(lambda d: bool(getattr(d.logical_block_provisioning, "lbpws", False)),
                                 "WRITE SAME(16) cannot unmap on this device (LBPWS=0 in VPD page B2h)"),
    "protection": _feature(lambda d: d.prot_en, "the medium is not formatted with protection information"),
    "no_protection": _feature(lambda d: not d.prot_en, "the medium is formatted with protection information"),
    "zoned": _feature(lambda d: d.zoned_model == "host-managed", "the device is not a host-managed zoned device"),
    "not_zoned": _feature(lambda d: d.zoned_model != "host-managed",
                          "a host-managed zoned device: writes must start at a write pointer (ZBC-2 4.4.3)"),
    "removable": _feature(lambda d: d.rmb, "the medium is not removable (RMB=0)"),
    "second_nexus": _feature(lambda d: d.second_nexus is not None,
                             "needs a second I_T nexus to the same logical unit: --scsi-device2 URI"),
    "writable": _feature(lambda d: not d.write_protected, "the medium is write protected (WP=1)"),
    "read_only": _feature(lambda d: d.write_protected, "the medium is not write protected (WP=0)"),
    "block_limits": _feature(lambda d: d.block_limits is not None, "the device has no Block Limits VPD page (B0h)"),
}


def _ask(channel: Any, command: Any) -> Any:
    """The decoded answer, or None when the device rejects the question."""
    try:
        return channel.execute(command).result
    except errors.CheckCondition:
        return None


def probe(channel: Any, uri: str, second_nexus: Optional[str] = None) -> DeviceUnderTest:
    """Ask the device the questions of :class:`DeviceUnderTest` through ``channel``."""
    from ..command import Inquiry, ModeSense10, ReadCapacity10, ReadCapacity16, ReportSupportedOperationCodes

    # A pending UNIT ATTENTION would fail the first medium command; TEST UNIT READY
    # takes it (SAM-5 5.14), as an initiator does after it connects.
    from ..command import TestUnitReady

    for _ in range(4):
        try:
            channel.execute(TestUnitReady())
            break
        except errors.UnitAttention:
            continue
        except errors.CheckCondition:
            break
    inquiry = channel.execute(Inquiry()).result
    capacity = _ask(channel, ReadCapacity16())
    if capacity is None:
        capacity = channel.execute(ReadCapacity10()).result
    pages = _ask(channel, Inquiry(evpd=True, page_code=0x00))
    supported = tuple(getattr(pages, "supported_pages", ()) or ())

    def vpd(code: int) -> Any:
        return _ask(channel, Inquiry(evpd=True, page_code=code, allocation_length=0xFFFF)) if code in supported else None

    opcodes = None
    listing = _ask(channel, ReportSupportedOperationCodes(reporting_options=0, allocation_length=0xFFFF))
    if listing is not None:
        opcodes = frozenset((d.operation_code, d.service_action if d.servactv else None)
                            for d in listing.command_descriptors)
    mode = _ask(channel, ModeSense10(page_code=0x0A, allocation_length=0xFF))
    control = mode.page(0x0A) if mode is not None and hasattr(mode, "page") else None
    return DeviceUnderTest(
        uri=uri,
        vendor_identification=(inquiry.vendor_identification or "").strip(),
        product_identification=(inquiry.product_identification or "").strip(),
        product_revision_level=(inquiry.product_revision_level or "").strip(),
        peripheral_device_type=inquiry.peripheral_device_type,
        version=inquiry.version,
        rmb=bool(inquiry.rmb),
        protect=bool(inquiry.protect),
        block_size=capacity.block_length,
        blocks=capacity.returned_lba + 1,
        prot_en=bool(getattr(capacity, "prot_en", False)),
        p_type=getattr(capacity, "p_type", 0),
        lbpme=bool(getattr(capacity, "lbpme", False)),
        lbprz=bool(getattr(capacity, "lbprz", False)),
        write_protected=bool(mode.header.device_specific_parameter & 0x80) if mode is not None else False,
        dpofua=bool(mode.header.device_specific_parameter & 0x10) if mode is not None else False,
        d_sense=bool(control.d_sense) if control is not None else None,
        supported_vpd_pages=supported,
        block_limits=vpd(0xB0),
        block_device_characteristics=vpd(0xB1),
        logical_block_provisioning=vpd(0xB2),
        opcodes=opcodes,
        second_nexus=second_nexus,
    )
