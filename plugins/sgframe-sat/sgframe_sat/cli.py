"""The SAT plugin's subcommands: ``sat-identify`` (sg_sat_identify) and ``smart`` (the
SMART health, attributes and thresholds ``smartctl -a`` shows), both through ATA
PASS-THROUGH. Registered by the plugin's ``sgframe_register_subcommands`` hook, and
imported only when one of them runs."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from sgframe.cli.base import Subcommand
from sgframe.cli.device import add_device, add_output, add_readonly, open_channel
from sgframe.cli.output import print_json, to_jsonable
from sgframe.errors import UsageError

from .ata import Sat, identify_device, identify_packet_device
from .attributes import attribute_rows
from .commands import AtaPassThrough12
from .identify import decode_identify_device

__all__ = ["SAT_IDENTIFY", "SMART", "identify_words", "wwn_of", "smart_lines", "EXIT_SMART_FAILING"]

#: smartctl's exit status bit 3 ("SMART status check returned DISK FAILING"); sgframe
#: gives it as the whole exit code, as nothing else went wrong when it is returned.
EXIT_SMART_FAILING = 8


def identify_words(data: bytes) -> list[str]:
    """IDENTIFY data as sg_sat_identify prints it: the word offset in hex, eight 16-bit
    words a line (ATA words are little-endian), then each word's two characters, high
    byte first, as ATA strings are stored."""
    words = [data[i] | data[i + 1] << 8 for i in range(0, len(data) - 1, 2)]
    char = lambda b: chr(b) if 32 <= b < 127 else "."  # noqa: E731
    return [f"{n:02x}   " + " ".join(f"{w:04x}" for w in words[n:n + 8]) + "  "
            + " ".join(char(w >> 8) + char(w & 0xFF) for w in words[n:n + 8]) for n in range(0, len(words), 8)]


def wwn_of(data: bytes) -> int:
    """Words 108-111, most significant first (0 when word 87 bit 8 says none)."""
    word = lambda n: data[2 * n] | data[2 * n + 1] << 8  # noqa: E731
    if not word(87) >> 8 & 1:
        return 0
    return word(108) << 48 | word(109) << 32 | word(110) << 16 | word(111)


def _run_identify(args: argparse.Namespace) -> int:
    if args.len not in (12, 16):
        raise UsageError(f"--len is 12 or 16 (ATA PASS-THROUGH (32) is not sent here), got {args.len}")
    command: Any = identify_packet_device() if args.packet else identify_device()
    if args.len == 12:
        command = AtaPassThrough12(protocol=command.protocol, t_dir=True, byte_block=True,
                                   t_length=command.t_length, count=1, command=command.command)
    if args.ck_cond or args.extend:
        import attrs

        command = attrs.evolve(command, ck_cond=args.ck_cond, **({"extend": True} if args.extend and args.len == 16
                                                                 else {}))
    with open_channel(args) as channel:
        data = channel.execute(command).data
    ident = decode_identify_device(data)
    if args.raw:
        sys.stdout.buffer.write(data)
    elif args.json:
        print_json({**to_jsonable(ident), "wwn": f"0x{wwn_of(data):016x}", "capacity": ident.capacity})
    elif args.ident:
        print(f"0x{wwn_of(data):016x}")
    elif args.hex:
        print(f"Response for IDENTIFY {'PACKET ' if args.packet else ''}DEVICE ATA command:")
        print("\n".join(identify_words(data)))
    else:
        print(f"Model number:       {ident.model_number}\nSerial number:      {ident.serial_number}\n"
              f"Firmware revision:  {ident.firmware_revision}\nWorld wide name:    0x{wwn_of(data):016x}\n"
              f"User capacity:      {ident.user_addressable_sectors} sectors of {ident.logical_sector_size} bytes "
              f"({ident.capacity} bytes)\nMajor versions:     {', '.join(ident.major_version) or '-'}\n"
              f"Features:           {', '.join(ident.features_supported) or '-'}\n"
              f"Enabled:            {', '.join(ident.features_enabled) or '-'}")
        for problem in ident.problems:
            print(f"problem: {problem}")
    return 0


def _identify_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-c", "--ck_cond", "--ck-cond", dest="ck_cond", action="store_true", help="set CK_COND")
    parser.add_argument("-e", "--extend", action="store_true", help="set EXTEND")
    parser.add_argument("-i", "--ident", action="store_true", help="print the world wide name (0x...) only")
    parser.add_argument("-l", "--len", type=int, default=16, metavar="CLEN", help="CDB length: 12 or 16 (default)")
    parser.add_argument("-r", "--raw", action="store_true", help="write the 512 bytes to stdout")
    parser.add_argument("-p", "--packet", action="store_true",
                        help="IDENTIFY PACKET DEVICE (A1h, an ATAPI device) instead of IDENTIFY DEVICE (ECh)")
    add_readonly(parser, "-R")
    add_output(parser)
    parser.add_argument("-H", "--hex", action="store_true",
                        help="print the 256 words in hex with their characters, as sg_sat_identify does")


SAT_IDENTIFY = Subcommand(
    name="sat-identify", help="ATA IDENTIFY DEVICE through SAT (sg_sat_identify)",
    add_arguments=_identify_arguments, run=_run_identify,
)


def _size_text(nbytes: int) -> str:
    for unit, size in (("TB", 10 ** 12), ("GB", 10 ** 9), ("MB", 10 ** 6)):
        if nbytes >= size:
            return f"{nbytes / size:.1f} {unit}"
    return f"{nbytes} bytes"


def smart_lines(ident: Any, healthy: Any, rows: tuple) -> list[str]:
    """The parts of ``smartctl -a`` this reproduces: the information section, the overall
    health line and the attribute table, in smartctl's columns."""
    rotation = "Solid State Device" if ident.solid_state else (
        f"{ident.rotation_rate} rpm" if ident.rotation_rate else "Unknown")
    enabled = "Enabled" if "smart" in ident.features_enabled else "Disabled"
    lines = ["=== START OF INFORMATION SECTION ===",
             f"Device Model:     {ident.model_number}", f"Serial Number:    {ident.serial_number}",
             f"Firmware Version: {ident.firmware_revision}",
             f"User Capacity:    {ident.capacity:,} bytes [{_size_text(ident.capacity)}]",
             f"Sector Size:      {ident.logical_sector_size} bytes logical/physical" if
             ident.logical_sector_size == ident.physical_sector_size else
             f"Sector Sizes:     {ident.logical_sector_size} bytes logical, {ident.physical_sector_size} bytes physical",
             f"Rotation Rate:    {rotation}",
             f"SMART support is: {'Available - device has SMART capability.' if 'smart' in ident.features_supported else 'Unavailable'}",
             f"SMART support is: {enabled}", "",
             "=== START OF READ SMART DATA SECTION ===",
             "SMART overall-health self-assessment test result: "
             + ("PASSED" if healthy else "FAILED!" if healthy is False else "UNKNOWN"), "",
             "ID# ATTRIBUTE_NAME          FLAG     VALUE WORST THRESH TYPE      UPDATED  WHEN_FAILED RAW_VALUE"]
    for r in rows:
        thresh = "---" if r.threshold is None else f"{r.threshold:03d}"
        # smartctl's columns: the name in 24, TYPE in 10, UPDATED in 9, WHEN_FAILED in 12
        # (a dash indented by four).
        failed = "    -" if r.when_failed == "-" else r.when_failed
        lines.append(f"{r.id:3d} {r.name:<24}0x{r.flags:04x}   {r.value:03d}   {r.worst:03d}   {thresh:<3}    "
                     f"{r.type:<10}{r.updated:<9}{failed:<12}{r.raw_text}")
    return lines


