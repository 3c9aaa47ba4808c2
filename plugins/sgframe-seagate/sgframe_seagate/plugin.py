"""The Seagate plugin's hook implementations (entry point ``seagate`` of group ``sgframe``).

Bound to INQUIRY vendor identification ``SEAGATE``: its command, log page decoders,
sense interpretation and emulation apply to Seagate drives only, unless named explicitly
(``manager().decode_log_page(data, plugins=["seagate"])``).
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from sgframe import hookimpl
from sgframe.plugins import DeviceMatch, Interpretation

from .codes import CACHE_STATISTICS_PAGE, FACTORY_LOG_PAGE

VENDOR = "SEAGATE"


@hookimpl
def sgframe_bind_devices() -> Iterable[DeviceMatch]:
    return [DeviceMatch(VENDOR)]


#: The plugin's commands as index rows (module, class, T10 name, opcode, service action):
#: sgframe imports sgframe_seagate.commands when one of them is first looked up, not at
#: every start. The plugin's tests hold these rows to the classes.
COMMAND_ROWS = (
    ("commands", "SeagateLogSense", "LOG SENSE (SEAGATE)", 0x4D, None),
)


@hookimpl
def sgframe_register_commands(registry: Any) -> None:
    registry.add_indexed("sgframe_seagate", COMMAND_ROWS)


@hookimpl
def sgframe_decode_log_page(page_code: int, subpage_code: int, data: bytes, device: Any) -> Optional[Any]:
    if subpage_code or page_code not in (CACHE_STATISTICS_PAGE, FACTORY_LOG_PAGE):
        return None
    from .pages import decode_cache_statistics, decode_factory_log

    if page_code == CACHE_STATISTICS_PAGE:
        return decode_cache_statistics(data)
    if page_code == FACTORY_LOG_PAGE:
        return decode_factory_log(data)
    return None


@hookimpl
def sgframe_interpret_sense(sense: Any, device: Any) -> Optional[Interpretation]:
    # SPC-5 reserves ASC 80h-FFh (any ASCQ) and ASCQ 80h-FFh of standard ASCs for the
    # vendor, and descriptor types 80h-FFh. Seagate documents its codes per product
    # manual, so this names the range and the drive and keeps the bytes; it does not
    # guess at meanings.
    from sgframe.sense import VendorSpecificDescriptor

    vendor_code = sense.asc >= 0x80 or sense.ascq >= 0x80
    descriptors = [d for d in sense.descriptors if isinstance(d, VendorSpecificDescriptor)]
    if not vendor_code and not descriptors:
        return None
    model = f" ({device.product_identification})" if device is not None and device.product_identification else ""
    parts = []
    if vendor_code:
        parts.append(f"Seagate vendor specific additional sense {sense.asc:02X}h/{sense.ascq:02X}h "
                     f"under {sense.sense_key}; see the drive's product manual{model}")
    parts.extend(f"Seagate vendor descriptor {d.descriptor_type:02X}h: {d.data.hex()}" for d in descriptors)
    return Interpretation(text="; ".join(parts), record=tuple(descriptors))


@hookimpl
def sgframe_emulate_commands(disk: Any, kind: str) -> None:
    from .emu import install_seagate_pages

    install_seagate_pages(disk)
