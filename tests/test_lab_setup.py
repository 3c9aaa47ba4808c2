"""The lab's configfs names and steps, the uio lookup, ``sgframe lab`` and ``--lab`` in the
test bed's plan: everything that can be checked without a kernel."""
from __future__ import annotations

import os

import pytest

from sgframe.errors import UsageError
from sgframe.lab.configfs import Configfs, LabError, control_string, hba_name, nexus_wwn, owners, target_wwn
from sgframe.lab.server import remove_leftovers
from sgframe.lab.uio import find_uio
from sgframe.testbed import cli as testbed_cli
from sgframe.testbed.plan import BootPlan, init_script


def test_names_carry_the_owner():
    assert hba_name(4242) == "user_4242"
    assert target_wwn(0x1092) == "naa.5001405f00001092"
    assert target_wwn(0x3FFFFF, 0x1F) == "naa.5001405f1f3fffff"
    assert nexus_wwn(0x1092, 2) == "naa.5001405e02001092"
    with pytest.raises(LabError, match="process id up to 16777215 and a lab number up to 255"):
        target_wwn(1 << 24)
    with pytest.raises(LabError, match="lab number up to 255"):
        nexus_wwn(5, 256)


def test_control_string():
    assert control_string("12.lab0", 1 << 20, 4096) == "dev_config=sgframe/12.lab0,dev_size=1048576,hw_block_size=4096"


@pytest.mark.parametrize(
    "config, size, block, message",
    [
        ("a,b", 512, 512, "letters, digits"),
        ("", 512, 512, "letters, digits"),
        ("x" * 201, 512, 512, "at most 200"),
        ("ok", 1000, 512, "multiple of the block size 512"),
        ("ok", 0, 512, "positive multiple"),
    ],
)
def test_control_string_rejects(config, size, block, message):
    with pytest.raises(LabError, match=message):
        control_string(config, size, block)


def test_lab_error_reads_as_its_text():
    error = LabError(2, "configfs: mkdir /x: No such file or directory")
    assert str(error) == "configfs: mkdir /x: No such file or directory"
    assert isinstance(error, OSError) and error.errno == 2


def test_owners_from_names(tmp_path):
    (tmp_path / "core" / "user_77").mkdir(parents=True)
    (tmp_path / "core" / "fileio_0").mkdir()
    (tmp_path / "core" / "user_x").mkdir()
    (tmp_path / "loopback" / "naa.5001405f0300004e").mkdir(parents=True)
    (tmp_path / "loopback" / "naa.5001405000000001").mkdir()
    assert owners(tmp_path) == {77, 0x4E}
    assert owners(tmp_path / "absent") == set()


def test_create_backstore_steps(tmp_path):
    # configfs makes the attribute files itself; here a plain directory stands in.
    fs = Configfs(55, tmp_path)
    assert fs.device_name(0) == "lab0_0"
    (tmp_path / "core").mkdir()
    hba = tmp_path / "core" / "user_55"
    hba.mkdir()
    (hba / "lab0").mkdir()
    with pytest.raises(LabError, match="mkdir .*lab0: File exists"):
        fs.create_backstore("lab0", "dev_config=sgframe/x,dev_size=512")
    (hba / "lab0").rmdir()
    original_mkdir = os.mkdir

    def mkdir_with_attrib(path, mode=0o777, **kw):
        original_mkdir(path, mode)
        if os.path.basename(path) == "lab0":
            original_mkdir(os.path.join(path, "attrib"))

    import pathlib

    pathlib.os.mkdir = mkdir_with_attrib  # type: ignore[attr-defined]
    try:
        device = fs.create_backstore("lab0", "dev_config=sgframe/x,dev_size=512", cmd_time_out=5)
    finally:
        pathlib.os.mkdir = original_mkdir  # type: ignore[attr-defined]
    assert device == hba / "lab0"
    assert (device / "control").read_text() == "dev_config=sgframe/x,dev_size=512"
    assert (device / "attrib" / "cmd_time_out").read_text() == "5"
    assert (device / "enable").read_text() == "1"


