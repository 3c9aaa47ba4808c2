"""Sense data format: fixed or descriptor, as the D_SENSE bit of the Control mode page
says (SPC-5 4.4, 7.5.8; REQUEST SENSE 6.39)."""
from __future__ import annotations

import attrs
import pytest

from sgframe import errors
from sgframe.params import mode_select_parameters

from .helpers import drain_unit_attentions


def _control(channel, pc=0):
    return channel.cmd.ModeSense10(pc=pc, dbd=True, page_code=0x0A, allocation_length=255).result


def _set_d_sense(channel, value):
    current = _control(channel)
    page = attrs.evolve(current.page(0x0A), d_sense=value, ps=False)
    header = attrs.evolve(current.header, mode_data_length=0, block_descriptor_length=0, device_specific_parameter=0)
    data = mode_select_parameters(header, (), [page], ten=True)
    channel.cmd.ModeSelect10(pf=True, parameter_list_length=len(data), data=data)
    drain_unit_attentions(channel)  # MODE PARAMETERS CHANGED goes to the other nexuses only


@pytest.fixture
def d_sense_changeable(scsi_channel):
    changeable = _control(scsi_channel, pc=1).page(0x0A)
    if changeable is None or not changeable.d_sense:
        pytest.skip("D_SENSE is not changeable (MODE SENSE, changeable values)")
    before = bool(_control(scsi_channel).page(0x0A).d_sense)
    yield scsi_channel
    _set_d_sense(scsi_channel, before)


def _response_code(channel, device):
    with pytest.raises(errors.IllegalRequest) as caught:
        channel.cmd.Read16(lba=device.blocks, transfer_length=1)
    return caught.value.io.hdr.sense[0] & 0x7F


@pytest.mark.parametrize("d_sense, codes", [(False, (0x70,)), (True, (0x72,))], ids=["fixed", "descriptor"])
def test_error_sense_follows_d_sense(d_sense_changeable, scsi_device, d_sense, codes):
    """SPC-5 7.5.8 and 4.4.1: with D_SENSE=0 the device returns fixed format sense data
    (70h) for current errors; with D_SENSE=1 descriptor format (72h)."""
    _set_d_sense(d_sense_changeable, d_sense)
    assert _response_code(d_sense_changeable, scsi_device) in codes


def test_current_format_is_consistent(scsi_channel, scsi_device):
    """SPC-5 4.4.1 and 7.5.8: the sense data of an error are in the format the current
    D_SENSE bit names (fixed when the Control page is not reported)."""
    control = _control(scsi_channel).page(0x0A)
    expected = 0x72 if control is not None and control.d_sense else 0x70
    assert _response_code(scsi_channel, scsi_device) == expected


@pytest.mark.requires_command("RequestSense")
def test_request_sense_desc(scsi_channel):
    """SPC-5 6.39: REQUEST SENSE with DESC=1 returns descriptor format (72h) or, when
    the device does not support it, fails with INVALID FIELD IN CDB; DESC=0 fixed (70h)."""
    assert scsi_channel.cmd.RequestSense(desc=False).data[0] & 0x7F == 0x70
    try:
        data = scsi_channel.cmd.RequestSense(desc=True).data
    except errors.IllegalRequest as failure:
        assert (failure.asc, failure.ascq) == (0x24, 0x00)
        return
    assert data[0] & 0x7F == 0x72
