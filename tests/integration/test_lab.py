"""The device lab through the real kernel: emulated devices served by TCMU as /dev/sgN.

A lab is started in this process (its reactor serves from a background thread), so each
test can reach the served emulator itself: ask it the same command in process and compare
with what sg3_utils read through the kernel, or inject a fault and watch it arrive as a
real completion.  The modules are loaded here when the boot did not (``--lab`` loads them).

    python -m sgframe.testbed run --timeout 1500 -- python -m pytest tests/integration/test_lab.py
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, List

import pytest

from sgframe.channel import Channel
from sgframe.errors import CommandTimeout, MediumError, NotReady, TaskFailed, UnitAttention
from sgframe.lab import Lab
from sgframe.lab.configfs import ROOT, hba_name, target_wwn
from sgframe.testbed import guest

DISK = "emu:disk?blocks=262144&serial=LABDISK0001"
ENCLOSURE = "emu:enclosure?slots=12&serial=LABENCL0001"
#: The kernel fails a command user space did not answer after this many seconds.
CMD_TIME_OUT = 4


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    guest.load_modules(*guest.LAB_MODULES)
    with Lab([DISK, ENCLOSURE], cmd_time_out=CMD_TIME_OUT) as served:
        yield served
    assert not served.configfs.tpg.parent.exists()
    assert not list((ROOT / "core" / hba_name(os.getpid())).glob(f"lab{served.configfs.lab}_*"))


@pytest.fixture(scope="module")
def disk(lab: Lab):
    return lab.luns[0], lab.served[0]


@pytest.fixture(scope="module")
def enclosure(lab: Lab):
    return lab.luns[1], lab.served[1]


def tool(*argv: str, check: bool = True) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if check and proc.returncode:
        raise AssertionError(f"{' '.join(argv)}: status {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def raw(*argv: str) -> bytes:
    proc = subprocess.run(argv, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def hexfile(tmp_path: Path, data: bytes, name: str = "page.hex") -> str:
    path = tmp_path / name
    path.write_text("\n".join(data[i : i + 16].hex(" ") for i in range(0, len(data), 16)) + "\n")
    return str(path)


# --- what the kernel made of it ------------------------------------------------------------


def test_devices_appear_with_the_emulators_identity(disk, enclosure):
    lun, _ = disk
    assert Path(lun.sg).exists() and lun.block and Path(lun.block).exists()
    sysfs = Path("/sys/class/scsi_device", lun.hctl, "device")
    assert (sysfs / "vendor").read_text().strip() == "SGFRAME"
    assert (sysfs / "model").read_text().strip() == "EMU DISK"
    assert (sysfs / "type").read_text().strip() == "0"
    lun, _ = enclosure
    assert lun.block is None
    assert Path("/sys/class/scsi_device", lun.hctl, "device", "type").read_text().strip() == "13"


def test_units_are_clean_after_start(disk, enclosure):
    for lun, _ in (disk, enclosure):
        with Channel.open(lun.sg) as channel:
            channel.cmd.TestUnitReady()


# --- sg3_utils through the kernel agree with the emulator in process -------------------------


def test_sg_inq_agrees(disk, tmp_path):
    lun, served = disk
    mine = ask(served, bytes.fromhex("120000ffff00"))
    assert raw("sg_inq", "--raw", lun.sg)[: len(mine)] == mine
    theirs = tool("sg_inq", lun.sg).splitlines()
    inhex = tool("sg_inq", f"--inhex={hexfile(tmp_path, mine)}").splitlines()
    # The device path adds the unit serial number (from VPD page 80h) after the same decode.
    assert theirs[: len(inhex)] == inhex
    assert theirs[len(inhex):] == [" Unit serial number: LABDISK0001"]


def ask(served, cdb: bytes, allocation: int = 0xFFFF) -> bytes:
    """The in-process answer of the very emulator the kernel is talking to."""
    reply = served.device.respond(cdb, b"", allocation)
    assert reply.status == 0, (cdb.hex(), reply)
    return reply.data


def _vpd(served, page: int) -> bytes:
    return ask(served, bytes((0x12, 1, page, 0xFF, 0xFF, 0)))


def test_sg_vpd_every_page_agrees(disk, tmp_path):
    lun, served = disk
    supported = _vpd(served, 0x00)
    pages = list(supported[4 : 4 + supported[3]])
    assert {0x00, 0x80, 0x83, 0xB0, 0xB1} <= set(pages)
    everything = tool("sg_vpd", "--all", lun.sg)
    for page in pages:
        mine = _vpd(served, page)
        assert raw("sg_vpd", f"--page={page:#x}", "--raw", lun.sg) == mine, f"VPD page {page:#x}"
        theirs = tool("sg_vpd", f"--page={page:#x}", lun.sg)
        inhex = tool("sg_vpd", f"--page={page:#x}", f"--inhex={hexfile(tmp_path, mine)}")
        assert theirs == inhex, f"VPD page {page:#x}"
        assert theirs.strip() and theirs.strip() in everything


def test_sg_readcap_agrees(disk):
    lun, served = disk
    for argv, cdb in (
        (("sg_readcap", "--raw"), bytes.fromhex("25000000000000000000")),
        (("sg_readcap", "--16", "--raw"), bytes.fromhex("9e100000000000000000000000200000")),
    ):
        mine = ask(served, cdb, 32)
        assert raw(*argv, lun.sg) == mine
    text = tool("sg_readcap", lun.sg)
    assert "Last LBA=262143 (0x3ffff), Number of logical blocks=262144" in text
    assert "Logical block length=512 bytes" in text


def test_sg_luns_lists_the_labs_luns(lab, disk):
    # REPORT LUNS is answered by LIO, not by the handler (the kernel's passthrough_parse_cdb):
    # it lists the LUNs mapped on the nexus, the lab's two.
    lun, _ = disk
    text = tool("sg_luns", lun.sg)
    assert "Lun list length = 16 which imples 2 lun entries" in text
    assert sorted(re.findall(r"^\s+(000[01]000000000000)$", text, re.M)) == ["0000000000000000", "0001000000000000"]


def test_sg_modes_all_pages_agree(disk):
    lun, served = disk
    theirs = raw("sg_modes", "--all", "--raw", lun.sg)
    # sg_modes -a sends MODE SENSE(10) for all pages (3Fh) with DBD clear.
    mine = ask(served, bytes.fromhex("5a003f00000000ffff00"))
    assert theirs == mine
    text = tool("sg_modes", "--all", lun.sg)
    assert ">> Caching, page_control: current" in text and ">> Control, page_control: current" in text


#: Log pages whose values move between two reads: general statistics and performance (19h:
#: command counts, processing and idle time).
_LIVE_PAGES = {0x19}


def _parameters(page: bytes) -> list:
    """(parameter code, length) of each parameter of a log page."""
    found, offset = [], 4
    while offset + 4 <= len(page):
        found.append((int.from_bytes(page[offset:offset + 2], "big"), page[offset + 3]))
        offset += 4 + page[offset + 3]
    return found


def _shown_size(text: str) -> str:
    return re.sub(r"of \d+ bytes \(use '-H' to see the rest\)", "of N bytes (use '-H' to see the rest)", text)


def test_sg_logs_every_page_agrees(disk, tmp_path):
    lun, served = disk
    supported = ask(served, bytes.fromhex("4d004000000000fffc00"))
    pages = [p for p in supported[4:] if p]
    assert pages
    for page in pages:
        cdb = bytes((0x4D, 0, 0x40 | page, 0, 0, 0, 0, 0xFF, 0xFC, 0))
        mine = ask(served, cdb)
        theirs = raw("sg_logs", f"--page={page:#x}", "--raw", lun.sg)
        if page in _LIVE_PAGES:
            # Its values count the commands and the time between the two reads: the same
            # parameters, of the same lengths, are what both must show.
            assert _parameters(theirs) == _parameters(mine), f"log page {page:#x}"
            mine = theirs  # the decodes below are of one read
        else:
            assert theirs == mine, f"log page {page:#x}"
        if not int.from_bytes(mine[2:4], "big"):
            # An empty page (no deferred errors logged, say): sg_logs 1.46 prints nothing for
            # it from a device but a sentence from --in; the bytes above are what count.
            continue
        decoded = tool("sg_logs", f"--page={page:#x}", lun.sg)
        offline = tool("sg_logs", f"--in={hexfile(tmp_path, mine)}")
        # The device path starts with the INQUIRY line; the page decode follows identically,
        # but for the size sg_logs 1.46 names where it stops showing a long page: 8192 bytes
        # from a device, the file's 16388 from --in, for the application client page (0Fh);
        # the bytes agree above.
        shown = _shown_size(decoded.split("\n", 1)[1]), _shown_size(offline)
        if page in _LIVE_PAGES:  # the same lines, with the numbers of a third read
            shown = tuple(re.sub(r"\d+", "N", text) for text in shown)
        assert shown[0] == shown[1], f"log page {page:#x}"
    tool("sg_logs", "--all", lun.sg)


def test_sg_opcodes_agrees(disk):
    lun, served = disk
    theirs = raw("sg_opcodes", "--raw", lun.sg)
    mine = ask(served, bytes.fromhex("a30c0000000000002000 0000".replace(" ", "")))
    assert theirs == mine
    text = tool("sg_opcodes", lun.sg)
    assert "Read(16)" in text and "Write(16)" in text and "Report supported operation codes" in text


# --- the kernel's own users: sd, ext4, fio ---------------------------------------------------


def test_mkfs_mount_write_fsck(disk):
    lun, served = disk
    with guest.mounted_filesystem(lun.block, "ext4") as point:
        for index in range(8):
            Path(point, f"file{index}").write_bytes(bytes([index]) * (64 * 1024 + index))
        os.sync()
        assert Path(point, "file7").read_bytes() == b"\x07" * (64 * 1024 + 7)
    result = subprocess.run(["fsck.ext4", "-f", "-n", lun.block], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert served.completed > 100


def test_fio_verify_crc32c(disk):
    lun, _ = disk
    result = subprocess.run(
        ["fio", "--name=lab", f"--filename={lun.block}", "--ioengine=psync", "--direct=1", "--rw=randwrite",
         "--bs=4k", "--size=16m", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1", "--verify_state_save=0",
         "--output-format=json"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    job = json.loads(result.stdout[result.stdout.index("{"):])["jobs"][0]
    assert job["error"] == 0
    assert job["write"]["io_bytes"] == 16 * 1024 * 1024


def test_fio_sg_queue_depth_16(disk):
    # Many commands in flight at once: the ring holds them, answers go back in one notify.
    # 16 is the most one sg fd holds (fio's sg engine fails at iodepth 32 with EDOM on any
    # sg device, scsi_debug's too).
    lun, _ = disk
    result = subprocess.run(
        ["fio", "--name=qd", f"--filename={lun.sg}", "--ioengine=sg", "--rw=randread", "--bs=4k",
         "--iodepth=16", "--size=8m", "--number_ios=2000", "--output-format=json"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    job = json.loads(result.stdout[result.stdout.index("{"):])["jobs"][0]
    assert job["error"] == 0 and job["read"]["total_ios"] == 2000


def test_the_largest_advertised_transfer_goes_through(disk):
    # The lab caps MAXIMUM TRANSFER LENGTH at what one command carries through tcm_loop
    # (1 MiB); a read of exactly that much works end to end.
    lun, served = disk
    assert served.device.max_transfer_length == 2048
    vpd = _vpd(served, 0xB0)
    assert int.from_bytes(vpd[8:12], "big") == 2048
    out = subprocess.run(["sg_dd", f"if={lun.sg}", "of=/dev/null", "bs=512", "bpt=2048", "count=4096"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "4096+0 records in" in out.stderr, out.stderr


# --- the enclosure: sg_ses, sgframe ses, the kernel's ses driver ------------------------------


def test_ses_driver_binds(enclosure):
    lun, _ = enclosure
    enclosures = [p for p in Path("/sys/class/enclosure").iterdir()
                  if Path(p, "device").resolve().name == lun.hctl]
    assert len(enclosures) == 1
    slots = sorted(p.name for p in enclosures[0].iterdir() if p.name.startswith("SLOT"))
    assert slots == [f"SLOT {i:02d}" for i in range(12)]


def _sgframe(*argv: str) -> str:
    return tool(sys.executable, "-m", "sgframe.cli", *argv)


def test_sg_ses_agrees_with_sgframe_ses(enclosure):
    lun, _ = enclosure
    pages = json.loads(_sgframe("ses", lun.sg, "-p", "all", "--json"))
    listed = tool("sg_ses", lun.sg)
    for code in pages:
        assert f"[{int(code, 16):#x}]" in listed
    joined = json.loads(_sgframe("ses", lun.sg, "-j", "--json"))
    theirs = tool("sg_ses", "--join", lun.sg)
    for element in joined:
        assert f"{element['element_descriptor']} [" in theirs
    slots = [e for e in joined if e["element_descriptor"].startswith("SLOT")]
    assert len(slots) == 12


def test_ident_set_by_one_is_seen_by_the_other(enclosure):
    lun, served = enclosure
    tool("sg_ses", "--index=0,3", "--set=ident", lun.sg)
    page = json.loads(_sgframe("ses", lun.sg, "-p", "es", "--json"))
    assert [e["ident"] for e in page["types"][0]["elements"]][:6] == [False, False, False, True, False, False]
    assert served.device.element(0, 3)[2] & 0x02
    _sgframe("ses", lun.sg, "--set", "ident", "-I", "0,5")
    assert tool("sg_ses", "--index=0,5", "--get=ident", lun.sg).strip() == "1"
    _sgframe("ses", lun.sg, "--clear", "ident", "-I", "0,3")
    assert tool("sg_ses", "--index=0,3", "--get=ident", lun.sg).strip() == "0"


# --- faults on cue, through the kernel ------------------------------------------------------


def test_medium_error_at_an_lba(disk):
    lun, served = disk
    served.device.inject_medium_error(1000, 2)
    try:
        with Channel.open(lun.sg) as channel:
            with pytest.raises(MediumError) as caught:
                channel.cmd.Read16(lba=998, transfer_length=4)
            assert (caught.value.asc, caught.value.ascq, caught.value.information) == (0x11, 0x00, 1000)
            channel.cmd.Read16(lba=990, transfer_length=8)
    finally:
        served.device.clear_medium_errors()


def test_busy_and_task_set_full_are_retried_by_the_midlayer(disk):
    # What a real device's BUSY does on Linux: the SCSI mid-layer requeues the command
    # (scsi_decide_disposition: BUSY and TASK SET FULL -> ADD_TO_MLQUEUE), so even SG_IO
    # sees success; the device was asked three times.
    lun, served = disk
    served.device.inject(0x00, 0x08)
    served.device.inject(0x00, 0x28)
    with Channel.open(lun.sg) as channel:
        before = served.completed
        channel.cmd.TestUnitReady()
        assert served.completed - before == 3
        channel.cmd.TestUnitReady()  # both faults consumed: answered once
        assert served.completed - before == 4


def test_unit_attention(disk):
    lun, served = disk
    served.device.unit_attention(0x2A, 0x01)  # MODE PARAMETERS CHANGED
    with Channel.open(lun.sg) as channel:
        with pytest.raises(UnitAttention) as caught:
            channel.cmd.TestUnitReady()
        assert (caught.value.asc, caught.value.ascq) == (0x2A, 0x01)
        channel.cmd.TestUnitReady()


def test_delay_holds_one_command_not_the_others(disk):
    lun, served = disk
    served.delay(2.0, opcode=0x00)
    took = {}

    def slow() -> None:
        start = time.monotonic()
        with Channel.open(lun.sg) as channel:
            channel.cmd.TestUnitReady()
        took["tur"] = time.monotonic() - start

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    start = time.monotonic()
    with Channel.open(lun.sg) as channel:
        assert channel.cmd.Inquiry().result.vendor_identification.strip() == "SGFRAME"
    inquiry = time.monotonic() - start
    thread.join(10)
    assert took["tur"] >= 2.0
    assert inquiry < 1.0


def test_delay_past_the_initiators_timeout(disk):
    lun, served = disk
    served.delay(3.0, opcode=0x00)
    with Channel.open(lun.sg, timeout=1000) as channel:
        with pytest.raises(CommandTimeout):
            channel.cmd.TestUnitReady()
    # The mid-layer's error handling aborts it; the device works afterwards.
    guest.wait_for(lambda: _tur_ok(lun.sg), timeout=60, what="TEST UNIT READY after a timeout")


def _tur_ok(sg: str) -> bool:
    try:
        with Channel.open(sg) as channel:
            channel.cmd.TestUnitReady()
        return True
    except TaskFailed:
        return False


def test_dropped_response_fails_at_cmd_time_out(disk):
    lun, served = disk
    served.drop(opcode=0x00)
    start = time.monotonic()
    with Channel.open(lun.sg, timeout=30000) as channel:
        with pytest.raises(TaskFailed) as caught:
            channel.cmd.TestUnitReady()
    elapsed = time.monotonic() - start
    # TCMU's timer ends it; LIO reports NOT READY, LOGICAL UNIT COMMUNICATION FAILURE.
    assert isinstance(caught.value, NotReady)
    assert (caught.value.asc, caught.value.ascq) == (0x08, 0x00)
    assert CMD_TIME_OUT - 0.5 <= elapsed < CMD_TIME_OUT + 5, (elapsed, caught.value)
    assert served.dropped >= 1
    guest.wait_for(lambda: _tur_ok(lun.sg), timeout=30, what="TEST UNIT READY after a dropped answer")


# --- a killed server leaves the kernel sane ---------------------------------------------------


def _serve(tmp_path: Path, name: str, *options: str) -> subprocess.Popen:
    ready = tmp_path / f"{name}.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sgframe.cli", "lab", "--cmd-time-out", "3", "--ready", str(ready), *options, "serve",
         "emu:disk?blocks=65536"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    guest.wait_for(lambda: ready.exists() or proc.poll() is not None, timeout=120, what="the lab server")
    assert proc.poll() is None, proc.stderr.read()
    proc.ready = json.loads(ready.read_text())  # type: ignore[attr-defined]
    return proc


def test_killed_server_leaves_the_kernel_sane(tmp_path, lab):
    guest.load_modules(*guest.LAB_MODULES)
    server = _serve(tmp_path, "first")
    (device,) = server.ready["devices"]  # type: ignore[attr-defined]
    # Commands in flight: a reader at queue depth 16, killed under it.
    reader = subprocess.Popen(
        ["fio", "--name=kill", f"--filename={device['sg']}", "--ioengine=sg", "--rw=randread", "--bs=4k",
         "--iodepth=16", "--size=16m", "--time_based", "--runtime=60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    time.sleep(2.0)
    server.send_signal(signal.SIGKILL)
    server.wait()
    # The commands fail (TCMU's cmd_time_out), and the reader ends with an error.
    assert reader.wait(timeout=120) != 0
    owner = server.pid
    assert (ROOT / "core" / hba_name(owner)).exists()  # SIGKILL: nothing was cleaned up
    assert Path("/sys/class/scsi_device", device["hctl"]).exists()
    # The next serve removes the leftovers (the LUN goes; its last commands time out) and works.
    second = _serve(tmp_path, "second")
    try:
        assert not (ROOT / "core" / hba_name(owner)).exists()
        assert not (ROOT / "loopback" / target_wwn(owner, 0)).exists()
        (again,) = second.ready["devices"]  # type: ignore[attr-defined]
        # The kernel let the dead server's device go.  SCSI host numbers are reused (an ida),
        # so its address may now be the new server's device, and no one else's.
        old_address = Path("/sys/class/scsi_device", device["hctl"])
        assert not old_address.exists() or device["hctl"] == again["hctl"]
        if old_address.exists():
            assert sorted(os.listdir(old_address / "device" / "scsi_generic")) == [Path(again["sg"]).name]
        assert "EMU DISK" in tool("sg_inq", again["sg"])
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=120) == 128 + signal.SIGTERM
    assert not (ROOT / "core" / hba_name(second.pid)).exists()
    assert not (ROOT / "loopback" / target_wwn(second.pid, 0)).exists()


# --- a SATA drive behind the SAT plugin's SATL ---------------------------------------------


@pytest.fixture(scope="module")
def sata() -> Iterator[Lab]:
    from sgframe.emu import KINDS
    from sgframe.plugins import manager

    plugins = manager()
    if any(info.name == "sat" and info.state == "disabled" for info in plugins):
        pytest.skip("the sat plugin is disabled here (SGFRAME_DISABLE_PLUGINS, tox -e noplugins)")
    if "sata" not in KINDS:
        pytest.fail("emu:sata needs the sgframe-sat plugin (plugins/sgframe-sat) installed")
    guest.load_modules(*guest.LAB_MODULES)
    with Lab(["emu:sata?serial=SGFLAB000001"], cmd_time_out=CMD_TIME_OUT) as served:
        yield served


def test_sg_sat_identify_reads_the_drive(sata):
    lun = sata.luns[0]
    identify = raw("sg_sat_identify", "--raw", lun.sg)
    assert len(identify) == 512
    # IDENTIFY DEVICE words 10-19: the serial number, two ASCII characters per word,
    # high byte first (ATA8-ACS 7.16.7).
    words = [identify[i : i + 2] for i in range(20, 40, 2)]
    serial = b"".join(bytes((w[1], w[0])) for w in words).decode().strip()
    assert serial == "SGFLAB000001"
    assert "Response for IDENTIFY DEVICE ATA command" in tool("sg_sat_identify", lun.sg)


@pytest.mark.skipif(not shutil.which("smartctl"), reason="smartctl is not installed: apt-get install smartmontools")
def test_smartctl_reads_the_drive(sata):
    lun = sata.luns[0]
    info = tool("smartctl", "-i", "-H", "-d", "sat", lun.sg, check=False)
    assert "Device Model:     SGFRAME EMULATED SATA SSD" in info
    assert "Serial Number:    SGFLAB000001" in info
    assert "SMART overall-health self-assessment test result: PASSED" in info


# --- faults on cue for a server started separately --------------------------------------------


def _fault(control: Path, *words: str) -> str:
    return tool(sys.executable, "-m", "sgframe.cli", "lab", "--control", str(control), "fault", *words).strip()


def test_faults_set_from_outside_reach_the_kernel(tmp_path):
    # The server is another process (sgframe lab serve --control SOCKET); this test reaches
    # its emulator only through the socket, with sgframe lab fault, as a shell script would.
    guest.load_modules(*guest.LAB_MODULES)
    control = tmp_path / "lab.sock"
    server = _serve(tmp_path, "controlled", "--control", str(control))
    try:
        assert server.ready["control"] == str(control)  # type: ignore[attr-defined]
        (device,) = server.ready["devices"]  # type: ignore[attr-defined]
        assert _fault(control, "medium_error", "lba=1000", "count=2") == "ok"
        with Channel.open(device["sg"]) as channel:
            with pytest.raises(MediumError) as caught:
                channel.cmd.Read16(lba=998, transfer_length=4)
            assert (caught.value.asc, caught.value.ascq, caught.value.information) == (0x11, 0x00, 1000)
            # sg_dd, another initiator, sees the same kernel completion.
            out = subprocess.run(["sg_dd", f"if={device['sg']}", "of=/dev/null", "bs=512", "skip=1000", "count=1"],
                                 capture_output=True, text=True, timeout=60)
            # sg3_utils' exit status 3: a medium or hardware error (SG_LIB_CAT_MEDIUM_HARD).
            assert out.returncode == 3 and "unrecovered error" in out.stderr, out.stderr
            assert _fault(control, "unit_attention", "asc=0x2a", "ascq=0x01") == "ok"
            with pytest.raises(UnitAttention) as attention:
                channel.cmd.TestUnitReady()
            assert (attention.value.asc, attention.value.ascq) == (0x2A, 0x01)
            assert _fault(control, "clear") == "ok"
            channel.cmd.Read16(lba=998, transfer_length=4)
            # A dropped answer: the backstore's cmd_time_out (3 s here) fails the command.
            assert _fault(control, "drop", "opcode=0") == "ok"
            started = time.monotonic()
            with Channel.open(device["sg"], timeout=30000) as patient, pytest.raises(NotReady) as dropped:
                patient.cmd.TestUnitReady()
            assert (dropped.value.asc, dropped.value.ascq) == (0x08, 0x00)
            assert 2.5 <= time.monotonic() - started < 10
        status = json.loads(_fault(control, "status"))
        assert status["dropped"] == 1 and status["completed"] > 3 and status["pending"] == 0
        guest.wait_for(lambda: _tur_ok(device["sg"]), timeout=30, what="TEST UNIT READY after a dropped answer")
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=120) == 128 + signal.SIGTERM
    assert not control.exists()


# --- the served disk exported over iSCSI ------------------------------------------------------

#: A portal of its own: the test bed's --lio-iscsi target listens on 3260.
LAB_PORTAL = "127.0.0.1:3261"


@pytest.fixture(scope="module")
def iscsi_lab() -> Iterator[Lab]:
    guest.load_modules(*guest.LAB_MODULES, "iscsi_target_mod")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    with Lab(["emu:disk?blocks=65536&serial=LABISCSI0001"], cmd_time_out=CMD_TIME_OUT, iscsi=LAB_PORTAL) as served:
        yield served
    assert not (ROOT / "iscsi" / served.luns[0].iscsi.split("/")[3]).exists()


def test_served_disk_over_iscsi_agrees_with_sg_and_libiscsi(iscsi_lab):
    from sgframe.command.sbc import ReadCapacity16
    from sgframe.command.spc import Inquiry

    lun = iscsi_lab.luns[0]
    assert lun.iscsi == f"iscsi://{LAB_PORTAL}/iqn.2026-12.org.sgframe.lab:{os.getpid()}.{iscsi_lab.configfs.lab}/0"
    served = iscsi_lab.served[0]
    with Channel.open(lun.iscsi, block_size=512) as over_iscsi, Channel.open(lun.sg) as over_sg:
        a, b = over_iscsi.cmd.Inquiry().result, over_sg.cmd.Inquiry().result
        assert (a.vendor_identification, a.product_identification) == \
            (b.vendor_identification, b.product_identification) == ("SGFRAME", "EMU DISK")
        serial = Inquiry(evpd=True, page_code=0x80)
        assert over_iscsi.execute(serial).result.product_serial_number == "LABISCSI0001"
        assert over_iscsi.execute(ReadCapacity16()).data == over_sg.execute(ReadCapacity16()).data
        # Data written over iSCSI reads back through /dev/sgN, and the emulator holds it.
        over_iscsi.cmd.Write16(lba=77, transfer_length=1, data=b"\xa5" * 512)
        assert over_sg.cmd.Read16(lba=77, transfer_length=1).data == b"\xa5" * 512
    assert ask(served, bytes.fromhex("28000000004d00000100"), 512) == b"\xa5" * 512
    # libiscsi's iscsi-inq reads the same standard INQUIRY data as the emulator answers.
    standard = ask(served, bytes.fromhex("120000006000"), 96)
    lines = dict(line.split(":", 1) for line in tool("iscsi-inq", lun.iscsi).splitlines() if ":" in line)
    assert lines["Vendor"].strip() == standard[8:16].decode().strip() == "SGFRAME"
    assert lines["Product"].strip() == standard[16:32].decode().strip() == "EMU DISK"
    assert lines["Revision"].strip() == standard[32:36].decode().strip()
    assert lines["Version"].split()[0] == str(standard[2])
    serial_text = tool("iscsi-inq", "-e", "1", "-c", "128", lun.iscsi)
    assert "LABISCSI0001" in serial_text, serial_text


def test_a_fault_reaches_the_iscsi_initiator(iscsi_lab):
    lun, served = iscsi_lab.luns[0], iscsi_lab.served[0]
    served.device.inject_medium_error(500)
    try:
        with Channel.open(lun.iscsi, block_size=512) as over_iscsi:
            with pytest.raises(MediumError) as caught:
                over_iscsi.cmd.Read16(lba=499, transfer_length=2)
            assert (caught.value.asc, caught.value.information) == (0x11, 500)
    finally:
        served.device.clear_medium_errors()
