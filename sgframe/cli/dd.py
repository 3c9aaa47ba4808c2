"""``dd``: copy blocks between SCSI devices and files (sg_dd).

Operands are sg_dd's ``key=value`` words: ``if=``, ``of=``, ``bs=``, ``bpt=``, ``count=``,
``skip=``, ``seek=``. A side that names a device (``/dev/sgN``, ``/dev/sdX``, a bsg node,
H:C:T:L or a URI such as ``emu:disk``) is read with READ(16) or written with WRITE(16),
``bpt`` blocks a command; any other name is a file (``-`` for stdin or stdout). As sg_dd
does, it ends with the records in and out, and a throughput line, on stderr; a progress bar
is drawn while stderr is a terminal. Writing to a device keeps the mounted-device safety.

sg_dd's options: ``--dry-run`` opens both sides and checks them, says what would be copied
and stops; ``--progress`` prints sg_dd's progress report every 2 minutes (1 minute when
given twice, 30 seconds three times) and "Completed:" before the final counts;
``--verify`` reads ``if=`` and compares it with ``of=`` (a device) by VERIFY(16) with
BYTCHK=1 instead of writing, stopping at the first miscompare (exit 14).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from typing import Any, BinaryIO, Optional

from ..command import Read16, Verify16, Write16
from ..errors import TaskFailed, UsageError
from .base import Subcommand
from .device import add_output, is_uri, open_channel
from .exitcodes import CONTRADICT, FILE_ERROR, MISCOMPARE, CliError, exit_code_for
from .media import capacity
from .output import print_json
from .progress import Progress
from .safety import guard_medium

__all__ = ["DD", "parse_operands", "is_scsi_device", "DEFAULT_BPT"]

#: sg_dd's default blocks per transfer (128 blocks: 64 KiB at 512 bytes).
DEFAULT_BPT = 128
#: Seconds between sg_dd --progress reports, by how often the option was given (-p, -pp, -ppp).
PROGRESS_INTERVALS = (120.0, 60.0, 30.0)
_HCTL = re.compile(r"^\d+:\d+:\d+:\d+$")
# Device nodes that are plain byte streams, read and written as files.
_STREAMS = ("/dev/null", "/dev/zero", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/urandom", "/dev/random")
_NUMBER_KEYS = ("bs", "bpt", "count", "skip", "seek")
_SUFFIXES = {"c": 1, "w": 2, "b": 512, "k": 1024, "kib": 1024, "kb": 1000, "m": 1 << 20, "mib": 1 << 20,
             "mb": 1000 ** 2, "g": 1 << 30, "gib": 1 << 30, "gb": 1000 ** 3}


def _number(key: str, text: str) -> int:
    """sg_dd's numbers: decimal, 0x hex, or with a multiplier suffix (k, m, g, kb ...)."""
    t = text.strip().lower()
    try:
        if t.startswith("0x"):
            return int(t, 16)
        m = re.fullmatch(r"(\d+)([a-z]*)", t)
        if m is None or (m.group(2) and m.group(2) not in _SUFFIXES):
            raise ValueError
        return int(m.group(1)) * _SUFFIXES.get(m.group(2), 1)
    except ValueError:
        raise UsageError(f"{key}={text}: a number (decimal, 0x hex, or with k, m, g, kb ... )") from None


def parse_operands(words: list[str]) -> dict:
    """``key=value`` operands as a dict (numbers converted).

    :raises UsageError: a word that is not key=value, an unknown key, a key given twice.
    """
    out: dict = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not value:
            raise UsageError(f"{word!r} is not an operand: give if=, of=, bs=, bpt=, count=, skip=, seek=")
        if key not in ("if", "of") + _NUMBER_KEYS:
            raise UsageError(f"unknown operand {key}=; known: if, of, bs, bpt, count, skip, seek")
        if key in out:
            raise UsageError(f"{key}= given twice")
        out[key] = _number(key, value) if key in _NUMBER_KEYS else value
    return out


def is_scsi_device(name: str) -> bool:
    """True when ``name`` is opened as a SCSI device, False when it is read as a file."""
    if name == "-" or name in _STREAMS:
        return False
    if is_uri(name) or _HCTL.match(name):
        return True
    return name.startswith("/dev/")


def _file_mode(name: str, writing: bool) -> str:
    """sg_dd truncates an output file only when asked (its oflag=trunc): an existing
    regular file is written in place, so seek= leaves the blocks before it alone."""
    if not writing:
        return "rb"
    return "r+b" if os.path.isfile(name) else "wb"


