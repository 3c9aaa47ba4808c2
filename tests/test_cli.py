"""The sgframe command line against the emulated disk: text, --json, exit codes."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sgframe import hookimpl, plugins
from sgframe.builtin import SUBCOMMANDS
from sgframe.cli import LazySubcommand, Subcommand, main
from sgframe.cli import base as cli_base
from sgframe.emu import EmulatedDisk
from sgframe.emu.uri import KINDS


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def disk(monkeypatch) -> EmulatedDisk:
    """One emulated disk shared by every command of a test, as ``emu:clitest``."""
    shared = EmulatedDisk(blocks=1024)
    monkeypatch.setitem(KINDS, "clitest", (lambda **_: shared, {}))
    return shared


# --- the program ---------------------------------------------------------------------

def test_help_lists_subcommands_and_exit_codes(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in ("scan", "inq", "readcap", "tur", "requests", "luns", "opcodes", "modes", "logs", "raw",
                 "decode-sense", "decode-cdb", "read", "write", "verify", "reset", "commands", "plugins"):
        assert f"    {name}" in out
    assert "   33  command timeout" in out
    assert "    5  illegal request" in out


def test_subcommand_help_is_short_and_points_to_the_exit_codes(capsys):
    code, out, _ = run(capsys, "write", "--help")
    assert code == 0
    assert "--force" in out and "--yes" in out and "   15  file error" not in out
    assert out.rstrip().endswith("exit codes: sgframe help exit-codes")


def test_help_exit_codes_topic_is_the_table(capsys):
    from sgframe.cli.exitcodes import help_text

    code, out, err = run(capsys, "help", "exit-codes")
    assert (code, out, err) == (0, help_text() + "\n", "")
    assert "   15  file error" in out and "   24  reservation conflict" in out


def test_help_names_a_subcommand_or_fails(capsys):
    code, out, _ = run(capsys, "help", "sync")
    assert code == 0 and out.startswith("usage: sgframe sync")
    code, out, err = run(capsys, "help", "nosuch")
    assert (code, out) == (1, "")
    assert err == "sgframe help: no help topic or subcommand 'nosuch' (topics: exit-codes, SUBCOMMAND)\n"


def test_syntax_errors_exit_1_with_one_line(capsys):
    for argv in (["nosuch"], [], ["inq"], ["inq", "emu:disk", "--vpd", "bogus"], ["tur", "emu:disk", "--number", "x"]):
        code, out, err = run(capsys, *argv)
        assert code == 1, argv
        assert "Traceback" not in err
    code, _, err = run(capsys, "nosuch")
    assert err.count("\n") == 1 and err.startswith("sgframe: ")
    # A subcommand's syntax error names the program once: "sgframe tur: ...".
    code, _, err = run(capsys, "tur", "emu:disk", "--number", "x")
    assert err.startswith("sgframe tur: argument -n/--number: ") and "sgframe: " not in err


def test_json_accepted_before_the_subcommand(capsys):
    code, out, _ = run(capsys, "--json", "readcap", "emu:disk")
    assert code == 0
    assert json.loads(out)["block_length"] == 512


class _SubcommandPlugin:
    def __init__(self, register):
        self.sgframe_register_subcommands = hookimpl(register)


@pytest.fixture
def provide():
    """Register a plugin whose sgframe_register_subcommands hook is the given function,
    for one test: the one way a subcommand is added."""
    added = []

    def add(register, name="provider"):
        plugins.register(_SubcommandPlugin(register), name)
        added.append(name)

    yield add
    for name in added:
        plugins.unregister(name)


def test_a_failing_subcommand_is_one_line_and_99(capsys, provide):
    def boom(args):
        raise RuntimeError("a bug\nover two lines")

    def provider(registry):
        registry.add(Subcommand(name="boom", help="fails", add_arguments=lambda p: None, run=boom))

    provide(provider)
    code, out, err = run(capsys, "boom")
    assert code == 99
    assert err == "sgframe boom: internal error: RuntimeError: a bug over two lines (set SGFRAME_DEBUG=1 for the traceback)\n"


def test_a_broken_provider_is_reported_not_fatal(capsys, provide):
    def broken(registry):
        raise ImportError("no such plugin module")

    provide(broken, "broken")
    code, out, err = run(capsys, "tur", "emu:disk")
    assert code == 0 and out == "ready\n"
    assert "a subcommand failed to load: plugin broken: ImportError: no such plugin module" in err


def test_duck_typed_subcommand_from_a_provider(capsys, provide):
    class Hello:
        name = "hello"
        help = "say hello"

        @staticmethod
        def add_arguments(parser):
            parser.add_argument("who")

        @staticmethod
        def run(args):
            print(f"hello {args.who}")
            return 0

    provide(lambda registry: registry.add(Hello()))
    assert run(capsys, "hello", "world")[:2] == (0, "hello world\n")


def test_a_provider_cannot_take_a_builtin_name(capsys, provide):
    def clash(registry):
        registry.add(Subcommand(name="inq", help="x", add_arguments=lambda p: None, run=lambda a: 0), origin="evil")

    provide(clash, "clash")
    registry = cli_base.load_subcommands()
    assert registry.get("inq").origin == "builtin"
    assert registry.problems == ["plugin clash: UsageError: subcommand 'inq' from evil is already defined by builtin"]


def test_the_builtin_plugin_names_the_builtins():
    registry = cli_base.load_subcommands()
    names = {s.name for s in registry}
    assert names >= {"scan", "inq", "raw", "write", "plugins"}
    assert all(s.origin == "builtin" for s in registry if s.name in {n for n, _, _ in SUBCOMMANDS})


@pytest.mark.parametrize("name, target, help_line", SUBCOMMANDS)
def test_a_lazy_builtin_subcommand_is_the_one_it_names(name, target, help_line):
    # The built-in table repeats each help line so that --help needs no import; it
    # must say what the Subcommand itself says.
    loaded = LazySubcommand(name, help_line, target).load()
    assert (loaded.name, loaded.help, loaded.origin) == (name, help_line, "builtin")
    assert callable(loaded.add_arguments) and callable(loaded.run)


def test_only_the_subcommand_that_runs_is_imported():
    code = ("import sys; from sgframe.cli import main; rc = main(['tur', 'emu:disk']); "
            "print(rc, sorted(m for m in sys.modules if m.startswith('sgframe.cli.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    ready, rc, modules = out.replace("\n", " ", 1).split(" ", 2)
    assert (ready, rc) == ("ready", "0") and "sgframe.cli.unit" in modules
    for other in ("sgframe.cli.media", "sgframe.cli.pages", "sgframe.cli.raw", "sgframe.cli.scan"):
        assert other not in modules


# --- inq ---------------------------------------------------------------------------

def test_inq(capsys):
    code, out, _ = run(capsys, "inq", "emu:disk")
    assert code == 0
    assert out.splitlines()[:3] == ["Vendor:      SGFRAME", "Product:     EMU DISK", "Revision:    0001"]
    data = run_json(capsys, "inq", "emu:disk")
    assert data["vendor_identification"] == "SGFRAME"
    assert data["peripheral_device_type"] == 0
    assert data["version"] == 7
    assert data["vendor_specific"] == "00" * 20


def test_inq_hex(capsys):
    code, out, _ = run(capsys, "inq", "emu:disk", "--hex")
    assert code == 0
    assert out.splitlines()[0] == " 0000  00 00 07 12 5b 10 00 02  53 47 46 52 41 4d 45 20  ....[...SGFRAME "


def test_inq_vpd(capsys):
    data = run_json(capsys, "inq", "emu:disk?serial=SN4711", "--vpd", "sn")
    assert data["page_code"] == 0x80 and data["product_serial_number"] == "SN4711"
    data = run_json(capsys, "inq", "emu:disk", "--vpd", "0xb0")
    assert data["maximum_transfer_length"] == 65536
    data = run_json(capsys, "inq", "emu:disk", "--vpd", "83h")
    assert data["designation_descriptors"][0]["designator_type_name"] == "NAA"
    code, out, _ = run(capsys, "inq", "emu:disk?serial=SN4711", "--vpd", "sn")
    assert "product_serial_number        SN4711" in out


def test_inq_all_vpd(capsys):
    data = run_json(capsys, "inq", "emu:disk", "--all-vpd")
    pages = [0, 0x80, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x8A, 0x8B, 0x8C, 0x8D, 0x8F, 0x90, 0x91, 0x92, 0xB0, 0xB1,
             0xB2, 0xB3, 0xB4, 0xB5, 0xB7, 0xB8, 0xB9]
    assert list(data) == [f"0x{p:02x}" for p in pages]
    assert data["0x00"]["supported_pages"] == pages
    code, out, _ = run(capsys, "inq", "emu:disk", "--all-vpd")
    assert code == 0 and "Logical block provisioning VPD page (0xb2):" in out


def test_inq_unsupported_vpd_page_is_illegal_request(capsys):
    # As sg_vpd: a page 00h does not list is refused before it is asked for (exit 83),
    # and --force asks the device, which refuses it.
    code, out, err = run(capsys, "inq", "emu:disk", "--vpd", "0xc5")
    assert (code, out) == (83, "")
    assert "VPD page 0xc5 is not in the device's supported VPD pages" in err and "--force" in err
    code, out, err = run(capsys, "inq", "emu:disk", "--vpd", "0xc5", "--force")
    assert (code, out) == (5, "")
    assert err == ("sgframe inq: INQUIRY on emu:disk: CHECK CONDITION, ILLEGAL REQUEST, Invalid field in cdb "
                   "[24h/00h], error in CDB byte 2\n")


# --- readcap, tur, requests, reset ------------------------------------------------------

def test_readcap(capsys):
    code, out, _ = run(capsys, "readcap", "emu:disk?blocks=1000&block_size=4096")
    assert code == 0
    assert out.splitlines()[:3] == ["Last LBA:         999", "Number of blocks: 1000", "Block length:     4096 bytes"]
    data = run_json(capsys, "readcap", "emu:disk?blocks=1000", "--long")
    assert (data["returned_lba"], data["block_length"], data["blocks"], data["size_bytes"]) == (999, 512, 1000, 512000)
    assert data["lbpme"] is True


def test_readcap_unit_attention_is_6(capsys):
    code, out, err = run(capsys, "readcap", "emu:disk?unit_attention=1")
    assert (code, out) == (6, "")
    assert "UNIT ATTENTION, Power on occurred [29h/01h]" in err


def test_tur(capsys):
    assert run(capsys, "tur", "emu:disk") == (0, "ready\n", "")
    data = run_json(capsys, "tur", "emu:disk", "--number", "3")
    assert (data["ready"], data["commands"], data["failures"], data["exit_code"]) == (True, 3, 0, 0)


def test_tur_after_reset_is_unit_attention(capsys, disk):
    assert run(capsys, "reset", "emu:clitest") == (0, "device reset done\n", "")
    code, out, err = run(capsys, "tur", "emu:clitest", "--json")
    assert code == 6
    data = json.loads(out)
    assert data["ready"] is False and data["exit_code"] == 6
    assert "Power on, reset, or bus device reset occurred [29h/00h]" in data["error"]
    assert run(capsys, "tur", "emu:clitest")[0] == 0


def test_reset_json_and_failure(capsys):
    assert run_json(capsys, "reset", "emu:disk", "--kind", "device") == {"device": "emu:disk", "kind": "device", "done": True}
    code, out, err = run(capsys, "reset", "/dev/no-such-sg")
    assert (code, out) == (1, "")  # as sg_reset: 1 for a node it cannot open
    assert err.startswith("sgframe reset: cannot open /dev/no-such-sg: no such device node (ENOENT)")


def test_requests(capsys):
    code, out, _ = run(capsys, "requests", "emu:disk?unit_attention=1")
    assert code == 0
    assert out == ("Fixed format, current; Sense key: UNIT ATTENTION\n"
                   " Additional sense: Power on occurred [29h/01h]\n")
    data = run_json(capsys, "requests", "emu:disk", "--desc")
    assert data["format"] == "descriptor"
    assert data["sense_key"] == {"name": "NO_SENSE", "value": 0}


def test_requests_progress_when_idle(capsys):
    code, out, _ = run(capsys, "requests", "emu:disk", "--progress")
    assert (code, out) == (0, "no progress indication: the operation is complete (or none is running)\n")


def test_requests_number_must_be_positive(capsys):
    assert run(capsys, "requests", "emu:disk", "--number", "0")[0] == 1


# --- luns, opcodes --------------------------------------------------------------------

def test_luns(capsys):
    code, out, _ = run(capsys, "luns", "emu:disk")
    assert code == 0
    assert out == ("LUN               Linux LUN  address method\n"
                   "0000000000000000  0          peripheral device addressing\n")
    data = run_json(capsys, "luns", "emu:disk")
    assert data["lun_list_length"] == 8 and data["luns"][0]["raw"] == "0000000000000000"


def test_luns_bad_select_report_is_5(capsys):
    assert run(capsys, "luns", "emu:disk", "--select", "0x99")[0] == 5


def test_opcodes(capsys):
    code, out, _ = run(capsys, "opcodes", "emu:disk")
    assert code == 0
    assert "28      -   10   READ(10)" in out
    data = run_json(capsys, "opcodes", "emu:disk")
    ops = {(d["operation_code"], d["service_action"] if d["servactv"] else None) for d in data["command_descriptors"]}
    assert (0x28, None) in ops and (0x9E, 0x10) in ops
    one = run_json(capsys, "opcodes", "emu:disk", "--opcode", "0x28")
    assert one["support_name"] == "supported, conforming to a SCSI standard" and one["cdb_size"] == 10


def test_opcodes_sa_needs_opcode(capsys):
    code, _, err = run(capsys, "opcodes", "emu:disk", "--sa", "0x10")
    assert code == 1 and err == "sgframe opcodes: --sa needs --opcode\n"


# --- modes, logs ----------------------------------------------------------------------

def test_modes(capsys):
    data = run_json(capsys, "modes", "emu:disk")
    assert data["ten"] is True
    assert [p["page_code"] for p in data["pages"]] == [0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x0A, 0x18, 0x19, 0x1A, 0x1C]
    assert data["block_descriptors"][0]["logical_block_length"] == 512
    caching = run_json(capsys, "modes", "emu:disk", "--page", "ca", "--six")
    assert caching["ten"] is False and [p["page_code"] for p in caching["pages"]] == [0x08]
    assert caching["pages"][0]["wce"] is True
    code, out, _ = run(capsys, "modes", "emu:disk", "--page", "8")
    assert code == 0 and ">> Caching [0x08], page_control: current" in out and "wce" in out


def test_modes_unsupported_page_is_5(capsys):
    assert run(capsys, "modes", "emu:disk", "--page", "5")[0] == 5


def test_logs(capsys):
    data = run_json(capsys, "logs", "emu:disk")
    assert data["supported_pages"] == [0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x08, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
                                      0x10, 0x11, 0x15, 0x17, 0x18, 0x19, 0x1A, 0x2F]
    temp = run_json(capsys, "logs", "emu:disk", "--page", "temp")
    assert (temp["page_code"], temp["temperature"]) == (0x0D, 35)
    every = run_json(capsys, "logs", "emu:disk", "--all")
    assert list(every) == ["0x00", "0x01", "0x02", "0x03", "0x05", "0x06", "0x07", "0x08", "0x0b", "0x0b,0x01",
                           "0x0b,0x02", "0x0c", "0x0d", "0x0d,0x01", "0x0d,0x02", "0x0e", "0x0e,0x01", "0x0f", "0x10",
                           "0x11", "0x15", "0x15,0x01", "0x15,0x02", "0x15,0x03", "0x17", "0x18", "0x19", "0x1a",
                           "0x2f"]
    code, out, _ = run(capsys, "logs", "emu:disk", "--page", "0x0d")
    assert code == 0 and "temperature            35" in out


def test_logs_unsupported_page_is_5(capsys):
    assert run(capsys, "logs", "emu:disk", "--page", "0x30")[0] == 5


# --- decode-sense, decode-cdb -------------------------------------------------------------

FIXED = "70 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 c0 00 02"


def test_decode_sense(capsys):
    code, out, _ = run(capsys, "decode-sense", FIXED)
    assert code == 0
    assert out == ("Fixed format, current; Sense key: ILLEGAL REQUEST\n"
                   " Additional sense: Invalid field in cdb [24h/00h]\n"
                   "  Sense key specific: error in CDB byte 2\n")
    data = run_json(capsys, "decode-sense", *FIXED.split())
    assert data["sense_key"] == {"name": "ILLEGAL_REQUEST", "value": 5}
    assert (data["asc"], data["ascq"], data["asc_text"]) == (0x24, 0, "Invalid field in cdb")
    assert data["sense_key_specific"] == {"type": "FieldPointer", "c_d": True, "bpv": False, "bit_pointer": 0,
                                          "field_pointer": 2}


def test_decode_sense_descriptor_with_progress(capsys):
    # NOT READY, 04h/04h (format in progress), a sense key specific descriptor: 50%.
    raw = "72 02 04 04 00 00 00 08  02 06 00 00 80 80 00 00"
    data = run_json(capsys, "decode-sense", raw)
    assert data["format"] == "descriptor"
    assert data["progress_percent"] == 50.0
    assert data["sense_key_specific"] == {"type": "ProgressIndication", "progress_indication": 0x8000}
    code, out, _ = run(capsys, "decode-sense", raw)
    assert out == ("Descriptor format, current; Sense key: NOT READY\n"
                   " Additional sense: Logical unit not ready, format in progress [04h/04h]\n"
                   "  Progress indication: 50.00%\n")


def test_decode_sense_bad_hex_is_1(capsys):
    assert run(capsys, "decode-sense", "70", "zz") == (1, "", "sgframe decode-sense: sense data: 'zz' is not hex\n")


def test_decode_cdb(capsys):
    code, out, _ = run(capsys, "decode-cdb", "28 00 00 00 04 00 00 00 08 00")
    assert code == 0
    assert out.splitlines()[0] == "READ(10) (28h, 10-byte CDB, data from device)"
    assert "  lba              1024 (0x400)" in out
    data = run_json(capsys, "decode-cdb", "88000000000000001000000000200000")
    assert data["command"]["name"] == "READ(16)" and data["command"]["class_name"] == "Read16"
    assert data["command"]["direction"] == {"name": "IN", "value": "from device"}
    assert (data["fields"]["lba"], data["fields"]["transfer_length"]) == (0x1000, 0x20)


def test_decode_cdb_unknown_opcode_is_1(capsys):
    assert run(capsys, "decode-cdb", "ee 00 00 00 00 00") == (1, "", "sgframe decode-cdb: no command is registered for opcode 0xee\n")


# --- raw ------------------------------------------------------------------------------

def test_raw_inquiry(capsys):
    code, out, _ = run(capsys, "raw", "emu:disk", "12 00 00 00 24 00", "--request", "36")
    assert code == 0
    assert out.splitlines()[:4] == ["    cdb to send: 12 00 00 00 24 00 (INQUIRY)", "SCSI Status: Good", "",
                                    "Received 36 bytes of data:"]
    data = run_json(capsys, "raw", "emu:disk", "120000002400", "--request", "36")
    assert data["status"] == 0 and data["sense"] is None
    assert bytes.fromhex(data["data"])[8:16] == b"SGFRAME "


def test_raw_write_then_read(capsys, disk, tmp_path):
    block = bytes(range(256)) * 2
    source = tmp_path / "block.bin"
    source.write_bytes(block)
    code, out, _ = run(capsys, "raw", "emu:clitest", "2a 00 00 00 00 07 00 00 01 00", "--send", str(source))
    assert code == 0 and "SCSI Status: Good" in out
    target = tmp_path / "out.bin"
    code, out, _ = run(capsys, "raw", "emu:clitest", "28 00 00 00 00 07 00 00 01 00", "--request", "512",
                       "--outfile", str(target))
    assert code == 0 and target.read_bytes() == block


def test_raw_failures(capsys):
    code, out, _ = run(capsys, "raw", "emu:disk", "ff 00 00 00 00 00")
    assert code == 9 and "Invalid command operation code [20h/00h]" in out
    data = json.loads(run(capsys, "raw", "emu:disk", "88 00 00 00 00 00 ff ff ff ff 00 00 00 01 00 00",
                          "--request", "512", "--json")[1])
    assert data["exit_code"] == 22 and data["status"] == 2  # sg_raw's LBA out of range
    assert data["sense"]["asc"] == 0x21
    assert run(capsys, "raw", "emu:disk", "12 00")[0] == 1          # too short a CDB
    assert run(capsys, "raw", "emu:disk", "120000002400", "-r", "36", "--send", "00")[0] == 1
    assert run(capsys, "raw", "emu:disk", "2a00000000000000010", "--send", "/no/such/file")[0] == 1


# --- read, write, verify --------------------------------------------------------------------

def test_write_read_verify(capsys, disk, tmp_path):
    code, out, _ = run(capsys, "write", "emu:clitest", "--lba", "10", "--count", "3", "--pattern", "deadbeef",
                       "--chunk", "2")
    assert code == 0 and out.startswith("Wrote 3 of 3 blocks (1536 bytes) from LBA 10 in ")
    target = tmp_path / "data.bin"
    data = run_json(capsys, "read", "emu:clitest", "--lba", "10", "--count", "3", "--output", str(target))
    assert (data["blocks_done"], data["bytes_done"], data["error"]) == (3, 1536, None)
    assert target.read_bytes() == bytes.fromhex("deadbeef") * 384
    data = run_json(capsys, "read", "emu:clitest", "--lba", "11", "--count", "1", "--hex")
    assert data["data"] == "deadbeef" * 128
    data = run_json(capsys, "verify", "emu:clitest", "--lba", "0", "--count", "1024")
    assert (data["blocks_done"], data["exit_code"]) == (1024, 0)


def test_write_from_file(capsys, disk, tmp_path):
    source = tmp_path / "in.bin"
    source.write_bytes(b"\x01" * 512 + b"\x02" * 512)
    assert run(capsys, "write", "emu:clitest", "--lba", "5", "--input", str(source))[0] == 0
    code, out, _ = run(capsys, "read", "emu:clitest", "--lba", "6", "--count", "1", "--hex")
    assert out.splitlines()[0] == " 0000  02 02 02 02 02 02 02 02  02 02 02 02 02 02 02 02  ................"


def test_read_past_the_end_is_22_as_in_sg_dd(capsys):
    code, out, err = run(capsys, "read", "emu:disk?blocks=100", "--lba", "98", "--count", "4", "--chunk", "2")
    assert code == 22
    assert out.startswith("Read 2 of 4 blocks (1024 bytes) from LBA 98 in ")
    assert err == ("sgframe read: READ(16) on emu:disk?blocks=100: CHECK CONDITION, ILLEGAL REQUEST, "
                   "Logical block address out of range [21h/00h]\n")
    data = json.loads(run(capsys, "read", "emu:disk?blocks=100", "--lba", "100", "--count", "1", "--json")[1])
    assert (data["blocks_done"], data["exit_code"], data["error_lba"]) == (0, 22, 100)


def test_medium_error_is_3(capsys, disk):
    disk.inject_medium_error(20, 1)
    data = json.loads(run(capsys, "verify", "emu:clitest", "--lba", "16", "--count", "8", "--chunk", "4", "--json")[1])
    assert (data["blocks_done"], data["exit_code"], data["error_lba"]) == (4, 3, 20)
    assert run(capsys, "read", "emu:clitest", "--lba", "20", "--count", "1")[0] == 3


def test_write_past_the_end_and_verify_past_the_end_are_22(capsys):
    assert run(capsys, "write", "emu:disk?blocks=64", "--lba", "64", "--count", "1", "--pattern", "00")[0] == 22
    assert run(capsys, "verify", "emu:disk?blocks=64", "--lba", "60", "--count", "8")[0] == 22


def test_write_needs_data_and_sane_ranges(capsys, tmp_path):
    assert run(capsys, "write", "emu:disk", "--count", "1")[0] == 1
    odd = tmp_path / "odd.bin"
    odd.write_bytes(b"x" * 100)
    assert run(capsys, "write", "emu:disk", "--input", str(odd))[0] == 1
    assert run(capsys, "write", "emu:disk", "--input", str(tmp_path / "missing"))[0] == 15
    assert run(capsys, "read", "emu:disk", "--count", "0")[0] == 1
    assert run(capsys, "read", "emu:disk", "--count", "1", "--chunk", "0")[0] == 1


def test_whole_device_write_asks_and_refuses_without_a_terminal(capsys):
    code, out, err = run(capsys, "write", "emu:disk?blocks=64", "--pattern", "00")
    assert (code, out) == (1, "")
    assert err == ("sgframe write: write 64 blocks from LBA 0 of emu:disk?blocks=64, the whole device? "
                   "There is no terminal to ask: give --yes to go ahead\n")
    code, out, _ = run(capsys, "write", "emu:disk?blocks=64", "--pattern", "00", "--yes")
    assert code == 0 and out.startswith("Wrote 64 of 64 blocks")


# --- scan, commands, plugins --------------------------------------------------------------

def _fake_sysfs(root):
    dev = root / "sys/class/scsi_device/2:0:1:0/device"
    for sub in ("scsi_generic/sg3", "block/sdc", "bsg/2:0:1:0"):
        (dev / sub).mkdir(parents=True)
    for name, value in (("type", "0"), ("vendor", "Linux"), ("model", "scsi_debug"), ("rev", "0191")):
        (dev / name).write_text(value + "\n")
    (dev / "block/sdc/size").write_text("131072\n")


def test_scan(capsys, tmp_path):
    _fake_sysfs(tmp_path)
    code, out, _ = run(capsys, "scan", "--root", str(tmp_path))
    assert code == 0
    assert out.splitlines() == [
        "H:C:T:L    type  vendor  model       rev   sg        block     bsg               size",
        "[2:0:1:0]  disk  Linux   scsi_debug  0191  /dev/sg3  /dev/sdc  /dev/bsg/2:0:1:0  67.1MB",
    ]
    data = run_json(capsys, "scan", "--root", str(tmp_path))
    assert data == [{"hctl": "2:0:1:0", "scsi_type": 0, "type_name": "disk", "vendor": "Linux", "model": "scsi_debug",
                     "rev": "0191", "sg": "/dev/sg3", "block": "/dev/sdc", "bsg": "/dev/bsg/2:0:1:0",
                     "size_bytes": 67108864}]


def test_scan_empty_and_bad_option(capsys, tmp_path):
    assert run(capsys, "scan", "--root", str(tmp_path))[:2] == (0, "no SCSI devices (is a SCSI driver loaded? for sg nodes: modprobe sg)\n")
    assert run_json(capsys, "scan", "--root", str(tmp_path)) == []
    assert run(capsys, "scan", "--bogus")[0] == 1


def test_commands(capsys):
    code, out, _ = run(capsys, "commands")
    assert code == 0
    assert "88      -   READ(16)" in out
    data = run_json(capsys, "commands")
    by_name = {c["name"]: c for c in data}
    assert by_name["WRITE(16)"]["modifies_medium"] is True
    assert by_name["READ(16)"] == {"name": "READ(16)", "class_name": "Read16", "opcode": 0x88, "service_action": None,
                                   "cdb_length": 16, "direction": {"name": "IN", "value": "from device"},
                                   "modifies_medium": False, "module": "sgframe.command.rw", "plugin": "builtin"}
    modifying = run_json(capsys, "commands", "--modifying")
    assert modifying and all(c["modifies_medium"] for c in modifying)
    assert run(capsys, "commands", "extra")[0] == 1


def test_plugins(capsys):
    data = run_json(capsys, "plugins")
    names = {s["name"]: s["origin"] for s in data["subcommands"]}
    assert names["inq"] == "builtin" and names["plugins"] == "builtin"
    assert data["commands"]["count"] >= 50
    assert "sgframe.command.spc" in data["commands"]["modules"]
    code, out, _ = run(capsys, "plugins")
    assert code == 0 and "subcommands (registered by the plugins' sgframe_register_subcommands hook):" in out
    assert run(capsys, "plugins", "extra")[0] == 1
