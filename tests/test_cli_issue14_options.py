"""Issue 14's remaining sg3_utils options: --readonly, sg_ses --eiioe/--warn, sg_zone's
element operations, sg_start --fl/--old, the obsolete bits, sg_format's options, sg_vpd's
options on ``inq``, and the SES-1 array status page. Each asserts the CDB and parameter
bytes sent (or the open flags), and what is printed."""
from __future__ import annotations

import json
import os

import pytest

from sgframe.channel import Channel
from sgframe.cli import main
from sgframe.emu import EmulatedDisk
from sgframe.emu.uri import KINDS
from sgframe.errors import UsageError
from sgframe.transport import opening


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def disk(monkeypatch) -> EmulatedDisk:
    shared = EmulatedDisk(blocks=1024)
    monkeypatch.setitem(KINDS, "o14", (lambda **_: shared, {}))
    return shared


@pytest.fixture
def sent(monkeypatch) -> list:
    """Every CDB and data-out buffer a channel executes, as (cdb bytes, data bytes or None)."""
    seen: list = []
    original = Channel.execute

    def spy(self, command, *args, **kwargs):
        data = kwargs.get("data", args[0] if args else None)
        seen.append((bytes(command).hex(), None if data is None else bytes(data).hex()))
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(Channel, "execute", spy)
    return seen


# --- 1. --readonly --------------------------------------------------------------------------

@pytest.fixture
def opened(monkeypatch) -> list:
    """The options each Channel.open receives (the device is then opened as asked)."""
    calls: list = []
    original = Channel.open.__func__

    def spy(cls, uri, **options):
        calls.append(dict(options))
        return original(cls, uri, **options)

    monkeypatch.setattr(Channel, "open", classmethod(spy))
    return calls


@pytest.mark.parametrize("argv", [
    ("rtpg", "-R"), ("lba-status", "-R"), ("zones", "-R"), ("start", "-r"), ("read-buffer", "-R"),
    ("rtpg", "--readonly"), ("start", "--readonly"),
])
def test_readonly_reaches_channel_open(capsys, opened, disk, argv):
    name, flag = argv
    run(capsys, name, "emu:o14", flag)
    assert opened and opened[-1]["read_only"] is True


def test_without_readonly_the_device_opens_read_write(capsys, opened, disk):
    run(capsys, "rtpg", "emu:o14")
    assert opened[-1]["read_only"] is False


def test_channel_open_passes_read_only_to_the_opener_only_when_asked(monkeypatch):
    got: list = []

    def opener(rest, **options):
        got.append(options)
        return opening.BUILTIN_SCHEMES["emu"]("disk")

    monkeypatch.setitem(opening.BUILTIN_SCHEMES, "fake", opener)
    monkeypatch.setattr("sgframe.plugins.PluginManager.open_transport",
                        lambda self, uri, **o: opening.open_transport(uri, schemes=opening.BUILTIN_SCHEMES, **o))
    Channel.open("fake:x", read_only=True).close()
    Channel.open("fake:x").close()
    assert got == [{"read_only": True}, {}]


def test_read_only_must_be_a_bool():
    with pytest.raises(UsageError, match="read_only= takes True or False"):
        Channel.open("emu:disk", read_only="yes")


def test_emu_accepts_read_only():
    with Channel.open("emu:disk", read_only=True) as channel:
        assert channel.name == "emu:disk"