def test_removal_of_nothing_is_quiet(tmp_path):
    fs = Configfs(56, tmp_path)
    assert fs.remove_exports() == []
    assert fs.remove_backstores() == []


def test_removal_order_and_problems(tmp_path):
    # A plain directory cannot be removed while it holds files, as a configfs one can:
    # the problems name each step that failed, and the LUN's symlink went first.
    fs = Configfs(57, tmp_path)
    lun = fs.tpg / "lun" / "lun_0"
    lun.mkdir(parents=True)
    backstore = tmp_path / "core" / "user_57" / "lab0_0"
    backstore.mkdir(parents=True)
    other = tmp_path / "core" / "user_57" / "lab1_0"  # another lab of the same process
    other.mkdir()
    os.symlink(backstore, lun / "lab0_0")
    (fs.tpg / "nexus").write_text("naa.5001405e00000039\n")
    problems = fs.remove_exports()
    assert not (lun / "lab0_0").exists() and not lun.exists()
    assert (fs.tpg / "nexus").read_text() == "NULL"
    assert [p.split()[0] for p in problems] == ["rmdir", "rmdir"]
    assert str(fs.tpg) in problems[0]
    assert fs.remove_backstores() == []
    assert sorted(os.listdir(tmp_path / "core" / "user_57")) == ["lab1_0"]  # the HBA stays for it
    assert Configfs(57, tmp_path, lab=None).remove_backstores() == []
    assert not (tmp_path / "core" / "user_57").exists()


def test_removal_of_every_lab_of_a_process(tmp_path):
    for lab in (0, 1):
        (tmp_path / "loopback" / target_wwn(58, lab) / "tpgt_1").mkdir(parents=True)
    (tmp_path / "loopback" / target_wwn(59, 0)).mkdir()
    assert Configfs(58, tmp_path, lab=None).remove_exports() == []
    assert os.listdir(tmp_path / "loopback") == [target_wwn(59, 0)]
    with pytest.raises(LabError, match="creates nothing"):
        Configfs(58, tmp_path, lab=None).tpg


def test_remove_leftovers_skips_live_owners(tmp_path):
    (tmp_path / "core" / f"user_{os.getpid()}").mkdir(parents=True)
    (tmp_path / "core" / "user_1").mkdir()  # init: alive
    dead = 4194303  # the largest pid Linux hands out (PID_MAX_LIMIT - 1): no process has it here
    (tmp_path / "core" / f"user_{dead}" / "lab0_0").mkdir(parents=True)
    assert remove_leftovers(tmp_path) == []
    assert sorted(os.listdir(tmp_path / "core")) == sorted([f"user_{os.getpid()}", "user_1"])


def test_find_uio(tmp_path):
    for entry, name in (("uio0", "tcm-user/1/other/sgframe/1.lab0"), ("uio1", "tcm-user/9/lab0/sgframe/9.lab0")):
        (tmp_path / entry).mkdir()
        (tmp_path / entry / "name").write_text(name + "\n")
    assert find_uio("tcm-user/9/lab0/sgframe/9.lab0", tmp_path) == "uio1"
    assert find_uio("tcm-user/9/lab1/sgframe/9.lab1", tmp_path) is None
    assert find_uio("x", tmp_path / "absent") is None


# --- the test bed's --lab -----------------------------------------------------------------


def _plan(**kw):
    return BootPlan(workdir="/tmp/sgframe-testbed-x", scsi_debug=None, python="/venv/bin/python",
                    guest_main="/src/_guest_init.py", umid="t", **kw)


