"""``read``, ``write`` and ``verify`` over a range of logical blocks, in chunks, with a
progress bar and a summary."""
from __future__ import annotations

import argparse
import sys
import time
from typing import Any, Callable, Optional

from ..channel import Channel
from ..command import ReadCapacity10, ReadCapacity16, Read16, Verify16, Write16
from ..decode.capacity import decode_read_capacity10, decode_read_capacity16
from ..errors import TaskFailed, UsageError
from .base import Subcommand, warn
from .decoders import parse_hex
from .device import add_device, add_output, open_channel, parse_int
from .exitcodes import FILE_ERROR, CliError, exit_code_for
from .output import hexdump, print_json
from .progress import Progress
from .safety import add_safety, confirm, guard_medium

__all__ = ["READ", "WRITE", "VERIFY", "capacity"]

# 128 blocks: 64 KiB at 512-byte blocks, within every HBA's default max_sectors_kb and
# small enough that the progress bar moves.
_DEFAULT_CHUNK = 128


def capacity(channel: Channel) -> tuple[int, int]:
    """``(number of blocks, block length)``; READ CAPACITY (16) only when (10) says so."""
    rc10 = decode_read_capacity10(channel.execute(ReadCapacity10()).data)
    record: Any = rc10
    if rc10.needs_read_capacity16:
        record = decode_read_capacity16(channel.execute(ReadCapacity16(allocation_length=32)).data)
    if record.blocks is None or not record.block_length:
        raise CliError(f"{channel.name}: READ CAPACITY returned no usable capacity "
                       f"({'; '.join(record.problems) or 'block length 0'})", 99)
    channel.block_size = record.block_length
    return record.blocks, record.block_length


def _range(args: argparse.Namespace, blocks: int, default_count: Optional[int] = None) -> int:
    """The number of blocks to act on; checked against the capacity only by the device,
    so a range past the end fails the way the device says (ILLEGAL REQUEST)."""
    if args.lba < 0:
        raise UsageError(f"--lba is 0 or more, got {args.lba}")
    count = args.count if args.count is not None else default_count
    if count is None:
        count = blocks - args.lba
    if args.count is None and default_count is None and args.lba >= blocks:
        raise UsageError(f"--lba {args.lba} is past the last LBA ({blocks - 1}); give --count to send the command "
                         f"anyway")
    if count <= 0:
        raise UsageError(f"nothing to do: --count {count}")
    return count