@pytest.mark.parametrize("read_only, mode", [(True, os.O_RDONLY), (False, os.O_RDWR)])
def test_sg_opener_opens_the_node_read_only(monkeypatch, tmp_path, read_only, mode):
    """_open_sg hands read_only to SgTransport, which opens the node with O_RDONLY."""
    import fcntl

    from sgframe.linux import sysfs
    from sgframe.linux.sysfs import DeviceNodes
    from sgframe.transport import sg as sgmod

    node = tmp_path / "sg9"
    node.write_bytes(b"")
    modes: list = []

    def watch(path, **kw):
        fd = os.open(path, (os.O_RDONLY if kw.get("read_only") else os.O_RDWR) | os.O_CLOEXEC)
        modes.append(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE)
        return fd

    nodes = DeviceNodes(hctl="9:0:0:0", sg=str(node), block=None, bsg=None, scsi_type=0, vendor="", model="",
                        rev="", size_bytes=None)
    monkeypatch.setattr(sysfs, "resolve", lambda rest: nodes)
    monkeypatch.setattr(sgmod, "open_sg", watch)
    monkeypatch.setattr(sgmod, "_host_limit", lambda name: 1 << 20)
    options = {"read_only": True} if read_only else {}
    transport = opening.BUILTIN_SCHEMES["sg"](str(node), **options)
    try:
        assert modes == [mode]
        assert transport._read_only is read_only
    finally:
        transport.close()


@pytest.fixture
def zoned(monkeypatch):
    shared = KINDS["zoned"][0](blocks=1024, zone_size=128, conventional_zones=1)
    monkeypatch.setitem(KINDS, "oz14", (lambda **_: shared, {}))
    return shared


def cdbs(sent: list) -> list:
    return [cdb for cdb, _ in sent]


# --- 4. obsolete bits and MODE SPECIFIC -----------------------------------------------------

def test_sync_nv_sets_the_obsolete_bit(capsys, disk, sent):
    # The emulated disk follows SBC-4: an obsolete bit set is an invalid field (5), as
    # sg_sync --sync-nv gets from a current disk.
    code, _, err = run(capsys, "sync", "emu:o14", "--sync-nv")
    assert code == 5 and "error in CDB byte 1 bit 2" in err
    assert run(capsys, "sync", "emu:o14", "-s", "-S", "-i")[0] == 5
    assert cdbs(sent) == ["35040000000000000000", "91060000000000000000000000000000"]


def test_write_same_lbdata_pbdata_set_the_obsolete_bits(capsys, disk, sent):
    code, _, err = run(capsys, "write-same", "emu:o14", "--lba", "2", "--lbdata")
    assert code == 5 and "error in CDB byte 1 bit 1" in err
    assert run(capsys, "write-same", "emu:o14", "--lba", "2", "-P", "-S")[0] == 5
    writes = [cdb for cdb in cdbs(sent) if cdb[:2] in ("41", "93")]
    assert writes == ["41020000000200000100", "93040000000000000002000000010000"]


def test_write_same_32(capsys, disk, sent):
    code, _, err = run(capsys, "write-same", "emu:o14", "--lba", "9", "--num", "2", "--32", "--unmap")
    writes = [(cdb, data) for cdb, data in sent if cdb.startswith("7f")]
    # GROUP 0, ADDITIONAL CDB LENGTH 18h, SA 000Dh, UNMAP, LBA 9, no tags, 2 blocks.
    assert writes == [("7f00000000000018000d08000000000000000009000000000000000000000002", "00" * 512)]
    # The emulated disk has no WRITE SAME(32): an invalid service action, CDB byte 8 (5).
    assert code == 5 and "WRITE SAME(32) on emu:o14" in err and "error in CDB byte 8" in err
    code, _, err = run(capsys, "write-same", "emu:o14", "--lba", "9", "--16", "--32")
    assert code == 1 and "give one of --10, --16 and --32" in err


def test_read_buffer_specific_and_long(capsys, disk, sent):
    run(capsys, "read-buffer", "emu:o14", "--mode", "desc", "--specific", "5")
    run(capsys, "read-buffer", "emu:o14", "--mode", "desc", "--long", "-S", "1", "-i", "2", "-o", "0x1000000")
    assert cdbs(sent) == ["3ca30000000000000400", "9b230000000001000000000000040200"]


def test_read_buffer_refuses_a_mode_specific_beyond_3_bits_and_a_long_offset_in_10(capsys, disk, sent):
    code, _, err = run(capsys, "read-buffer", "emu:o14", "--specific", "8")
    assert code == 1 and "--specific (MODE SPECIFIC) is 0..7, got 8" in err
    code, _, err = run(capsys, "read-buffer", "emu:o14", "--offset", "0x1000000")
    assert code == 1 and "give --long for READ BUFFER(16)" in err
    assert sent == []


