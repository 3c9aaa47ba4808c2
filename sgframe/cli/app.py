"""``sgframe``: the parser, the subcommands, and how a failure becomes one line and an
exit code."""
from __future__ import annotations

import argparse
import functools
import os
import sys
from typing import Sequence

from .._version import __version__
from ..errors import SgframeError
from .base import SubcommandRegistry, load_subcommands, warn
from .exitcodes import INTERRUPTED, OTHER, SYNTAX_ERROR, CliError, exit_code_for, help_text

__all__ = ["main", "build_parser"]

_DESCRIPTION = ("SCSI commands through the Linux sg driver (and emulated devices): "
                "inquiry, capacity, pages, raw CDBs, sense decoding, reads and writes.")


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that reports a syntax error as one line and exit code 1 (sg3_utils'
    SG_LIB_SYNTAX_ERROR), not 2, and never exits on its own behalf."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _ArgumentError(f"{self.prog}: {message}")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse makes a formatter for every add_argument (to check the metavar) and,
        # with no width, asks shutil for the terminal's; importing shutil (with bz2, lzma
        # and zlib) was half of what building a subcommand's parser cost at every start.
        return self.formatter_class(prog=self.prog, width=_help_width())


@functools.lru_cache(maxsize=None)
def _help_width() -> int:
    """The width argparse would choose: the terminal's columns (COLUMNS first, as
    shutil.get_terminal_size reads them) less 2; 80 columns where there is no terminal."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


def build_parser(registry: SubcommandRegistry, only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with ``only``, the parser of that subcommand alone (its module
    imported, no other): enough to parse a command line that names it.

    Every argparse parser costs a dozen gettext lookups (each a walk over the locale
    directories) and thirty registrations; building forty that a call never uses was a
    tenth of the command line's start."""
    parser = _Parser(
        prog="sgframe", description=_DESCRIPTION, epilog=help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sgframe {__version__}")
    parser.add_argument("--json", action="store_true", default=False,
                        help="print JSON (also accepted after the subcommand)")
    subparsers = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", parser_class=_Parser)
    for listed in sorted(registry, key=lambda s: s.name):
        if only is not None and listed.name != only:
            continue
        sub = registry.get(listed.name)
        # The exit-code table is printed once, by ``sgframe --help`` and ``sgframe help
        # exit-codes``: repeated under every subcommand it buried the options.
        sp = subparsers.add_parser(
            sub.name, help=sub.help, description=sub.description or sub.help,
            epilog="exit codes: sgframe help exit-codes",
        )
        sub.add_arguments(sp)
        sp.set_defaults(_run=sub.run)
    return parser


def _chosen(registry: SubcommandRegistry, argv: Sequence[str]) -> str | None:
    """The subcommand argv names (the first word that is one), or None: also when the
    top-level help or version is asked for first (``sgframe --help tur`` lists them all)."""
    for word in argv:
        if word in ("--", "-h", "--help", "--version"):
            return None
        if not word.startswith("-"):
            return word if word in registry else None
    return None


#: ``sgframe help TOPIC``: the topics that are not subcommands.
HELP_TOPICS = {"exit-codes": help_text}


def _help(registry: SubcommandRegistry, words: Sequence[str]) -> int:
    """``sgframe help``, ``sgframe help exit-codes``, ``sgframe help SUBCOMMAND``."""
    if not words:
        build_parser(registry).print_help()
        print(f"\nhelp topics: {', '.join(sorted(HELP_TOPICS))}; or sgframe help SUBCOMMAND")
        return 0
    topic = words[0]
    if topic in HELP_TOPICS:
        print(HELP_TOPICS[topic]())
        return 0
    if topic in registry:
        try:
            build_parser(registry, topic).parse_args([topic, "--help"])
        except SystemExit:
            pass
        return 0
    known = ", ".join(sorted(HELP_TOPICS) + ["SUBCOMMAND"])
    print(f"sgframe help: no help topic or subcommand {topic!r} (topics: {known})", file=sys.stderr)
    return SYNTAX_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see ``sgframe --help``)."""
    debug = bool(os.environ.get("SGFRAME_DEBUG"))
    argv = list(sys.argv[1:] if argv is None else argv)
    registry = load_subcommands()
    if argv[:1] == ["help"] and "help" not in registry:
        return _help(registry, argv[1:])
    for problem in registry.problems:
        warn(f"a subcommand failed to load: {problem}")
    try:
        parser = build_parser(registry, _chosen(registry, argv))
    except Exception as exc:  # noqa: BLE001 - a plugin's broken subcommand is one line too
        warn(f"a subcommand failed to load: {type(exc).__name__}: {_one_line(exc)}")
        return OTHER
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            # parse_args would report them from the top parser ("sgframe: ..."); name the
            # subcommand they were given to, as every other syntax error does.
            name = getattr(args, "subcommand", None)
            raise _ArgumentError(f"sgframe{' ' + name if name else ''}: unrecognized arguments: {' '.join(extras)}")
    except _ArgumentError as exc:
        # The parser's message starts with its prog ("sgframe read: ..."): the program
        # is named once.
        print(str(exc), file=sys.stderr)
        return SYNTAX_ERROR
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else SYNTAX_ERROR
    run = getattr(args, "_run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return SYNTAX_ERROR
    try:
        code = run(args)
        sys.stdout.flush()
        return int(code or 0)
    except KeyboardInterrupt:
        _fail(args, "interrupted")
        return INTERRUPTED
    except BrokenPipeError:
        # `sgframe read ... | head`: the reader left; say nothing more.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the interpreter's final flush is quiet
        except OSError:
            pass
        return OTHER
    except (SgframeError, CliError, OSError) as exc:
        if debug:
            _print_traceback()
        _fail(args, _one_line(exc))
        return _json_failure(args, exc, exit_code_for(exc, getattr(args, "subcommand", None)))
    except Exception as exc:  # noqa: BLE001 - a bug is still one line, unless debugging
        if debug:
            _print_traceback()
        _fail(args, f"internal error: {type(exc).__name__}: {_one_line(exc)} "
                    "(set SGFRAME_DEBUG=1 for the traceback)")
        return _json_failure(args, exc, OTHER)


def _print_traceback() -> None:
    import traceback  # SGFRAME_DEBUG only: not imported by every start

    traceback.print_exc()


def _fail(args: argparse.Namespace, message: str) -> None:
    """The one line of a failure, named by the subcommand that failed: ``sgframe read:
    --lba is 0 or more``."""
    name = getattr(args, "subcommand", None)
    print(f"sgframe {name}: {message}" if name else f"sgframe: {message}", file=sys.stderr)


def _json_failure(args: argparse.Namespace, exc: BaseException, code: int) -> int:
    """With --json, a failure is an object on stdout too, for whoever parses it: every
    subcommand the same ``{"error": ..., "exit_code": ...}``."""
    if getattr(args, "json", False):
        import json

        print(json.dumps({"error": _one_line(exc), "error_type": type(exc).__name__, "exit_code": code}))
        sys.stdout.flush()
    return code


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and not isinstance(exc, SgframeError) and exc.filename:
        text = f"{exc.filename}: {exc.strerror or text}"
    return " ".join(text.split())