class _Side:
    """One end of the copy: a channel with its block size, or a file."""

    def __init__(self, name: str, writing: bool, force: bool) -> None:
        self.name = name
        self.channel: Any = None
        self.file: Optional[BinaryIO] = None
        self.blocks: Optional[int] = None
        self.block_size: Optional[int] = None
        if is_scsi_device(name):
            if writing:
                guard_medium(argparse.Namespace(device=name, force=force), "WRITE(16)")
            self.channel = open_channel(argparse.Namespace(device=name, timeout=60.0))
            self.blocks, self.block_size = capacity(self.channel)
            return
        try:
            if name == "-":
                self.file = sys.stdout.buffer if writing else sys.stdin.buffer
            else:
                self.file = open(name, _file_mode(name, writing))  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise CliError(f"{name}: {exc.strerror}", FILE_ERROR) from None

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
        if self.file is not None and self.file not in (sys.stdout.buffer, sys.stdin.buffer):
            self.file.close()


class _Reporter:
    """sg_dd --progress: every interval, on stderr, "Progress report, continuing ..." and
    the counts so far (sg_dd's print_stats and calc_duration_throughput with "so far")."""

    def __init__(self, times: int, verb: str) -> None:
        self.interval = PROGRESS_INTERVALS[min(times, len(PROGRESS_INTERVALS)) - 1] if times else None
        self.verb = verb
        self.started = time.monotonic()
        self.next = self.started + (self.interval or 0.0)
        self.reports = 0

    def tick(self, remaining: Optional[int], done_in: int, done_out: int, bs: int) -> None:
        if self.interval is None:
            return
        now = time.monotonic()
        if now < self.next:
            return
        self.next = now + self.interval
        self.reports += 1
        seconds = now - self.started
        lines = ["Progress report, continuing ..."]
        if remaining is not None:
            lines.append(f"  remaining block count={remaining}")
        lines += [f"  {done_in}+0 records in", f"  {done_out}+0 records {self.verb}"]
        if seconds > 0:
            lines.append(f"  time to transfer data so far: {seconds:.6f} secs at "
                         f"{done_out * bs / seconds / 1e6:.2f} MB/sec")
        print("\n".join(lines), file=sys.stderr, flush=True)


def _run(args: argparse.Namespace) -> int:
    ops = parse_operands(args.operands)
    if "if" not in ops:
        raise UsageError("if= is needed (a device or a file; '-' for stdin)")
    of = ops.get("of", "/dev/null")
    if of == "-" and args.json:
        raise UsageError("of=- writes the data to stdout; it cannot also carry --json")
    if args.verify and not is_scsi_device(of):
        # sg_dd: "--verify only supported when OFILE is a sg device or oflag=sgio" (exit 31).
        raise CliError(f"--verify compares with VERIFY(16) on of=, which must be a SCSI device; {of!r} is a file",
                       CONTRADICT)
    bpt = ops.get("bpt", DEFAULT_BPT)
    if bpt <= 0:
        raise UsageError(f"bpt= is 1 or more, got {bpt}")
    source = _Side(ops["if"], False, args.force)
    try:
        # --verify writes nothing: the output is opened as a device to compare with, not
        # guarded as one being written.
        sink = _Side(of, not args.verify, args.force)
    except BaseException:
        source.close()
        raise
    try:
        return _copy(args, ops, source, sink, bpt)
    finally:
        source.close()
        sink.close()