# --- 3. start --fl / --old, zones --sequentialize / --remove --------------------------------

def test_start_fl_sends_the_format_layer_with_loej_and_start(capsys, disk, sent):
    run(capsys, "start", "emu:o14", "--fl", "2", "-i")
    # byte 3 FORMAT LAYER NUMBER 2; byte 4 FL (bit 2), LOEJ, START; IMMED.
    assert cdbs(sent) == ["1b0100020700"]


@pytest.mark.parametrize("argv, message", [
    (("--fl", "4"), "--fl (format layer) is 0..3, got 4"),
    (("--fl", "1", "--stop"), "excludes --stop and --eject"),
    (("--fl", "1", "--pc", "2"), "excludes a non-zero --pc"),
    (("--imm", "2"), "--imm is 0 or 1, got 2"),
])
def test_start_fl_refuses_what_sg_start_refuses(capsys, disk, sent, argv, message):
    code, _, err = run(capsys, "start", "emu:o14", *argv)
    assert code == 1 and message in err and sent == []


def test_start_old_spellings(capsys, disk, sent):
    assert run(capsys, "start", "0", "emu:o14")[0] == 0
    assert disk.started is False
    assert run(capsys, "start", "--old", "emu:o14", "1", "--imm=1")[0] == 0
    assert disk.started is True
    assert cdbs(sent) == ["1b0000000000", "1b0100000100"]
    code, _, err = run(capsys, "start", "emu:o14", "emu:other")
    assert code == 1 and "give one DEVICE (besides 0 and 1)" in err
    code, _, err = run(capsys, "start", "1")
    assert code == 1 and "give one DEVICE (besides 0 and 1); got none" in err


def test_zones_sequentialize_is_zbc_out_10h(capsys, zoned, sent):
    code, _, err = run(capsys, "zones", "emu:oz14", "--sequentialize", "-z", "0x100", "-C", "2")
    # The emulated zoned disk has no sequential write preferred zones: ILLEGAL REQUEST (5).
    assert code == 5 and "SEQUENTIALIZE ZONE" in err
    assert cdbs(sent) == ["94100000000000000100000000020000"]


def test_zones_remove_element_asks_then_sends_9e_1a(capsys, zoned, sent):
    code, _, err = run(capsys, "zones", "emu:oz14", "--remove", "--element", "3")
    assert code == 1 and "There is no terminal to ask: give --yes" in err and sent == []
    code, _, err = run(capsys, "zones", "emu:oz14", "--remove", "--element", "3", "--quick")
    assert code == 5 and "REMOVE ELEMENT AND MODIFY ZONES" in err
    assert cdbs(sent) == ["9e1a0000000000000000000000030000"]


@pytest.mark.parametrize("argv, message", [
    (("--open", "--element", "3"), "goes with --remove only"),
    (("--remove", "--all", "-y"), "--remove takes --element EID, not --all"),
    (("--remove", "--sequentialize"), "give one zone action"),
])
def test_zones_element_options_that_do_not_fit(capsys, zoned, sent, argv, message):
    code, _, err = run(capsys, "zones", "emu:oz14", *argv)
    assert code == 1 and message in err and sent == []


def test_zone_actions_keep_the_mounted_device_safety(capsys, monkeypatch, sent):
    from sgframe.cli import safety

    monkeypatch.setattr(safety, "reasons_in_use", lambda device: ["/dev/sdz1 is mounted on /"])
    for argv in (("--sequentialize",), ("--remove", "-e", "1", "-y")):
        code, _, err = run(capsys, "zones", "emu:zoned", *argv)
        assert code == 15 and "mounted" in err
    assert sent == []


# --- 5 and 7. format ------------------------------------------------------------------------