def _check_chunk(args: argparse.Namespace, channel: Channel, count: int, block_size: int) -> None:
    """Refuse a --chunk the path cannot carry, before anything is sent or created, naming
    each limit that applies: the transport's (sg's 256 MiB, the host's max_hw_sectors_kb)
    and the device's MAXIMUM TRANSFER LENGTH from its Block Limits VPD page (B0h), where
    known. Called once per run, right after the range is known."""
    if args.chunk <= 0:
        raise UsageError(f"--chunk is at least 1 block, got {args.chunk}")
    chunk = min(args.chunk, count)
    limits = [(channel.transport.max_transfer // block_size, "what the host carries per command")]
    try:
        from ..command import Inquiry

        page = channel.execute(Inquiry(evpd=True, page_code=0xB0, allocation_length=64)).result
        maximum = getattr(page, "maximum_transfer_length", 0) or 0
        if maximum:
            limits.append((maximum, "the device's MAXIMUM TRANSFER LENGTH (Block Limits VPD page B0h)"))
    except TaskFailed:
        pass  # no Block Limits page: only the host's limit is known
    blocks, why = min(limits)
    if chunk > blocks:
        raise UsageError(f"--chunk {chunk} blocks of {block_size} bytes is more than {why} allows: "
                         f"{blocks} blocks; give --chunk {blocks} or less")


def _loop(args: argparse.Namespace, channel: Channel, count: int, block_size: int,
          step: Callable[[int, int, int], None]) -> dict:
    """Run ``step(lba, blocks, offset_blocks)`` over the range in chunks; the summary."""
    chunk = args.chunk
    progress = Progress(count, block_size, enabled=False if args.no_progress else None)
    done = 0
    failure: Optional[TaskFailed] = None
    started = time.monotonic()
    try:
        while done < count:
            n = min(chunk, count - done)
            try:
                step(args.lba + done, n, done)
            except TaskFailed as exc:
                failure = exc
                break
            done += n
            progress.update(done)
    finally:
        progress.finish(done)
    seconds = time.monotonic() - started
    return {
        "device": channel.name, "lba": args.lba, "blocks": count, "block_length": block_size,
        "blocks_done": done, "bytes_done": done * block_size, "seconds": round(seconds, 6),
        "mb_per_second": round(done * block_size / seconds / 1e6, 3) if seconds > 0 else None,
        "error": str(failure) if failure is not None else None,
        "error_lba": (failure.information if failure is not None and failure.information is not None
                      else (args.lba + done if failure is not None else None)),
        "exit_code": exit_code_for(failure) if failure is not None else 0,
    }


def _report(args: argparse.Namespace, verb: str, summary: dict, stream: Any = None) -> int:
    if args.json:
        print_json(summary)
    else:
        out = stream or sys.stdout
        rate = f", {summary['mb_per_second']} MB/s" if summary["mb_per_second"] else ""
        print(f"{verb} {summary['blocks_done']} of {summary['blocks']} blocks "
              f"({summary['bytes_done']} bytes) from LBA {summary['lba']} in {summary['seconds']:.3f} s{rate}",
              file=out)
        if summary["error"] is not None:
            warn(summary["error"], getattr(args, "subcommand", None))
    return summary["exit_code"]


def _common(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("--lba", type=parse_int, default=0, help="first logical block (default 0)")
    parser.add_argument("-n", "--count", type=parse_int, metavar="BLOCKS",
                        help="number of blocks (default: to the end of the device)")
    parser.add_argument("--chunk", type=parse_int, default=_DEFAULT_CHUNK, metavar="BLOCKS",
                        help=f"blocks per command (default {_DEFAULT_CHUNK})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (it is drawn only on a terminal)")


def _run_read(args: argparse.Namespace) -> int:
    if args.output == "-" and args.json:
        raise UsageError("--output - writes the data to stdout; it cannot also carry --json")
    with open_channel(args) as channel:
        blocks, block_size = capacity(channel)
        count = _range(args, blocks)
        _check_chunk(args, channel, count, block_size)  # before the output file exists
        received: list[bytes] = []
        out: Any = None
        if args.output == "-":
            out = sys.stdout.buffer
        elif args.output:
            try:
                out = open(args.output, "wb")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise CliError(f"{args.output}: {exc.strerror}", FILE_ERROR) from None

        def step(lba: int, n: int, _offset: int) -> None:
            data = channel.execute(Read16(lba=lba, transfer_length=n)).data
            if out is not None:
                out.write(data)
            elif args.hex:
                received.append(data)

        try:
            summary = _loop(args, channel, count, block_size, step)
        finally:
            if out is not None and out is not sys.stdout.buffer:
                out.close()
    if args.hex and out is None:
        data = b"".join(received)
        if args.json:
            summary["data"] = data.hex()
        else:
            hexdump(data)
    return _report(args, "Read", summary, sys.stderr if args.output == "-" else None)


def _read_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="write the data to FILE ('-': stdout)")
    add_output(parser, hex_help="print the data as a hex dump (with --json: as a hex string)")


READ = Subcommand(
    name="read", help="READ(16) over an LBA range", add_arguments=_read_arguments, run=_run_read,
    description="Read a range of logical blocks in chunks; the data can go to a file.",
)


def _source(args: argparse.Namespace, block_size: int) -> tuple[Optional[bytes], Optional[bytes]]:
    """``(whole input, pattern)``: the data of --input, or the bytes of --pattern."""
    if (args.input is None) == (args.pattern is None):
        raise UsageError("give the data to write: --input FILE or --pattern HEX (one of them)")
    if args.pattern is not None:
        return None, parse_hex([args.pattern], "--pattern")
    try:
        with open(args.input, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise CliError(f"{args.input}: {exc.strerror}", FILE_ERROR) from None
    if not data or len(data) % block_size:
        raise UsageError(f"{args.input} has {len(data)} bytes, not a whole number of {block_size}-byte blocks")
    return data, None


def _run_write(args: argparse.Namespace) -> int:
    guard_medium(args, "WRITE(16)")
    with open_channel(args) as channel:
        blocks, block_size = capacity(channel)
        data, pattern = _source(args, block_size)
        count = _range(args, blocks, len(data) // block_size if data is not None else None)
        _check_chunk(args, channel, count, block_size)
        if data is not None and len(data) < count * block_size:
            raise UsageError(f"{args.input} holds {len(data) // block_size} blocks, --count asks for {count}")
        if args.count is None and data is None or (args.lba == 0 and count >= blocks):
            confirm(args, f"write {count} blocks from LBA {args.lba} of {args.device}, "
                          f"{'the whole device' if args.lba == 0 and count >= blocks else 'to its end'}?")
        chunk_bytes = args.chunk * block_size
        filler = (pattern * (chunk_bytes // len(pattern) + 1))[:chunk_bytes] if pattern is not None else b""

        def step(lba: int, n: int, offset: int) -> None:
            size = n * block_size
            if data is not None:
                payload = data[offset * block_size: offset * block_size + size]
            else:
                # The pattern runs on across chunks as if the range were one buffer.
                shift = (offset * block_size) % len(pattern)
                payload = (filler[shift:] + filler[:shift])[:size] if shift else filler[:size]
            channel.execute(Write16(lba=lba, transfer_length=n), data=payload)

        summary = _loop(args, channel, count, block_size, step)
    return _report(args, "Wrote", summary)


def _write_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("-i", "--input", metavar="FILE", help="the data to write (its size sets the default --count)")
    parser.add_argument("-p", "--pattern", metavar="HEX", help="write these bytes repeated (e.g. 00, or deadbeef)")
    add_safety(parser)
    add_output(parser)


WRITE = Subcommand(
    name="write", help="WRITE(16) over an LBA range (safe by default)", add_arguments=_write_arguments,
    run=_run_write,
    description="Write a file or a repeated pattern over a range of logical blocks. Refuses a device that "
                "backs a mounted filesystem, swap or another block device unless --force; asks before "
                "writing the whole device (or to its end) unless --yes.",
)


def _run_verify(args: argparse.Namespace) -> int:
    with open_channel(args) as channel:
        blocks, block_size = capacity(channel)
        count = _range(args, blocks)
        _check_chunk(args, channel, count, block_size)

        def step(lba: int, n: int, _offset: int) -> None:
            # BYTCHK 0: the device checks the medium itself; no data crosses the bus (the
            # class is declared data-out for BYTCHK 1, so the channel wants data=, empty).
            channel.execute(Verify16(lba=lba, verification_length=n, bytchk=0))

        summary = _loop(args, channel, count, block_size, step)
    return _report(args, "Verified", summary)


def _verify_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    add_output(parser)


VERIFY = Subcommand(
    name="verify", help="VERIFY(16) over an LBA range (medium check, no data transfer)",
    add_arguments=_verify_arguments, run=_run_verify,
)
