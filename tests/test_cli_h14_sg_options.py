"""The last sg3_utils options of issue 14: sg_vpd's --enumerate, --force, --ident and
--quiet on ``inq``; sg_dd's --dry-run, --progress and --verify on ``dd``; sg_format's
--tape (FORMAT MEDIUM) on ``format``. Each asserts what is sent, printed and exited with;
where sg3_utils is installed, its tools read the same saved responses (--inhex)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sgframe.channel import Channel
from sgframe.cli import dd as dd_module
from sgframe.cli import main, safety
from sgframe.cli.inquiry import VPD_PAGES, vpd_name_rows
from sgframe.command.ssc import FormatMedium
from sgframe.decode.vpd import VPD_PAGE_NAMES
from sgframe.emu import EmulatedDisk
from sgframe.emu import vpd as emu_vpd
from sgframe.emu.uri import KINDS
from sgframe.errors import UsageError

DATA = Path(__file__).parent / "data" / "sg3-inhex"
SG_VPD = shutil.which("sg_vpd")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sent(monkeypatch) -> list:
    """Every CDB a channel executes (hex) and its data-out (hex or None)."""
    seen: list = []
    original = Channel.execute

    def spy(self, command, *args, **kwargs):
        data = kwargs.get("data", args[0] if args else None)
        seen.append((bytes(command).hex(), None if data is None else bytes(data).hex()))
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(Channel, "execute", spy)
    return seen


def _shared(monkeypatch, kind: str, disk: EmulatedDisk) -> EmulatedDisk:
    monkeypatch.setitem(KINDS, kind, (lambda **_: disk, {}))
    return disk


# --- inq --enumerate --------------------------------------------------------------------

def test_enumerate_lists_every_page_name_without_a_device(capsys):
    code, out, _ = run(capsys, "inq", "--enumerate")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "Standard VPD pages:"
    rows = [line for line in lines[1:] if line.startswith("  ")]
    assert [line.split()[0] for line in rows] == sorted(VPD_PAGES)  # sg_vpd -e sorts by name
    assert "  di_lu      0x83      Device identification, lu only" in rows
    assert "  sn         0x80      Unit serial number" in rows
    assert f"  zbdch      0xb6      {VPD_PAGE_NAMES[0xB6]}" in rows


def test_enumerate_with_a_page_number_searches_it(capsys):
    code, out, _ = run(capsys, "inq", "-e", "-p", "0x83")
    assert code == 0
    assert out.splitlines() == ["Matching standard VPD pages:",
                                "  di         0x83      Device identification",
                                "  di_asis    0x83      Like 'di' but designators ordered as found",
                                "  di_lu      0x83      Device identification, lu only",
                                "  di_port    0x83      Device identification, target port only",
                                "  di_target  0x83      Device identification, target device only"]
    assert run(capsys, "inq", "-e", "-p", "0x99") == (0, "No matches found for VPD page number 0x99\n", "")


def test_enumerate_searches_by_number_only(capsys):
    code, out, err = run(capsys, "inq", "-e", "-p", "di")
    assert (code, out) == (1, "")
    assert "with --enumerate, --page is a page number to search for" in err


def test_enumerate_json(capsys):
    code, out, _ = run(capsys, "inq", "-e", "-p", "0xb2", "--json")
    assert code == 0
    assert json.loads(out) == [{"name": "lbpv", "page_code": 0xB2, "description": "Logical block provisioning"}]
    assert vpd_name_rows(0xB2) == [("lbpv", 0xB2, "Logical block provisioning")]


@pytest.mark.skipif(SG_VPD is None, reason="sg_vpd is not installed")
def test_enumerate_agrees_with_sg_vpd_on_every_shared_name(capsys):
    theirs = subprocess.run([SG_VPD, "-e"], capture_output=True, text=True).stdout
    standard = theirs.split("Vendor/product identifiers:")[0]
    codes = {}
    for line in standard.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[1].startswith("0x"):
            codes[parts[0]] = int(parts[1], 16)
    run(capsys, "inq", "-e")
    shared = set(codes) & set(VPD_PAGES)
    assert len(shared) >= 30
    assert {name: VPD_PAGES[name] for name in shared} == {name: codes[name] for name in shared}


# --- inq --force ------------------------------------------------------------------------

def test_page_is_checked_against_page_00h_unless_force(capsys, sent):
    # ATA information (89h): a SCSI disk that is not behind a SAT layer does not list it.
    code, out, err = run(capsys, "inq", "emu:disk", "-p", "ai")
    assert (code, out) == (83, "")
    assert err.startswith("sgframe inq: VPD page 0x89 is not in the device's supported VPD pages (page 00h lists 0x00, ")
    assert [cdb for cdb, _ in sent] == ["12010000fc00"]  # page 00h only; 0x89 never asked
    sent.clear()
    code, out, err = run(capsys, "inq", "emu:disk", "-p", "ai", "--force")
    assert (code, out) == (5, "")  # the device itself refuses it
    assert [cdb for cdb, _ in sent] == ["12018900fc00"]


@pytest.fixture
def wrong_page(monkeypatch) -> EmulatedDisk:
    """A disk whose page 00h lists B0h but which answers B0h with its page 80h."""
    disk = EmulatedDisk(blocks=64)

    def inquiry(d, request):
        if request.cdb[1] & 1 and request.cdb[2] == 0x00:
            return bytes((0, 0, 0, 3, 0x00, 0x80, 0xB0))
        if request.cdb[1] & 1 and request.cdb[2] == 0xB0:
            return emu_vpd.inquiry(d, type(request)(cdb=bytes((0x12, 1, 0x80, 0, 252, 0)),
                                                    allocation_length=request.allocation_length))
        return emu_vpd.inquiry(d, request)

    disk.register(0x12, None, inquiry, name="INQUIRY")
    return _shared(monkeypatch, "h14wrong", disk)


def test_response_of_another_page_is_refused_unless_force(capsys, wrong_page):
    code, out, err = run(capsys, "inq", "emu:h14wrong", "-p", "bl")
    assert (code, out) == (97, "")
    assert "asked for VPD page 0xb0, the device returned page 0x80; --force decodes it anyway" in err
    code, out, err = run(capsys, "inq", "emu:h14wrong", "-p", "bl", "--force", "--json")
    assert code == 0 and json.loads(out)["page_code"] == 0x80
    assert json.loads(out)["product_serial_number"] == wrong_page.serial
    assert "(decoded as it is: --force)" in err


def test_inhex_of_another_page_is_decoded_with_force(capsys):
    path = str(DATA / "vpd_sdeb.hex")
    code, _, err = run(capsys, "inq", "--inhex", path, "-p", "bl")
    assert code == 15 and "--force decodes it as the page it holds" in err
    code, out, err = run(capsys, "inq", "--inhex", path, "-p", "bl", "--force", "--json")
    assert code == 0 and json.loads(out)["page_code"] == 0x00  # the file starts with scsi_debug's page 00h
    assert "holds VPD page 0x00, not 0xb0 (decoded as it is: --force)" in err


# --- inq --ident and --quiet ------------------------------------------------------------

@pytest.fixture
def one_disk(monkeypatch) -> EmulatedDisk:
    """emu:h14disk: one disk for every open (emu:disk is a new one, with a new NAA, each time)."""
    return _shared(monkeypatch, "h14disk", EmulatedDisk(blocks=64))


def _emu_naa(capsys) -> str:
    code, out, _ = run(capsys, "inq", "emu:h14disk", "-p", "di", "--json")
    naa = [d for d in json.loads(out)["designation_descriptors"] if d["designator_type"] == 3 and d["association"] == 0]
    return bytes.fromhex(naa[0]["designator"]).hex()


def test_ident_once_is_page_di(capsys, one_disk):
    assert run(capsys, "inq", "emu:h14disk", "-i") == run(capsys, "inq", "emu:h14disk", "-p", "di")
    code, out, _ = run(capsys, "inq", "emu:h14disk", "--ident")
    assert code == 0 and out.startswith("Device identification VPD page (0x83):\n  Addressed logical unit:\n")


def test_ident_twice_is_the_short_lu_designator(capsys, one_disk):
    naa = _emu_naa(capsys)
    assert len(naa) == 32  # NAA 6: 16 bytes
    assert run(capsys, "inq", "emu:h14disk", "-ii") == (0, f"  0x{naa}\n", "")
    assert run(capsys, "inq", "emu:h14disk", "-q", "-p", "di_lu") == (0, f"  0x{naa}\n", "")


def test_ident_excludes_page(capsys):
    code, _, err = run(capsys, "inq", "emu:disk", "-i", "-p", "sn")
    assert code == 1 and "not allowed with argument" in err


def test_quiet_supported_pages_and_all(capsys):
    code, out, _ = run(capsys, "inq", "emu:disk", "-q", "-p", "sv")
    assert code == 0
    assert out.splitlines()[:3] == ["  Supported VPD pages [sv]", "  Unit serial number [sn]",
                                    "  Device identification [di]"]
    code, out, _ = run(capsys, "inq", "emu:disk", "-q", "-a")
    # sg_vpd -qa: each page keeps its heading, its body is the short form.
    assert code == 0 and "Device identification VPD page (0x83):\n  0x" in out
    assert out.startswith("Supported VPD pages VPD page (0x00):\n  Supported VPD pages [sv]\n")


def test_quiet_designators_of_every_kind(capsys):
    """vpd_di_all.hex holds one designator of each type: the short form names the EUI-64s,
    the NAAs, the UUID (unindented, as sg_vpd) and the SCSI name string, grouped LU first."""
    code, out, _ = run(capsys, "inq", "--inhex", str(DATA / "vpd_di_all.hex"), "-q", "-p", "di")
    assert code == 0
    assert out.splitlines() == ["  0x1122334455667788", "  0x112233445566778800000123",
                                "  0x0123456789abcdef1122334455667788", "  0x5122334455667788",
                                "  0x6122334455667788aabbccddeeffeedd", "11223344-5566-7788-99aa-bbccddeefedc",
                                "  iqn.5886.com.acme.diskarrays-sn-a8675309"]
    # A pre-SPC page: one bare 16-byte identifier, taken as the logical unit's NAA.
    code, out, _ = run(capsys, "inq", "--inhex", str(DATA / "vpd_di_old_emc_symm.hex"), "-ii")
    assert (code, out) == (0, "  0x6006048000123456789abcdef0123456\n")


def _sdeb_page_83h(tmp_path) -> str:
    """scsi_debug's page 83h, cut from vpd_sdeb.hex (its pages one after another)."""
    pages = bytes.fromhex((DATA / "vpd_sdeb.hex").read_text())
    start = pages.index(bytes.fromhex("00830070"))
    path = tmp_path / "sdeb_83.hex"
    path.write_text(pages[start:start + 4 + 0x70].hex(" "))
    return str(path)