def test_format_ip_def_sends_the_descriptor_sized_by_the_list(capsys, disk, sent):
    assert run(capsys, "format", "emu:o14", "--format", "-Q", "--wait", "--ip-def")[0] == 0
    formats = [(cdb, data) for cdb, data in sent if cdb.startswith("04")]
    # FMTDATA, CMPLST; header FOV IP, then the default pattern descriptor (4 bytes): 8 bytes.
    assert formats == [("041800000000", "0088000000000000")]


def test_format_security_with_long_header(capsys, disk, sent):
    run(capsys, "format", "emu:o14", "--format", "-Q", "--wait", "--security", "--pie", "1")
    formats = [(cdb, data) for cdb, data in sent if cdb.startswith("04")]
    assert formats == [("043800000000", "008800010000000020000000")]


def test_format_preset_sends_format_with_preset(capsys, disk, sent):
    code, _, err = run(capsys, "format", "emu:o14", "--preset", "5", "--fmtmaxlba", "-Q")
    # IMMED (not --wait) and FMTMAXLBA; the emulated disk's VPD page B8h lists preset 1
    # only: ILLEGAL REQUEST, INVALID FIELD IN CDB (5).
    assert code == 5 and "Invalid field in cdb [24h/00h], error in CDB byte 2" in err
    assert [cdb for cdb in cdbs(sent) if cdb.startswith("38")] == ["38c00000000500000000"]
    sent.clear()
    disk.medium.write(0, b"\x33" * 512)
    assert run(capsys, "format", "emu:o14", "--preset", "1", "-Q")[0] == 0
    assert [cdb for cdb in cdbs(sent) if cdb.startswith("38")] == ["38800000000100000000"]
    assert disk.medium.read(0, 1) == bytes(512)
    sent.clear()
    code, _, err = run(capsys, "format", "emu:o14", "--preset", "5")
    assert code == 1 and "There is no terminal to ask" in err and sent == []


def test_format_resize_selects_the_count_and_formats_nothing(capsys, disk, sent):
    disk.medium.write(0, b"\x33" * 512)
    run(capsys, "format", "emu:o14", "--resize", "--count", "512")
    assert not [cdb for cdb in cdbs(sent) if cdb.startswith("04")]
    sense, select = [(cdb, data) for cdb, data in sent if cdb[:2] in ("5a", "55")]
    assert sense[0] == "5a00010000000000fc00"
    assert select[0] == "55100000000000001000" and select[1][16:24] == "00000200"  # NUMBER OF BLOCKS 512
    assert select[1][-6:] == "000200"  # LOGICAL BLOCK LENGTH kept at 512
    assert disk.medium.read(0, 1) == b"\x33" * 512


def test_format_six_and_mode_use_the_6_byte_commands_on_that_page(capsys, disk, sent):
    run(capsys, "format", "emu:o14", "--resize", "--count", "100", "--six", "--mode", "8")
    probe = [(cdb, data) for cdb, data in sent if cdb[:2] in ("1a", "15")]
    assert [cdb for cdb, _ in probe] == ["1a000800fc00", "151000000c00"]
    # MODE SELECT(6): the 4-byte header (block descriptor length 8), the descriptor with
    # NUMBER OF LOGICAL BLOCKS 100 and LOGICAL BLOCK LENGTH 512 kept.
    assert probe[1][1][:8] == "00000008" and probe[1][1][8:16] == "00000064" and probe[1][1][-6:] == "000200"


def test_block_descriptor_with_length6():
    from sgframe.cli.formatting import block_descriptor_with_length6

    sensed = bytes.fromhex("0b 00 10 08 00 00 04 00 00 00 02 00")
    assert block_descriptor_with_length6(sensed, 4096, None).hex() == "00000008ffffffff00001000"
    assert block_descriptor_with_length6(sensed, 512, 7).hex() == "000000080000000700000200"
    with pytest.raises(UsageError, match="no block descriptor"):
        block_descriptor_with_length6(bytes.fromhex("03 00 00 00"), 512, 7)