def _run_smart(args: argparse.Namespace) -> int:
    with open_channel(args) as channel:
        sat = Sat(channel)
        ident = sat.identify()
        healthy = sat.smart_status()
        data = sat.smart_data()
        thresholds = sat.smart_thresholds()
    rows = attribute_rows(data, thresholds)
    code = EXIT_SMART_FAILING if healthy is False else 0
    if args.json:
        print_json({"model_number": ident.model_number, "serial_number": ident.serial_number,
                    "firmware_revision": ident.firmware_revision, "user_capacity": ident.capacity,
                    "smart_status_passed": healthy, "attributes": [to_jsonable(r) for r in rows],
                    "offline_data_collection_status": data.offline_data_collection_status,
                    "self_test_execution_status": data.self_test_execution_status,
                    "problems": list(ident.problems + data.problems + thresholds.problems), "exit_code": code})
    else:
        print("\n".join(smart_lines(ident, healthy, rows)))
        for problem in ident.problems + data.problems + thresholds.problems:
            print(f"problem: {problem}")
    return code


def _smart_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    add_output(parser)


SMART = Subcommand(
    name="smart", help="SMART health, attributes and thresholds through SAT (like smartctl -a)",
    add_arguments=_smart_arguments, run=_run_smart,
    description="SMART health, attributes and thresholds through SAT, as smartctl -a -d sat shows them; "
                f"exit code {EXIT_SMART_FAILING} when SMART RETURN STATUS says the drive is failing.",
)