def test_quiet_joins_a_sas_port_name_with_its_relative_port(capsys, tmp_path):
    """scsi_debug's target port: the relative port designator comes before the NAA; the
    short form joins them, and leaves the target port group out."""
    path = _sdeb_page_83h(tmp_path)
    assert run(capsys, "inq", "--inhex", path, "-q", "-p", "di_port") == (0, "  0x32222220000007ce,0x1\n", "")
    assert run(capsys, "inq", "--inhex", path, "-q", "-p", "di") == (
        0, "  0x33333330000007d0\n  0x32222220000007ce,0x1\n  0x32222220000007cd\n  naa.32222220000007CD\n", "")


@pytest.mark.skipif(SG_VPD is None, reason="sg_vpd is not installed")
@pytest.mark.parametrize("name", ["vpd_di_all", "vpd_di_bad_all", "vpd_di_name_inject", "vpd_di_old_emc_symm",
                                  "vpd_dev_id", "sdeb_83"])
@pytest.mark.parametrize("view", ["-p di", "-p di_lu", "-p di_port", "-p di_target", "-p di_asis", "-i", "-ii"])
def test_quiet_short_form_is_sg_vpd_s(capsys, tmp_path, name, view):
    path = _sdeb_page_83h(tmp_path) if name == "sdeb_83" else str(DATA / f"{name}.hex")
    argv = [*view.split(), "-q"] if view.startswith("-p") else view.split()
    theirs = subprocess.run([SG_VPD, *argv, f"--inhex={path}"], capture_output=True, text=True)
    code, out, _ = run(capsys, "inq", "--inhex", path, *argv)
    if "-q" in argv or view == "-ii":
        assert (code, out) == (theirs.returncode, theirs.stdout)
    else:  # -i: the page in sgframe's own layout, each designator's value as sg_vpd prints it
        assert code == theirs.returncode == 0 and out.startswith("Device identification VPD page (0x83):")