@pytest.mark.parametrize("argv, message", [
    (("--verify",), "--verify sets VERIFY in FORMAT MEDIUM, a tape command"),
    (("--fmtmaxlba",), "--fmtmaxlba is a FORMAT WITH PRESET bit"),
    (("--resize", "--format"), "--resize changes the block count without formatting"),
    (("--resize",), "--resize needs --count"),
    (("--preset", "1", "--format"), "give one of them"),
    (("--poll", "2", "--format"), "--poll is 0 (TEST UNIT READY) or 1 (REQUEST SENSE)"),
    (("--resize", "-c", "9", "--mode", "63"), "--mode is a mode page number 0..62"),
])
def test_format_options_that_do_not_fit(capsys, disk, argv, message):
    code, _, err = run(capsys, "format", "emu:o14", *argv)
    assert code == 1 and message in err


class _TurFormatting:
    """TEST UNIT READY during a format: NOT READY, FORMAT IN PROGRESS with a progress
    indication for each step, then GOOD."""

    def __init__(self, steps):
        self.steps = list(steps)
        self.polls = 0

    def __call__(self, disk, request):
        from sgframe.emu.sense import Failure

        self.polls += 1
        if self.steps:
            step = self.steps.pop(0)
            raise Failure(2, 0x04, 0x04, sks=bytes((0x80,)) + step.to_bytes(2, "big"))
        return None


def test_format_poll_0_polls_with_test_unit_ready(capsys, disk, sent, monkeypatch):
    monkeypatch.setattr("sgframe.cli.formatting.time.sleep", lambda s: None)
    turs = _TurFormatting([0x4000, 0x8000])
    disk.register(0x00, None, turs, name="TEST UNIT READY")
    data = json.loads(run(capsys, "format", "emu:o14", "--format", "-Q", "--poll", "0", "--json")[1])
    assert data["polls"] == 3 and turs.polls == 3
    assert "03" not in [cdb[:2] for cdb in cdbs(sent)]  # no REQUEST SENSE


# --- 2 and 6. ses --eiioe / --warn, ses --page as ------------------------------------------

def _enclosure_pages(*codes: int) -> dict:
    from sgframe.command import ReceiveDiagnosticResults

    with Channel.open("emu:enclosure") as channel:
        return {code: bytes(channel.execute(ReceiveDiagnosticResults(pcv=True, page_code=code,
                                                                     allocation_length=65532)).data)
                for code in codes}


def _one_based(aes: bytes) -> bytes:
    """The additional element status page as an enclosure that counts overall elements in
    ELEMENT INDEX but leaves EIIOE 0 writes it: each device slot's index one higher."""
    data = bytearray(aes)
    at = 8
    while at + 4 <= len(data):
        assert data[at] & 0x10 and data[at + 2] == 0  # EIP set, EIIOE 00b
        data[at + 3] += 1
        at += 2 + data[at + 1]
    return bytes(data)


def _hexfile(tmp_path, pages: dict) -> str:
    path = tmp_path / "pages.hex"
    path.write_text("\n".join(pages[c].hex(" ") for c in sorted(pages)) + "\n")
    return str(path)


def test_apply_eiioe_bytes():
    from sgframe.cli.ses import apply_eiioe

    # Two descriptors: EIP with EIIOE 0 and ELEMENT INDEX 1; EIP with EIIOE 2 (left alone).
    page = bytes.fromhex("0a 00 00 0c 00 00 00 00  16 02 00 01  16 02 02 05")
    assert apply_eiioe(page, "force").hex() == "0a00000c000000001602010116020205"
    assert apply_eiioe(page, "auto") == apply_eiioe(page, "force")
    first_zero = page[:11] + b"\x00" + page[12:]
    assert apply_eiioe(first_zero, "auto") == first_zero  # index 0: the guess says EIIOE 0
    assert apply_eiioe(first_zero, "force")[10] == 0x01
    assert apply_eiioe(page, None) == page
    no_eip = bytes.fromhex("0a 00 00 04 00 00 00 00  06 02 00 01")
    assert apply_eiioe(no_eip, "force") == no_eip


