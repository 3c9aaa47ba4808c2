"""The built-in plugin: the SPC/SBC/ZBC commands, the standard decoders and sense text, the
sg/bsg/emu transports, the emulated disk kinds and the subcommands, registered through the
same hooks an installed plugin uses.

Its decoding and sense hooks run last (``trylast``) and always answer, so any other
plugin gets the first word on a page or a sense code and the standard decoders are the
fallback.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from .hookspecs import hookimpl
from .plugin_types import LazySubcommand

if TYPE_CHECKING:
    from .plugin_types import DeviceIdentity, EmuKinds, Interpretation, SubcommandRegistry, TransportRegistry
    from .registry import CommandRegistry
    from .sense import Sense

#: sgframe's subcommands: (name, "module:ATTRIBUTE" of its Subcommand, one line of help).
#: Named, not imported: the command line imports only the one that runs (a test checks
#: that each help line is the Subcommand's own).
SUBCOMMANDS = (
    ("scan", "sgframe.cli.scan:SCAN", "list SCSI devices and their sg, block and bsg nodes"),
    ("inq", "sgframe.cli.inquiry:INQ", "INQUIRY: standard data or VPD pages"),
    ("readcap", "sgframe.cli.inquiry:READCAP", "READ CAPACITY: number of blocks and block length"),
    ("tur", "sgframe.cli.unit:TUR", "TEST UNIT READY: is the device ready?"),
    ("requests", "sgframe.cli.unit:REQUESTS", "REQUEST SENSE, with progress indication"),
    ("reset", "sgframe.cli.unit:RESET", "reset the device, target, bus or host (SG_SCSI_RESET)"),
    ("luns", "sgframe.cli.inquiry:LUNS", "REPORT LUNS"),
    ("opcodes", "sgframe.cli.inquiry:OPCODES", "REPORT SUPPORTED OPERATION CODES"),
    ("modes", "sgframe.cli.pages:MODES", "MODE SENSE: mode pages"),
    ("logs", "sgframe.cli.pages:LOGS", "LOG SENSE: log pages"),
    ("raw", "sgframe.cli.raw:RAW", "send any CDB given in hex (like sg_raw)"),
    ("decode-sense", "sgframe.cli.decoders:DECODE_SENSE", "decode sense data given in hex"),
    ("decode-cdb", "sgframe.cli.decoders:DECODE_CDB", "name a CDB given in hex and list its fields"),
    ("read", "sgframe.cli.media:READ", "READ(16) over an LBA range"),
    ("write", "sgframe.cli.media:WRITE", "WRITE(16) over an LBA range (safe by default)"),
    ("verify", "sgframe.cli.media:VERIFY", "VERIFY(16) over an LBA range (medium check, no data transfer)"),
    ("commands", "sgframe.cli.registry:COMMANDS", "every registered SCSI command (plugins' included)"),
    ("plugins", "sgframe.cli.registry:PLUGINS", "what is loaded: plugins, subcommands, command modules"),
    ("ses", "sgframe.cli.ses:SES", "SCSI Enclosure Services: pages, IDENT and FAULT (sg_ses)"),
    ("persist", "sgframe.cli.persist:PERSIST", "PERSISTENT RESERVE IN/OUT: keys, reservations (sg_persist)"),
    ("rtpg", "sgframe.cli.alua:RTPG", "REPORT TARGET PORT GROUPS: ALUA states (sg_rtpg)"),
    ("stpg", "sgframe.cli.alua:STPG", "SET TARGET PORT GROUPS: change ALUA states (sg_stpg)"),
    ("lba-status", "sgframe.cli.provisioning:LBA_STATUS",
     "GET LBA STATUS: provisioning of LBA ranges (sg_get_lba_status)"),
    ("unmap", "sgframe.cli.provisioning:UNMAP", "UNMAP: deallocate LBA ranges (sg_unmap; safe by default)"),
    ("write-same", "sgframe.cli.provisioning:WRITE_SAME",
     "WRITE SAME: one block over an LBA range (sg_write_same; safe by default)"),
    ("zones", "sgframe.cli.zones:ZONES",
     "REPORT ZONES, and OPEN/CLOSE/FINISH/RESET zones (sg_rep_zones, sg_zone)"),
    ("start", "sgframe.cli.startstop:START",
     "START STOP UNIT: start, stop, eject, load, power condition (sg_start)"),
    ("sync", "sgframe.cli.startstop:SYNC", "SYNCHRONIZE CACHE: flush the write cache (sg_sync)"),
    ("format", "sgframe.cli.formatting:FORMAT", "FORMAT UNIT, with progress (sg_format; safe by default)"),
    ("sanitize", "sgframe.cli.formatting:SANITIZE",
     "SANITIZE: overwrite, block or crypto erase (sg_sanitize; safe by default)"),
    ("wr-mode", "sgframe.cli.wr_mode:WR_MODE", "MODE SELECT: change a mode page (sg_wr_mode)"),
    ("read-buffer", "sgframe.cli.buffer:READ_BUFFER",
     "READ BUFFER: data, descriptor and echo modes (sg_read_buffer)"),
    ("write-buffer", "sgframe.cli.buffer:WRITE_BUFFER",
     "WRITE BUFFER: data, echo and microcode modes (sg_write_buffer)"),
    ("dd", "sgframe.cli.dd:DD", "copy blocks device to device or file (sg_dd), with progress and throughput"),
    ("conformance", "sgframe.cli.conformance:CONFORMANCE", "run the SPC/SBC/ZBC conformance suite against a device (pytest)"),
    ("lab", "sgframe.cli.lab:LAB", "serve emulated devices to the kernel through TCMU (a real /dev/sgN)"),
)


@hookimpl
def sgframe_register_commands(registry: CommandRegistry) -> None:
    from .command._index import COMMANDS

    # By index row: a command's module is imported when the command is first looked up.
    registry.add_indexed("sgframe.command", COMMANDS)


@hookimpl
def sgframe_register_transports(registry: TransportRegistry) -> None:
    from .transport import BUILTIN_SCHEMES

    for scheme, opener in BUILTIN_SCHEMES.items():
        registry.add(scheme, opener)


@hookimpl
def sgframe_register_emu_kinds(kinds: EmuKinds) -> None:
    from .emu.uri import KINDS

    # The emu package declares disk and zoned itself (it works without plugins loaded);
    # registering them again here lists them as the built-in plugin's.
    for kind in ("disk", "zoned"):
        factory, parameters = KINDS[kind]
        kinds.add(kind, factory, parameters)


@hookimpl
def sgframe_register_subcommands(registry: SubcommandRegistry) -> None:
    for name, target, help_line in SUBCOMMANDS:
        registry.add(LazySubcommand(name, help_line, target))


@hookimpl(trylast=True)
def sgframe_interpret_sense(sense: Sense, device: Optional[DeviceIdentity]) -> Optional[Interpretation]:
    from .plugin_types import Interpretation

    return Interpretation(text=sense.asc_text, record=None)


@hookimpl(trylast=True)
def sgframe_decode_vpd_page(page_code: int, data: bytes, device: Optional[DeviceIdentity]) -> Any:
    from .decode import decode_vpd

    return decode_vpd(data)


@hookimpl(trylast=True)
def sgframe_decode_mode_page(page_code: int, subpage_code: int, data: bytes, device: Optional[DeviceIdentity]) -> Any:
    from .decode import decode_mode_page

    return decode_mode_page(data)


@hookimpl(trylast=True)
def sgframe_decode_log_page(page_code: int, subpage_code: int, data: bytes, device: Optional[DeviceIdentity]) -> Any:
    from .decode import decode_log_page

    return decode_log_page(data)