# --- dd --dry-run, --progress, --verify -------------------------------------------------

@pytest.fixture
def pair(monkeypatch) -> tuple:
    source = _shared(monkeypatch, "h14src", EmulatedDisk(blocks=256))
    target = _shared(monkeypatch, "h14dst", EmulatedDisk(blocks=256))
    with Channel.open("emu:h14src") as channel:
        from sgframe.command import Write16

        channel.execute(Write16(lba=0, transfer_length=256), data=bytes(range(256)) * 512)
    return source, target


def test_dry_run_opens_checks_says_and_copies_nothing(capsys, pair, sent, tmp_path):
    out_file = tmp_path / "copy.img"
    code, out, err = run(capsys, "dd", "if=emu:h14src", f"of={out_file}", "count=64", "skip=8", "bpt=16",
                         "--dry-run")
    assert (code, out) == (0, "")
    assert err == (f"sgframe dd: would copy 64 blocks of 512 bytes from emu:h14src (from block 8, READ(16)) "
                   f"to {out_file} (from block 0, write), 16 blocks a command\n"
                   "Since --dry-run option given, bypassing copy\n")
    assert out_file.exists() and out_file.stat().st_size == 0  # opened as sg_dd opens it, nothing written
    assert not [cdb for cdb, _ in sent if cdb[:2] in ("88", "8a")]  # no READ(16), no WRITE(16)
    code, out, _ = run(capsys, "dd", "if=emu:h14src", "of=emu:h14dst", "bs=4096", "--dry-run")
    assert code == 1  # sizes are checked: 4096 is not the disks' 512