def test_ses_eiioe_auto_reads_one_based_element_indexes(capsys, tmp_path):
    pages = _enclosure_pages(0x01, 0x02, 0x07, 0x0A)
    pages[0x0A] = _one_based(pages[0x0A])
    hexfile = _hexfile(tmp_path, pages)
    as_is = json.loads(run(capsys, "ses", "--inhex", hexfile, "-p", "aes", "--json")[1])
    auto = json.loads(run(capsys, "ses", "--inhex", hexfile, "-p", "aes", "--eiioe", "auto", "--json")[1])
    # Read as EIIOE 0, index k+1 names slot k+1: every descriptor one slot off.
    assert [d["element_index"] for d in as_is["descriptors"][:3]] == [1, 2, 3]
    # --eiioe auto: the first descriptor says index 1, so overall elements count: slot k.
    assert [d["element_index"] for d in auto["descriptors"][:3]] == [0, 1, 2]
    assert {d["eiioe"] for d in auto["descriptors"]} == {1}
    # The join puts each SAS address on its own slot again.
    joined = json.loads(run(capsys, "ses", "--inhex", hexfile, "--join", "--eiioe", "auto", "--json")[1])
    slot0 = next(e for e in joined if e["type_index"] == 0 and e["element_index"] == 0)
    assert slot0["additional"]["device_slot_number"] == 0


def test_ses_eiioe_force_and_warn(capsys, tmp_path):
    pages = _enclosure_pages(0x01, 0x0A)
    hexfile = _hexfile(tmp_path, pages)
    forced = json.loads(run(capsys, "ses", "--inhex", hexfile, "-p", "aes", "--eiioe", "force", "--json")[1])
    # Forced on a page that counts without overall elements: index 0 becomes the overall
    # device slot element, index 1 slot 0.
    assert [d["element_index"] for d in forced["descriptors"][:3]] == [None, 0, 1]
    # --warn: a generation code that is not the configuration page's goes to stderr.
    stale = bytearray(pages[0x0A])
    stale[4:8] = (7).to_bytes(4, "big")
    hexfile = _hexfile(tmp_path, {0x01: pages[0x01], 0x0A: bytes(stale)})
    code, out, err = run(capsys, "ses", "--inhex", hexfile, "-p", "aes", "--warn")
    assert code == 0 and out
    assert err == "warning: additional element status page: GENERATION CODE 7 differs from the configuration page's 0\n"
    code, _, err = run(capsys, "ses", "--inhex", hexfile, "-p", "aes")
    assert code == 0 and err == ""  # without --warn nothing on stderr
    code, _, err = run(capsys, "ses", "--inhex", hexfile, "--eiioe", "maybe")
    assert code == 1 and "--eiioe is auto or force, got 'maybe'" in err


def test_ses_page_as_fetches_the_configuration_and_names_array_bits(capsys, tmp_path):
    pages = _enclosure_pages(0x01, 0x02)
    array = bytearray(pages.pop(0x02))
    array[0] = 0x06
    # Device slot 1 (type 0, after the overall element): OK (byte 1 bit 7), hot spare
    # (bit 5), in failed array (bit 2); Ident (byte 2 bit 1).
    at = 8 + 4 + 4 * 1
    array[at:at + 4] = bytes((0x01, 0xA4, 0x02, 0x00))
    pages[0x06] = bytes(array)
    hexfile = _hexfile(tmp_path, pages)
    code, out, err = run(capsys, "ses", "--inhex", hexfile, "-p", "as")
    assert code == 0, err
    assert out.startswith("Array Status diagnostic page:\n")
    slot1 = out.split("      Element 1 descriptor:\n")[1].split("      Element 2")[0]
    assert "OK=1, Reserved device=0, Hot spare=1, Cons check=0" in slot1
    assert "In crit array=0, In failed array=1, Rebuild/remap=0, R/R abort=0" in slot1
    assert "Ident=1" in slot1
    record = json.loads(run(capsys, "ses", "--inhex", hexfile, "-p", "as", "--json")[1])
    element = record["types"][0]["elements"][1]
    assert (element["ok"], element["hot_spare"], element["in_failed_array"], element["ident"]) == (1, 1, 1, 1)


