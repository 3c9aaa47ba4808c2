"""The sg3_utils options issue 14 added last, beside the sg3_utils tools on scsi_debug and
LIO through the real sg driver: --readonly opens the node O_RDONLY, and the options that
change what is sent (obsolete bits, MODE SPECIFIC, READ BUFFER(16), the format layer,
SEQUENTIALIZE ZONE, REMOVE ELEMENT AND MODIFY ZONES, FORMAT WITH PRESET, a resize through
the block descriptor, sg_vpd's --maxlen and --raw) give the same exit codes and bytes as
their counterparts.
"""
from __future__ import annotations

import fcntl
import os

from sgframe import Channel
from sgframe.command import Inquiry

from .test_cli14_sg import _capacity, device, ours, ours_raw, same, sg3  # noqa: F401  (device: a fixture)


def test_readonly_opens_the_sg_node_read_only(capsys, device):
    with Channel.open(device.sg, read_only=True) as channel:
        modes = {fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE for fd in channel.transport.fds()}
        assert modes == {os.O_RDONLY}
        assert channel.execute(Inquiry()).data[8:16].strip() in (b"Linux", b"LIO-ORG")
    with Channel.open(device.sg) as channel:
        assert {fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE for fd in channel.transport.fds()} == {os.O_RDWR}
    if device.bsg is not None:  # bsg: its one node fd (fds() is a wake-up pipe there)
        for read_only, mode in ((True, os.O_RDONLY), (False, os.O_RDWR)):
            with Channel.open(device.bsg, read_only=read_only) as channel:
                assert fcntl.fcntl(channel.transport._fd, fcntl.F_GETFL) & os.O_ACCMODE == mode
                assert channel.execute(Inquiry()).data[8:16].strip() in (b"Linux", b"LIO-ORG")
    # Reading subcommands opened read-only answer as sg3_utils' do.
    same(sg3(device, "sg_rtpg", "-R", device.sg), ours(capsys, device, "rtpg", "-R", device.sg))
    same(sg3(device, "sg_get_lba_status", "-R", device.sg), ours(capsys, device, "lba-status", "-R", device.sg))
    same(sg3(device, "sg_read_buffer", "-R", "-m", "desc", device.sg),
         ours(capsys, device, "read-buffer", "-R", "-m", "desc", device.sg), stdout=False)
    same(sg3(device, "sg_start", "-r", device.sg), ours(capsys, device, "start", "-r", device.sg))


def test_obsolete_bits_exit_as_sg3_utils(capsys, device):
    """SYNC_NV, LBDATA, PBDATA: a current device ignores or rejects them; both tools alike."""
    same(sg3(device, "sg_sync", "--sync-nv", device.sg), ours(capsys, device, "sync", "--sync-nv", device.sg))
    same(sg3(device, "sg_write_same", "--lbdata", "--lba=300", "--num=1", device.sg),
         ours(capsys, device, "write-same", "--lbdata", "--lba", "300", "--num", "1", device.sg), stdout=False)
    same(sg3(device, "sg_write_same", "--pbdata", "--lba=300", "--num=1", device.sg),
         ours(capsys, device, "write-same", "--pbdata", "--lba", "300", "--num", "1", device.sg), stdout=False)
    # WRITE SAME(32): a 32-byte CDB through sg (the sg driver takes up to 252 bytes).
    same(sg3(device, "sg_write_same", "--32", "--lba=300", "--num=1", device.sg),
         ours(capsys, device, "write-same", "--32", "--lba", "300", "--num", "1", device.sg), stdout=False)


def test_read_buffer_specific_and_long_as_sg_read_buffer(device):
    for extra in (["-S", "1"], ["--long"], ["--long", "-S", "2"]):
        theirs = sg3(device, "sg_read_buffer", "-m", "desc", "-r", *extra, device.sg, binary=True)
        mine = ours_raw(device, "read-buffer", "-m", "desc", "-r", *extra, device.sg)
        assert mine[0] == theirs[0], (extra, theirs[2], mine[2])
        if mine[0] == 0:
            assert mine[1] == theirs[1]


def test_start_fl_exits_as_sg_start(capsys, device):
    # A disk has no format layers: LOEJ on a medium that is not removable is refused.
    same(sg3(device, "sg_start", "--fl=1", device.sg), ours(capsys, device, "start", "--fl", "1", device.sg))
    same(sg3(device, "sg_start", device.sg), ours(capsys, device, "start", device.sg))


def test_zone_element_operations_exit_as_sg_zone(capsys, device):
    same(sg3(device, "sg_zone", "--sequentialize", device.sg),
         ours(capsys, device, "zones", "--sequentialize", device.sg), stdout=False)
    # Neither device has REMOVE ELEMENT AND MODIFY ZONES; sg_zone 1.46 sends it at once,
    # sgframe asks unless --yes/--quick.
    same(sg3(device, "sg_zone", "--remove", "--element=1", device.sg),
         ours(capsys, device, "zones", "--remove", "--element", "1", "--quick", device.sg), stdout=False)


def test_format_preset_and_resize_exit_as_sg_format(capsys, device):
    same(sg3(device, "sg_format", "--preset=1", "--quick", device.sg),
         ours(capsys, device, "format", "--preset", "1", "--quick", device.sg), stdout=False)
    before = _capacity(capsys, device)
    try:
        for six in ([], ["--six"]):
            theirs = sg3(device, "sg_format", "--resize", f"--count={before - 8}", *six, device.sg)
            mine = ours(capsys, device, "format", "--resize", "--count", str(before - 8), *six, device.sg)
            same(theirs, mine, stdout=False)
    finally:
        if _capacity(capsys, device) != before:
            assert ours(capsys, device, "format", "--resize", "--count", str(before), device.sg)[0] == 0
    assert _capacity(capsys, device) == before


def test_format_ip_def_exits_as_sg_format(capsys, device):
    """The parameter list with the initialization pattern descriptor (8 bytes, sized by
    FormatUnit.with_parameter_list) is taken or refused alike."""
    same(sg3(device, "sg_format", "--format", "--ip-def", "--quick", "--wait", device.sg),
         ours(capsys, device, "format", "--format", "--ip-def", "--quick", "--wait", device.sg), stdout=False)


def test_inq_maxlen_and_raw_are_sg_vpd_bytes(device):
    for argv in (["-p", "sn"], ["-p", "sn", "-m", "8"], ["-p", "di"], ["-p", "0"]):
        theirs = sg3(device, "sg_vpd", "-r", *argv, device.sg, binary=True)
        mine = ours_raw(device, "inq", "-r", *argv, device.sg)
        assert mine[0] == theirs[0], (argv, theirs[2], mine[2])
        if mine[0] == 0:
            assert mine[1] == theirs[1], argv


def test_inq_examine_finds_every_listed_page(capsys, device):
    """--examine asks each code 80h..FFh: it finds at least every page that page 00h lists
    (sg_vpd -p 0 -r), and exits as sg_vpd --examine does."""
    import json

    code, out, _ = ours(capsys, device, "inq", "--examine", "--json", device.sg)
    theirs = sg3(device, "sg_vpd", "--examine", device.sg)
    assert code == theirs[0] == 0
    listed = sg3(device, "sg_vpd", "-p", "0", "-r", device.sg, binary=True)[1]
    found = {int(k, 16) for k in json.loads(out)}
    assert {c for c in listed[4:] if c >= 0x80} <= found