def test_dry_run_json(capsys, pair):
    code, out, _ = run(capsys, "dd", "if=emu:h14src", "of=emu:h14dst", "--dry-run", "--json", "--verify")
    assert code == 0
    summary = json.loads(out)
    assert (summary["dry_run"], summary["count"], summary["verify"], summary["records_out"]) == (True, 256, True, 0)


def test_verify_compares_with_verify16_bytchk_1(capsys, pair, sent):
    code, _, err = run(capsys, "dd", "if=emu:h14src", "of=emu:h14src", "count=32", "bpt=16", "--verify")
    assert code == 0
    assert "32+0 records in\n32+0 records verified\n" in err
    verifies = [(cdb, data) for cdb, data in sent if cdb.startswith("8f")]
    assert [cdb for cdb, _ in verifies] == ["8f02" + "0" * 16 + "00000010" + "0000",
                                            "8f02" + f"{16:016x}" + "00000010" + "0000"]
    assert bytes.fromhex(verifies[0][1]) == (bytes(range(256)) * 2) * 16
    assert not [cdb for cdb, _ in sent if cdb.startswith("8a")]  # nothing written


def test_verify_stops_at_the_first_miscompare_with_exit_14(capsys, pair):
    code, out, err = run(capsys, "dd", "if=emu:h14src", "of=emu:h14dst", "count=64", "bpt=16", "--verify", "--json")
    assert code == 14
    assert "MISCOMPARE" in err and "VERIFY reports miscompare in the 16 blocks from LBA 0 of emu:h14dst" in err
    summary = json.loads(out)
    assert (summary["records_in"], summary["records_out"], summary["exit_code"]) == (16, 0, 14)
    assert "16+0 records in\n0+0 records verified\n" in err
    from sgframe.command import Read16

    with Channel.open("emu:h14dst") as channel:  # compared, not written: still zeros
        assert bytes(channel.execute(Read16(lba=0, transfer_length=64)).data) == bytes(64 * 512)