def test_init_script_loads_tcmu_for_the_lab():
    lines = init_script(_plan(lab=("emu:disk",))).splitlines()
    mp = "modprobe -d /tmp/sgframe-testbed-x/modroot"
    wanted = [
        f"{mp} target_core_mod || fail 'modprobe target_core_mod failed'",
        f"{mp} tcm_loop || fail 'modprobe tcm_loop failed'",
        f"{mp} uio || fail 'modprobe uio failed'",
        f"{mp} target_core_user || fail 'modprobe target_core_user failed'",
        f"{mp} ses || fail 'modprobe ses failed'",
        "mount -t configfs configfs /sys/kernel/config || fail 'cannot mount configfs'",
    ]
    positions = [lines.index(line) for line in wanted]
    assert positions == sorted(positions)
    assert not any("target_core_file" in line or "fileio" in line for line in lines)
    assert _plan(lab=("emu:disk",)).expected_devices == 0  # the lab server waits for its own


def test_init_script_lio_and_lab_mount_configfs_once():
    lines = init_script(_plan(lio=1, lab=("emu:disk",))).splitlines()
    assert sum("mount -t configfs" in line for line in lines) == 1
    assert any("target_core_file" in line for line in lines)


def test_plan_rejects_a_lab_device_that_is_not_emu():
    with pytest.raises(UsageError, match="lab devices are emu: URIs"):
        _plan(lab=("/dev/sg0",))


def test_testbed_cli_lab_option():
    ns = testbed_cli.parse_args(["run", "--lab", "emu:disk", "--lab", "emu:enclosure?slots=12", "--", "true"])
    assert ns.lab == ["emu:disk", "emu:enclosure?slots=12"]
    assert ns.command == ["true"]


# --- sgframe lab --------------------------------------------------------------------------


def test_lab_subcommand_is_registered():
    from sgframe.builtin import SUBCOMMANDS
    from sgframe.cli.lab import LAB

    row = next(r for r in SUBCOMMANDS if r[0] == "lab")
    assert row == ("lab", "sgframe.cli.lab:LAB", LAB.help)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["lab", "serve"], "lab serve needs at least one emu: URI"),
        (["lab", "launch", "emu:disk"], "unknown action 'launch'"),
        (["lab", "cleanup", "emu:disk"], "lab cleanup takes no URI"),
    ],
)
def test_lab_usage_errors(argv, message, capsys):
    from sgframe.cli import main
    from sgframe.cli.exitcodes import SYNTAX_ERROR

    assert main(argv) == SYNTAX_ERROR
    assert message in capsys.readouterr().err


def test_transfer_length_fits_tcm_loop():
    from sgframe.emu import create
    from sgframe.lab.server import TRANSFER_LIMIT, _fit_transfer_length

    disk = create("emu:disk")
    assert disk.max_transfer_length == 65536
    _fit_transfer_length(disk)
    assert disk.max_transfer_length == TRANSFER_LIMIT // 512 == 2048
    vpd = disk.respond(bytes.fromhex("1201b000ff00"), b"", 255).data
    assert int.from_bytes(vpd[8:12], "big") == 2048  # MAXIMUM TRANSFER LENGTH
    small = create("emu:disk?block_size=4096&max_transfer_length=16")
    _fit_transfer_length(small)
    assert small.max_transfer_length == 16


def _fake_python(tmp_path, body: str) -> str:
    # Stands in for "python -m sgframe.cli lab --ready FILE serve URI...": $5 is FILE.
    script = tmp_path / "fake-python"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return str(script)


def _lab_config(tmp_path, python: str) -> dict:
    return {"env": {"PATH": os.environ["PATH"]}, "pythonpath": "/src", "python": python,
            "lab": ["emu:disk"], "lab_ready": str(tmp_path / "ready.json"), "cwd": str(tmp_path),
            "device_wait": 1.0}


def test_guest_starts_the_lab_server_and_stops_it(tmp_path):
    from sgframe.testbed import _guest_init

    python = _fake_python(tmp_path, (
        'echo "$@" > "$(dirname "$0")/argv"\n'
        "trap 'echo stopped > \"$(dirname \"$0\")/stopped\"; exit 143' TERM\n"
        'echo \'{"pid": 1, "devices": [{"uri": "emu:disk", "hctl": "3:0:1:0"}]}\' > "$5"\n'
        "while :; do sleep 0.05; done\n"
    ))
    proc, devices = _guest_init.start_lab(_lab_config(tmp_path, python))
    try:
        assert devices == [{"uri": "emu:disk", "hctl": "3:0:1:0"}]
        assert (tmp_path / "argv").read_text().split() == [
            "-m", "sgframe.cli", "lab", "--ready", str(tmp_path / "ready.json"), "serve", "emu:disk"]
    finally:
        _guest_init.stop_lab(proc)
    assert proc.returncode == 143
    assert (tmp_path / "stopped").read_text() == "stopped\n"


