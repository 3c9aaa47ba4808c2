"""READ DEFECT DATA (10) and (12) (SBC-4 5.17, 5.18; address descriptor formats 6.2)."""
from __future__ import annotations

import pytest

from sgframe import errors

# SBC-4 6.2.1 Table 123: descriptor length of each address descriptor format.
_LENGTH = {0: 4, 3: 8, 4: 8, 5: 8, 6: 8}


def _ask(channel, name, **fields):
    try:
        return getattr(channel.cmd, name)(**fields)
    except errors.CheckCondition as failure:
        if failure.asc == 0x1C:  # DEFECT LIST NOT FOUND (1Ch/xxh)
            pytest.skip(f"the device keeps no defect list: {failure}")
        raise


@pytest.mark.requires_command("ReadDefectData10")
@pytest.mark.parametrize("plist, glist", [(False, True), (True, False), (True, True)])
def test_header_says_which_lists(scsi_channel, plist, glist):
    """SBC-4 5.17.2: PLISTV and GLISTV report which requested lists follow; DEFECT LIST
    LENGTH is a multiple of the address descriptor length of the format returned."""
    io = _ask(scsi_channel, "ReadDefectData10", req_plist=plist, req_glist=glist, defect_list_format=0,
              allocation_length=0xFFFF)
    data = io.result
    if not plist:
        assert not data.plistv
    if not glist:
        assert not data.glistv
    size = _LENGTH.get(data.defect_list_format)
    if size is not None:
        assert data.defect_list_length % size == 0


@pytest.mark.requires_command("ReadDefectData10")
def test_allocation_length_4_returns_the_header(scsi_channel):
    """SPC-5 4.2.5.6 and SBC-4 5.17.2: ALLOCATION LENGTH 4 returns the 4-byte header only,
    its DEFECT LIST LENGTH still counting the whole list."""
    io = _ask(scsi_channel, "ReadDefectData10", req_glist=True, defect_list_format=0, allocation_length=4)
    assert len(io.data) == 4


@pytest.mark.requires_command("ReadDefectData12")
def test_read_defect_data_12_header(scsi_channel):
    """SBC-4 5.18.2: the 8-byte header of READ DEFECT DATA (12); DEFECT LIST LENGTH is a
    multiple of the descriptor length."""
    io = _ask(scsi_channel, "ReadDefectData12", req_glist=True, defect_list_format=0, allocation_length=0xFFFF)
    raw = io.data
    assert len(raw) >= 8
    size = _LENGTH.get(raw[1] & 0x07)
    if size is not None:
        assert int.from_bytes(raw[4:8], "big") % size == 0