def test_verify_needs_a_device_output(capsys, pair, tmp_path):
    code, _, err = run(capsys, "dd", "if=emu:h14src", f"of={tmp_path / 'x'}", "--verify")
    assert code == 31  # sg_dd: SG_LIB_CONTRADICT
    assert "--verify compares with VERIFY(16) on of=, which must be a SCSI device" in err
    assert not (tmp_path / "x").exists()


def test_verify_does_not_guard_the_output_as_written(capsys, pair, monkeypatch):
    monkeypatch.setattr(safety, "reasons_in_use", lambda device: ["/dev/sdz1 is mounted on /"])
    assert run(capsys, "dd", "if=emu:h14src", "of=emu:h14src", "count=8", "--verify")[0] == 0
    code, _, err = run(capsys, "dd", "if=emu:h14src", "of=emu:h14dst", "count=8")
    assert code == 15 and "refusing WRITE(16) on emu:h14dst" in err


def test_progress_reports_and_completed(capsys, pair, monkeypatch):
    monkeypatch.setattr(dd_module, "PROGRESS_INTERVALS", (0.0, 0.0, 0.0))
    code, _, err = run(capsys, "dd", "if=emu:h14src", "of=/dev/null", "count=48", "bpt=16", "-p")
    assert code == 0
    assert err.count("Progress report, continuing ...\n") == 3
    assert "  remaining block count=32\n  16+0 records in\n  16+0 records out\n  time to transfer data so far: " in err
    tail = err.split("\nCompleted:\n")
    assert len(tail) == 2 and tail[0].splitlines()[-1].startswith("time to transfer data: ")
    assert tail[1] == "48+0 records in\n48+0 records out\n"


def test_progress_interval_by_count_and_none_without(capsys, pair):
    assert [dd_module._Reporter(n, "out").interval for n in (0, 1, 2, 3, 5)] == [None, 120.0, 60.0, 30.0, 30.0]
    code, _, err = run(capsys, "dd", "if=emu:h14src", "of=/dev/null", "count=48", "-p")
    assert code == 0 and "Progress report" not in err and "\nCompleted:\n48+0 records in\n" in err
    code, _, err = run(capsys, "dd", "if=emu:h14src", "of=/dev/null", "count=48")
    assert "Completed:" not in err and err.startswith("48+0 records in\n48+0 records out\n")


# --- format --tape (FORMAT MEDIUM) ------------------------------------------------------

def test_format_medium_cdb():
    assert bytes(FormatMedium(immed=True, format=1)) == bytes.fromhex("04 01 01 00 00 00")
    assert bytes(FormatMedium(verify=True, format=2, control=4)) == bytes.fromhex("04 02 02 00 00 04")
    assert bytes(FormatMedium(format=15, transfer_length=0x1234)) == bytes.fromhex("04 00 0f 12 34 00")
    assert FormatMedium.from_bytes(bytes.fromhex("04 03 08 00 00 00")) == FormatMedium(verify=True, immed=True,
                                                                                         format=8)
    with pytest.raises(UsageError, match="format=16 is out of range"):
        FormatMedium(format=16)
    assert FormatMedium.NAME == "FORMAT MEDIUM" and FormatMedium.MODIFIES_MEDIUM


def test_format_medium_is_not_in_the_registry():
    from sgframe.command import REGISTRY, FormatUnit, decode_cdb

    assert REGISTRY.lookup(0x04) is FormatUnit
    assert type(decode_cdb(bytes(FormatMedium(format=1)))) is FormatUnit


