"""``decode-sense`` and ``decode-cdb``: words for bytes, no device needed."""
from __future__ import annotations

import argparse
import re
from typing import Any, Sequence

import attrs

from ..cdb import fields_of
from ..errors import UsageError
from ..sense import Sense, decode_sense
from ..sense.sks import ProgressIndication, progress_percent_text
from .base import Subcommand
from .device import add_output
from .output import hexdump, print_json, to_jsonable

__all__ = ["DECODE_SENSE", "DECODE_CDB", "parse_hex", "sense_json", "sense_lines"]

_SEPARATORS = re.compile(r"[\s,:]+")


def parse_hex(words: Sequence[str], what: str) -> bytes:
    """Hex bytes as the user types them: ``"70 00 05"``, ``700005``, ``0x70,0x00``.

    :raises UsageError: something that is not hex, or an odd number of digits in a word.
    """
    out = bytearray()
    for word in words:
        for token in _SEPARATORS.split(word.strip()):
            if not token:
                continue
            if token.lower().startswith("0x"):
                token = token[2:]
            if len(token) % 2:
                if len(token) == 1:
                    token = "0" + token  # a lone digit is one byte, as sg_decode_sense reads it
                else:
                    raise UsageError(f"{what}: {token!r} has an odd number of hex digits")
            try:
                out += bytes.fromhex(token)
            except ValueError:
                raise UsageError(f"{what}: {token!r} is not hex") from None
    if not out:
        raise UsageError(f"{what}: no bytes given")
    return bytes(out)


def _typed(value: Any) -> Any:
    data = to_jsonable(value)
    if isinstance(data, dict) and attrs.has(type(value)):
        data = {"type": type(value).__name__, **data}
    return data


def sense_json(sense: Sense) -> dict:
    """Decoded sense as JSON: the record's fields, ``asc_text``, and a ``type`` key on
    the sense-key-specific field and each descriptor (their layouts differ)."""
    data = to_jsonable(sense)
    data["asc_text"] = sense.asc_text
    data["sense_key_specific"] = _typed(sense.sense_key_specific) if sense.sense_key_specific else None
    data["descriptors"] = [_typed(d) for d in sense.descriptors]
    if isinstance(sense.sense_key_specific, ProgressIndication):
        data["progress_percent"] = round(sense.sense_key_specific.percent, 2)
    data.pop("raw", None)
    return data


def sense_lines(sense: Sense) -> list[str]:
    """Readable lines for decoded sense, in the spirit of sg_decode_sense."""
    if not sense.raw and sense.problems:
        return [f"No sense data ({'; '.join(sense.problems)})"]
    if sense.response_code in (0x70, 0x71, 0x72, 0x73):
        head = (f"{'Fixed' if sense.format == 'fixed' else 'Descriptor'} format, "
                f"{'deferred' if sense.deferred else 'current'}; Sense key: {sense.sense_key}")
    else:
        head = f"Response code 0x{sense.response_code:02x}, read as fixed format; Sense key: {sense.sense_key}"
    lines = [head, f" Additional sense: {sense.asc_text} [{sense.asc:02X}h/{sense.ascq:02X}h]"]
    if sense.information is not None:
        lines.append(f"  Info fld=0x{sense.information:x} [{sense.information}]")
    if sense.command_specific:
        lines.append(f"  Command specific=0x{sense.command_specific:x}")
    sks = sense.sense_key_specific
    if isinstance(sks, ProgressIndication):
        lines.append(f"  Progress indication: {progress_percent_text(sks.progress_indication)}")
    elif sks is not None:
        lines.append(f"  Sense key specific: {sks}")
    if sense.fru:
        lines.append(f"  Field replaceable unit code: {sense.fru}")
    flags = [n for n, v in (("FILEMARK", sense.filemark), ("EOM", sense.eom), ("ILI", sense.ili),
                            ("SDAT_OVFL", sense.sdat_ovfl)) if v]
    if flags:
        lines.append("  " + " ".join(flags))
    shown = str(sense).split("; ")
    for descriptor in sense.descriptors:
        text = str(descriptor)
        if text in shown:
            lines.append(f"  {text}")
    for problem in sense.problems:
        lines.append(f"  problem: {problem}")
    return lines


def _run_decode_sense(args: argparse.Namespace) -> int:
    raw = parse_hex(args.bytes, "sense data")
    sense = decode_sense(raw)
    if args.json:
        print_json(sense_json(sense))
    else:
        if args.hex:
            hexdump(raw)
        print("\n".join(sense_lines(sense)))
    return 0


def _decode_sense_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bytes", nargs="+", metavar="HEX",
                        help="sense bytes in hex: '70 00 05 ...', 700005..., or 0x70,0x00,...")
    add_output(parser, hex_help="also print the bytes as a hex dump")


DECODE_SENSE = Subcommand(
    name="decode-sense", help="decode sense data given in hex", add_arguments=_decode_sense_arguments,
    run=_run_decode_sense,
    description="Decode fixed or descriptor format sense data (SPC-5 4.4), like sg_decode_sense.",
)


def _field_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return f"{value} (0x{value:x})" if isinstance(value, int) and value > 9 else str(value)


def _run_decode_cdb(args: argparse.Namespace) -> int:
    from ..plugins import manager

    raw = parse_hex(args.bytes, "CDB")
    plugins = manager()
    command = plugins.decode_cdb(raw)  # the standard commands, then every loaded plugin's
    cls = type(command)
    info, _ = plugins.describe(cls)
    fields = {name: getattr(command, name) for name, _, _ in fields_of(cls)}
    if args.json:
        print_json({"command": to_jsonable(info), "cdb": raw.hex(), "fields": fields})
        return 0
    if args.hex:
        hexdump(raw)
    print(str(info))
    width = max((len(n) for n in fields), default=0)
    for name, value in fields.items():
        print(f"  {name:<{width}}  {_field_value(value)}")
    return 0


def _decode_cdb_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bytes", nargs="+", metavar="HEX", help="the CDB in hex: '28 00 00 ...' or 2800...")
    add_output(parser, hex_help="also print the bytes as a hex dump")


DECODE_CDB = Subcommand(
    name="decode-cdb", help="name a CDB given in hex and list its fields",
    add_arguments=_decode_cdb_arguments, run=_run_decode_cdb,
    description="Find the registered command for a CDB (by opcode and service action) and decode its fields.",
)
