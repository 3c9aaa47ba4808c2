"""``raw``: any CDB, given in hex, with sg_raw's report (status, sense, a hex dump)."""
from __future__ import annotations

import argparse
import os
from typing import Any

from ..command import FormatUnit, Sanitize
from ..errors import UsageError
from ..judge import exception_for
from ..io import Input
from ..sense import decode_sense
from ..host_status import host_status_text
from ..status import status_text
from .base import Subcommand
from .decoders import parse_hex, sense_json, sense_lines
from .device import add_device, add_output, open_channel, parse_int
from .exitcodes import FILE_ERROR, CliError, exit_code_for
from .output import hexdump, print_json
from .safety import add_safety, confirm, guard_medium

__all__ = ["RAW", "medium_effect"]

# Commands that act on the whole medium at once: asked about unless --yes.
_WHOLE_DEVICE = {(FormatUnit.OPCODE, FormatUnit.SERVICE_ACTION), (Sanitize.OPCODE, None)}


def _accept_anything(io: Any) -> None:
    return None


def medium_effect(cdb: bytes) -> tuple[str, bool, bool]:
    """``(name, modifies_medium, whole_device)`` for a CDB.

    A CDB the registry cannot decode counts as modifying the medium: a vendor command
    may do anything, and safe by default means asking for ``--force`` on a device in use.
    """
    from ..plugins import manager

    try:
        cls = type(manager().decode_cdb(cdb))  # a loaded plugin's commands count too
    except UsageError:
        return f"opcode 0x{cdb[0]:02x}", True, False
    whole = (cls.OPCODE, cls.SERVICE_ACTION) in _WHOLE_DEVICE or cls.OPCODE in (FormatUnit.OPCODE, Sanitize.OPCODE)
    return cls.NAME, cls.MODIFIES_MEDIUM, whole


def _data_out(text: str) -> bytes:
    if os.path.exists(text):
        try:
            with open(text, "rb") as f:
                return f.read()
        except OSError as exc:
            raise CliError(f"{text}: {exc.strerror}", FILE_ERROR) from None
    try:
        return parse_hex([text], "--send")
    except UsageError:
        raise UsageError(f"--send {text!r} is neither a file nor hex bytes") from None


def _run_raw(args: argparse.Namespace) -> int:
    cdb = parse_hex(args.cdb, "CDB")
    if not 6 <= len(cdb) <= 252:
        raise UsageError(f"a CDB is 6 to 252 bytes (the sg driver's limit), got {len(cdb)}")
    if args.request is not None and args.send is not None:
        raise UsageError("give --request or --send, not both (sg v3 has no bidirectional path)")
    if args.request is not None and not 0 <= args.request <= 0x7FFFFFFF:
        raise UsageError(f"--request is a byte count, 0..2147483647; got {args.request}")
    data = _data_out(args.send) if args.send is not None else None
    name, modifies, whole = medium_effect(cdb)
    if modifies:
        guard_medium(args, name)
    if whole:
        confirm(args, f"{name} acts on the whole medium of {args.device}; go ahead?")
    with open_channel(args) as channel:
        # Any outcome is accepted here: raw prints what the device said, like sg_raw.
        io = channel.execute_raw(cdb, data=data, request=args.request or 0, name=name,
                                 timeout=int(args.timeout * 1000), verify_handler=_accept_anything)
        device = channel.name
    hdr = io.hdr
    failure = exception_for(hdr.status, hdr.host_status, hdr.driver_status, hdr.sense or None,
                            command=name, device=device)
    code = exit_code_for(failure) if failure is not None and not failure.informational else 0
    # Data counts as received only when the command succeeded: after CHECK CONDITION the
    # kernel leaves resid at 0, so the buffer would look full of whatever it held (sg_raw
    # says no data was received, and so do we).
    succeeded = failure is None or failure.informational
    received = io.data if isinstance(io, Input) and succeeded else b""
    if args.outfile and received:
        try:
            with open(args.outfile, "wb") as f:
                f.write(received)
        except OSError as exc:
            raise CliError(f"{args.outfile}: {exc.strerror}", FILE_ERROR) from None
    if args.json:
        print_json({
            "cdb": cdb.hex(), "command": name, "status": hdr.status, "status_name": status_text(hdr.status),
            "host_status": hdr.host_status, "driver_status": hdr.driver_status, "resid": hdr.resid,
            "duration": hdr.duration, "sense": sense_json(decode_sense(hdr.sense)) if hdr.sense else None,
            "data": received.hex(), "sent": len(data) if data is not None else 0, "exit_code": code,
        })
        return code
    print(f"    cdb to send: {cdb.hex(' ')} ({name})")
    if data is not None:
        print(f"    {len(data)} bytes of data to send")
    if hdr.host_status:
        print(f"Host status: {host_status_text(hdr.host_status)}")
    print(f"SCSI Status: {status_text(hdr.status).title()}")
    if hdr.sense:
        print()
        print("Sense Information:")
        print("\n".join(sense_lines(decode_sense(hdr.sense))))
    if isinstance(io, Input):
        print()
        if args.outfile and received:
            print(f"Received {len(received)} bytes of data, written to {args.outfile}")
        elif received:
            print(f"Received {len(received)} bytes of data:")
            hexdump(received)
        else:
            print("No data received")
    return code


def _raw_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("cdb", nargs="+", metavar="CDB", help="the CDB in hex: '12 00 00 00 24 00' or 120000002400")
    parser.add_argument("-r", "--request", type=parse_int, metavar="N", help="read N bytes of data from the device")
    parser.add_argument("-s", "--send", metavar="FILE|HEX", help="send data to the device: a file's bytes, or hex")
    parser.add_argument("-o", "--outfile", metavar="FILE", help="write the data received to FILE")
    add_safety(parser)
    add_output(parser)


RAW = Subcommand(
    name="raw", help="send any CDB given in hex (like sg_raw)", add_arguments=_raw_arguments, run=_run_raw,
    description="Send a CDB and print the status, the decoded sense and a hex dump of the data. "
                "A CDB that modifies the medium (by the command registry; an unknown opcode counts as "
                "one) is refused on a device in use unless --force; FORMAT UNIT and SANITIZE ask first "
                "unless --yes.",
)