@pytest.fixture
def tape(monkeypatch) -> list:
    """An emulated device that says it is a tape (peripheral device type 01h) and takes
    FORMAT MEDIUM; the CDBs of FORMAT MEDIUM it received."""
    drive = EmulatedDisk(blocks=64)
    received: list = []

    def inquiry(d, request):
        data = bytearray(emu_vpd.inquiry(d, request))
        data[0] = (data[0] & 0xE0) | 0x01
        return bytes(data)

    def format_medium(d, request):
        received.append(bytes(request.cdb).hex())

    drive.register(0x12, None, inquiry, name="INQUIRY")
    drive.register(0x04, None, format_medium, name="FORMAT MEDIUM", medium=True)
    _shared(monkeypatch, "h14tape", drive)
    return received


def test_tape_sends_format_medium_and_polls(capsys, tape, sent):
    code, out, _ = run(capsys, "format", "emu:h14tape", "--tape", "1", "--quick", "--poll-interval", "0")
    assert (code, out) == (0, "FORMAT MEDIUM (format 1: partition medium) complete\n")
    assert tape == ["040101000000"]  # IMMED, FORMAT 1
    cdbs = [cdb for cdb, _ in sent]
    assert cdbs[0] == "120000002400" and cdbs[1] == "040101000000" and cdbs[2].startswith("03")  # then REQUEST SENSE


def test_tape_wait_verify_and_json(capsys, tape):
    code, out, _ = run(capsys, "format", "emu:h14tape", "-T", "2", "--verify", "--wait", "--yes", "--json")
    assert code == 0
    assert tape == ["040202000000"]  # VERIFY, no IMMED, FORMAT 2
    summary = json.loads(out)
    assert (summary["cdb"], summary["format_name"], summary["polls"]) == ("040202000000",
                                                                         "default format then partition", 0)


def test_tape_dry_run_and_confirmation(capsys, tape):
    assert run(capsys, "format", "emu:h14tape", "--tape", "0", "--dry-run") == (
        0, "Dry run: would send FORMAT MEDIUM (format 0: use default format)\n", "")
    code, _, err = run(capsys, "format", "emu:h14tape", "--tape", "0")
    assert code == 1 and "There is no terminal to ask: give --yes" in err
    assert tape == []


def test_tape_refused_on_a_disk(capsys, sent):
    code, out, err = run(capsys, "format", "emu:disk", "--tape", "0", "--quick")
    assert (code, out) == (97, "")  # sg_format: "This format is only defined for tapes"
    assert err == ("sgframe format: --tape sends FORMAT MEDIUM, defined for tapes (peripheral device type 01h); "
                   "emu:disk is a direct access block device (0x00)\n")
    assert [cdb for cdb, _ in sent] == ["120000002400"]


def test_tape_keeps_the_in_use_rule(capsys, tape, monkeypatch):
    monkeypatch.setattr(safety, "reasons_in_use", lambda device: ["/dev/st0 is open by tar"])
    code, _, err = run(capsys, "format", "emu:h14tape", "--tape", "0", "--quick")
    assert code == 15 and "refusing FORMAT MEDIUM on emu:h14tape: /dev/st0 is open by tar" in err
    assert tape == []
    assert run(capsys, "format", "emu:h14tape", "--tape", "0", "--quick", "--force", "--poll-interval", "0")[0] == 0
    assert tape == ["040100000000"]


@pytest.mark.parametrize("argv, message", [
    (["--tape", "16"], "--tape is FORMAT MEDIUM's FORMAT field, 0..15"),
    (["--tape", "1", "--preset", "2"], "--preset belong to the disk commands"),
    (["--tape", "1", "--size", "4096"], "--size belong to the disk commands"),
    (["--verify"], "--verify sets VERIFY in FORMAT MEDIUM, a tape command: it goes with --tape FM"),
])
def test_tape_bad_options(capsys, tape, argv, message):
    code, _, err = run(capsys, "format", "emu:h14tape", *argv)
    assert code == 1 and message in err
    assert tape == []


def test_tape_negative_is_refused(capsys, tape):
    # sg_format's -1 is its "no --tape" default; here leaving --tape out says that.
    code, _, err = run(capsys, "format", "emu:h14tape", "--tape=-1")
    assert code == 1 and "'-1' is negative: give 0 or more" in err and tape == []