def _copy(args: argparse.Namespace, ops: dict, source: _Side, sink: _Side, bpt: int) -> int:
    sizes = {s.name: s.block_size for s in (source, sink) if s.block_size}
    bs = ops.get("bs", next(iter(sizes.values()), 512))
    for name, size in sizes.items():
        if bs != size:
            raise UsageError(f"bs={bs}, but {name} has {size}-byte blocks (sg_dd wants them equal)")
    skip, seek = ops.get("skip", 0), ops.get("seek", 0)
    count = ops.get("count")
    if count is None:
        if source.blocks is not None:
            count = source.blocks - skip
        elif source.file is not None and source.name != "-" and os.path.isfile(source.name):
            count = os.path.getsize(source.name) // bs - skip
        else:
            count = -1  # a stream: until it ends
    if args.dry_run:
        return _dry_run(args, source, sink, bs, bpt, skip, seek, count)
    if source.file is not None and skip:
        source.file.seek(skip * bs) if source.file.seekable() else source.file.read(skip * bs)
    if sink.file is not None and seek and sink.file.seekable():
        sink.file.seek(seek * bs)
    # A stream of unknown length has no fraction to draw.
    progress = Progress(max(count, 1), bs, enabled=False if args.no_progress or count < 0 else None)
    verb = "verified" if args.verify else "out"
    reporter = _Reporter(args.progress, verb)
    done_in = done_out = 0
    failure: Optional[TaskFailed] = None
    started = time.monotonic()
    try:
        while count < 0 or done_in < count:
            n = bpt if count < 0 else min(bpt, count - done_in)
            try:
                if source.channel is not None:
                    data = source.channel.execute(Read16(lba=skip + done_in, transfer_length=n)).data
                else:
                    data = source.file.read(n * bs)  # type: ignore[union-attr]
                    if not data:
                        break
                    n = len(data) // bs
                    if len(data) % bs:
                        data += bytes(bs - len(data) % bs)  # sg_dd pads a partial last record
                        n += 1
                done_in += n
                if args.verify:
                    # BYTCHK=1: the device compares the data-out with its blocks (MISCOMPARE if not equal).
                    sink.channel.execute(Verify16(bytchk=1, lba=seek + done_out, verification_length=n), data=data)
                elif sink.channel is not None:
                    sink.channel.execute(Write16(lba=seek + done_out, transfer_length=n), data=data)
                else:
                    sink.file.write(data)  # type: ignore[union-attr]
                done_out += n
            except TaskFailed as exc:
                failure = exc
                break
            progress.update(done_out)
            reporter.tick(None if count < 0 else count - done_in, done_in, done_out, bs)
    finally:
        progress.finish(done_out)
    seconds = time.monotonic() - started
    rate = done_out * bs / seconds / 1e6 if seconds > 0 else None
    code = exit_code_for(failure) if failure is not None else 0
    summary = {"if": source.name, "of": sink.name, "bs": bs, "bpt": bpt, "skip": skip, "seek": seek,
               "records_in": done_in, "records_out": done_out, "bytes": done_out * bs, "verify": args.verify,
               "progress_reports": reporter.reports,
               "seconds": round(seconds, 6), "mb_per_second": None if rate is None else round(rate, 3),
               "error": None if failure is None else str(failure), "exit_code": code}
    if failure is not None:
        print(f"sgframe dd: {failure}", file=sys.stderr)
        if args.verify and code == MISCOMPARE:
            print(f"sgframe dd: VERIFY reports miscompare in the {n} blocks from LBA {seek + done_out} of {sink.name}",
                  file=sys.stderr)
    counts = f"{done_in}+0 records in\n{done_out}+0 records {verb}"
    timing = None if rate is None else f"time to transfer data: {seconds:.6f} secs at {rate:.2f} MB/sec"
    if args.progress:
        # sg_dd -p: the throughput, then "Completed:" telling the final counts from the reports.
        print("\n".join(filter(None, (timing, "\nCompleted:", counts))), file=sys.stderr)
    else:
        print("\n".join(filter(None, (counts, timing))), file=sys.stderr)
    if args.json:
        print_json(summary)
    return code


def _dry_run(args: argparse.Namespace, source: _Side, sink: _Side, bs: int, bpt: int, skip: int, seek: int,
             count: int) -> int:
    """sg_dd --dry-run: both sides opened and their block sizes checked, the copy said
    and not done."""
    how = "VERIFY(16) BYTCHK=1" if args.verify else "WRITE(16)" if sink.channel is not None else "write"
    blocks = "until the input ends" if count < 0 else f"{count} blocks"
    print(f"sgframe dd: would {'compare' if args.verify else 'copy'} {blocks} of {bs} bytes from {source.name} "
          f"(from block {skip}, {'READ(16)' if source.channel is not None else 'read'}) "
          f"{'with' if args.verify else 'to'} {sink.name} (from block {seek}, {how}), {bpt} blocks a command",
          file=sys.stderr)
    print("Since --dry-run option given, bypassing copy", file=sys.stderr)  # sg_dd's words
    if args.json:
        print_json({"if": source.name, "of": sink.name, "bs": bs, "bpt": bpt, "skip": skip, "seek": seek,
                    "count": None if count < 0 else count, "verify": args.verify, "dry_run": True,
                    "records_in": 0, "records_out": 0, "exit_code": 0})
    return 0


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("operands", nargs="+", metavar="KEY=VALUE",
                        help="if=IFILE of=OFILE bs=BS bpt=BPT count=COUNT skip=SKIP seek=SEEK")
    parser.add_argument("--force", action="store_true", help="write to a device even if it is in use")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (drawn only on a terminal)")
    parser.add_argument("-d", "--dry-run", "--dry_run", dest="dry_run", action="store_true",
                        help="open and check both sides, say what would be copied, copy nothing")
    parser.add_argument("-p", "--progress", action="count", default=0,
                        help="sg_dd's progress report on stderr every 2 minutes (twice: 1 minute, "
                             "three times: 30 seconds), and 'Completed:' before the final counts")
    parser.add_argument("-x", "--verify", action="store_true",
                        help="compare if= with of= (a SCSI device) by VERIFY(16) BYTCHK=1 instead of writing; "
                             "stops at the first miscompare (exit 14)")
    add_output(parser)


DD = Subcommand(
    name="dd", help="copy blocks device to device or file (sg_dd), with progress and throughput",
    add_arguments=_arguments, run=_run,
)