# --- 5. inq: sg_vpd's --maxlen, --raw, --vendor, --examine ------------------------------------

def test_inq_maxlen_is_one_inquiry_of_that_length(capsys, disk, sent):
    code, out, _ = run(capsys, "inq", "emu:o14", "-p", "sn", "--maxlen", "8", "--hex")
    assert code == 0 and out.startswith(" 0000  00 80 00 0b 45 4d 55 30 ")
    # First page 00h (252 bytes), as sg_vpd checks the page is listed; then 8 bytes of 80h.
    assert cdbs(sent) == ["12010000fc00", "120180000800"]
    sent.clear()
    run(capsys, "inq", "emu:o14", "-p", "sn", "--force")
    assert cdbs(sent) == ["12018000fc00"]  # no check with --force; 252, and enough


def test_inq_raw_writes_the_response_bytes(capsysbinary, disk):
    from sgframe.command import Inquiry

    with Channel.open("emu:o14") as channel:
        standard = bytes(channel.execute(Inquiry(allocation_length=252)).data)
        sn = bytes(channel.execute(Inquiry(evpd=True, page_code=0x80, allocation_length=252)).data)
    assert main(["inq", "emu:o14", "--raw"]) == 0
    assert capsysbinary.readouterr().out == standard
    assert main(["inq", "emu:o14", "-p", "sn", "-r"]) == 0
    assert capsysbinary.readouterr().out == sn


def test_inq_examine_asks_every_code_and_shows_what_answers(capsys, disk, sent):
    from sgframe.command import Inquiry

    code, out, _ = run(capsys, "inq", "emu:o14", "--examine", "--json")
    assert code == 0
    asked = [cdb for cdb in cdbs(sent) if cdb.startswith("1201")]
    assert [int(cdb[4:6], 16) for cdb in asked if cdb.endswith("fc00")] == list(range(0x80, 0x100))
    with Channel.open("emu:o14") as channel:
        listed = channel.execute(Inquiry(evpd=True, page_code=0, allocation_length=252)).data[4:]
    assert sorted(int(k, 16) for k in json.loads(out)) == sorted(c for c in listed if c >= 0x80)
    sent.clear()
    run(capsys, "inq", "emu:o14", "-E", "-E", "-p", "0x83", "--json")
    assert [int(cdb[4:6], 16) for cdb in cdbs(sent) if cdb.endswith("fc00")] == list(range(0x00, 0x84))


class _AcmeVpd:
    """A vendor plugin bound to ACME devices that decodes its page C0h (the firmware build
    in bytes 4..)."""

    def __init__(self):
        from sgframe import hookimpl
        from sgframe.plugin_types import DeviceMatch

        self.sgframe_bind_devices = hookimpl(lambda: [DeviceMatch(vendor="ACME")])

        def decode(page_code, data, device):
            if page_code == 0xC0:
                return {"acme_firmware_build": data[4:].decode("ascii")}
            return None

        self.sgframe_decode_vpd_page = hookimpl(decode)


def test_inq_vendor_decodes_with_the_named_plugin(capsys, tmp_path):
    from sgframe import plugins

    saved = tmp_path / "c0.hex"
    saved.write_text("00 c0 00 04 62 31 2e 32\n")
    plugins.register(_AcmeVpd(), "acme14")
    try:
        code, out, _ = run(capsys, "inq", "--inhex", str(saved), "-p", "0xc0", "--vendor", "acme14", "--json")
        assert code == 0 and json.loads(out) == {"acme_firmware_build": "b1.2"}
        # Without --vendor the plugin (bound to ACME) is not asked: the page stays undecoded.
        code, out, _ = run(capsys, "inq", "--inhex", str(saved), "-p", "0xc0", "--json")
        assert code == 0 and "acme_firmware_build" not in out
    finally:
        plugins.unregister("acme14")
    code, _, err = run(capsys, "inq", "--inhex", str(saved), "-p", "0xc0", "--vendor", "acme14")
    assert code == 1 and "--vendor 'acme14': not a loaded plugin; loaded: " in err