def test_guest_goes_on_without_a_failed_lab_server(tmp_path, capsys):
    from sgframe.testbed import _guest_init

    proc, devices = _guest_init.start_lab(_lab_config(tmp_path, _fake_python(tmp_path, "exit 3\n")))
    assert (proc, devices) == (None, [])
    assert "the lab server failed (status 3); no lab devices" in capsys.readouterr().err
    _guest_init.stop_lab(None)


# --- the iSCSI export ----------------------------------------------------------------------


def test_iscsi_names_and_portal():
    from sgframe.lab.configfs import check_portal, iscsi_target_name

    assert iscsi_target_name(4242, 3) == "iqn.2026-12.org.sgframe.lab:4242.3"
    assert check_portal("127.0.0.1:3261") == "127.0.0.1:3261"
    for bad in ("127.0.0.1", "localhost:3260", "127.0.0.1:0", "127.0.0.1:70000", "300.0.0.1:3260", None):
        with pytest.raises(LabError, match="expected IPv4ADDRESS:PORT"):
            check_portal(bad)


def test_iscsi_owners_from_names(tmp_path):
    (tmp_path / "iscsi" / "iqn.2026-12.org.sgframe.lab:91.0").mkdir(parents=True)
    (tmp_path / "iscsi" / "iqn.2026-12.org.sgframe:lio").mkdir()  # the test bed's own target
    assert owners(tmp_path) == {91}


def test_export_iscsi_steps_and_removal(tmp_path):
    from sgframe.lab.configfs import iscsi_target_name

    fs = Configfs(60, tmp_path, lab=1)
    backstore = tmp_path / "core" / "user_60" / "lab1_0"
    backstore.mkdir(parents=True)
    tpg = tmp_path / "iscsi" / iscsi_target_name(60, 1) / "tpgt_1"
    original_mkdir = os.mkdir

    def mkdir_like_configfs(path, mode=0o777, **kw):
        # configfs makes a TPG's groups and attribute directory itself.
        original_mkdir(path, mode)
        if os.path.basename(path) == "tpgt_1":
            for group in ("np", "lun", "attrib"):
                original_mkdir(os.path.join(path, group))

    import pathlib

    pathlib.os.mkdir = mkdir_like_configfs  # type: ignore[attr-defined]
    try:
        assert fs.export_iscsi(0, backstore, "127.0.0.1:3261") == iscsi_target_name(60, 1)
        fs.enable_iscsi()
    finally:
        pathlib.os.mkdir = original_mkdir  # type: ignore[attr-defined]
    assert (tpg / "np" / "127.0.0.1:3261").is_dir()
    assert os.readlink(tpg / "lun" / "lun_0" / "lab1_0") == str(backstore)
    assert {name: (tpg / "attrib" / name).read_text() for name in os.listdir(tpg / "attrib")} == {
        "authentication": "0", "generate_node_acls": "1", "demo_mode_write_protect": "0", "cache_dynamic_acls": "1"}
    assert (tpg / "enable").read_text() == "1"
    # Removal: disabled first, the LUN's link, the LUN, the portal; a plain directory with
    # files (attrib, enable) cannot go, as a configfs one would: those are the problems.
    problems = Configfs(60, tmp_path, lab=None).remove_exports()
    assert (tpg / "enable").read_text() == "0"
    assert not (tpg / "lun" / "lun_0").exists() and not (tpg / "np" / "127.0.0.1:3261").exists()
    assert [p.split()[0] for p in problems] == ["rmdir", "rmdir"] and str(tpg) in problems[0]
