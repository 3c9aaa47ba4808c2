"""The exception hierarchy, exception_for (every row), messages, open errors."""
from __future__ import annotations

import errno
import pickle

import pytest

from sgframe.judge import exception_for
from sgframe import errors
from sgframe.errors import (
    AbortedCommand, AcaActive, BlankCheck, Busy, CheckCondition, CommandTimeout, Completed, CopyAborted,
    DataProtect, DeviceBusy, DeviceGone, DeviceNodeMissing, DeviceOpenError, DevicePermissionError,
    DriverError, ExpectationFailed, HardwareError, HostError, IllegalRequest, MediumError, Miscompare,
    NoSense, NoSuchDevice, NotReady, RecoveredError, ReservationConflict, ReservedSenseKey, SgframeError,
    StatusError, TaskAborted, TaskFailed, TaskSetFull, UnitAttention, UsageError, VendorSpecific,
    VolumeOverflow, WrongNodeType, for_errno,
)
from sgframe.sense import FieldPointer, SenseKey, build_descriptor_sense, build_fixed_sense, decode_sense
from sgframe.status import HostStatus, ScsiStatus

CC = 0x02
KEY_CLASSES = [NoSense, RecoveredError, NotReady, MediumError, HardwareError, IllegalRequest, UnitAttention,
               DataProtect, BlankCheck, VendorSpecific, CopyAborted, AbortedCommand, ReservedSenseKey,
               VolumeOverflow, Miscompare, Completed]


def test_hierarchy():
    assert issubclass(UsageError, SgframeError) and issubclass(UsageError, ValueError)
    assert issubclass(TaskFailed, SgframeError)
    assert issubclass(ExpectationFailed, SgframeError) and issubclass(ExpectationFailed, AssertionError)
    for cls in KEY_CLASSES:
        assert issubclass(cls, CheckCondition)
    for cls in (Busy, ReservationConflict, TaskSetFull, AcaActive, TaskAborted):
        assert issubclass(cls, StatusError) and issubclass(cls, TaskFailed)
    assert issubclass(CommandTimeout, HostError) and issubclass(HostError, TaskFailed)
    assert issubclass(DriverError, TaskFailed) and issubclass(DeviceGone, TaskFailed)
    assert issubclass(DeviceOpenError, OSError) and issubclass(DeviceOpenError, SgframeError)
    assert issubclass(DevicePermissionError, PermissionError)
    assert issubclass(DeviceNodeMissing, FileNotFoundError)


# ---------------------------------------------------------------- exception_for, row by row

@pytest.mark.parametrize("key", range(16))
@pytest.mark.parametrize("build", [build_fixed_sense, build_descriptor_sense])
def test_check_condition_per_sense_key(key, build):
    exc = exception_for(CC, 0, 0x08, build(key, 0x00, 0x00))
    assert type(exc) is KEY_CLASSES[key]
    assert exc.sense.sense_key == key
    assert exc.SENSE_KEY == key
    assert exc.informational is (key in (SenseKey.RECOVERED_ERROR, SenseKey.COMPLETED))


@pytest.mark.parametrize("status, host, driver, sense, expected", [
    # success
    (0x00, 0, 0, None, None),
    (0x04, 0, 0, None, None),                                   # CONDITION MET
    (0x10, 0, 0, None, None),                                   # INTERMEDIATE
    (0x14, 0, 0, None, None),                                   # INTERMEDIATE-CONDITION MET
    (0x00, 0, 0x08, build_fixed_sense(1, 0x17, 0x01), None),    # DRIVER_SENSE alone is no error
    (0x00, 0, 0x18, None, None),                                # suggest bits alone are no error
    # CHECK CONDITION
    (CC, 0, 0, None, CheckCondition),
    (CC, 0, 0x08, b"", CheckCondition),
    (CC, 0, 0x08, build_fixed_sense(5, 0x21, 0), IllegalRequest),
    (CC, 0, 0x18, build_fixed_sense(3, 0x11, 0), MediumError),   # DRIVER_SENSE|SUGGEST_RETRY
    (CC, 0, 0, decode_sense(build_fixed_sense(6, 0x29, 0)), UnitAttention),
    (CC, 0, 0x08, build_fixed_sense(1, 0x17, 0x01), RecoveredError),
    # other statuses
    (0x08, 0, 0, None, Busy),
    (0x18, 0, 0, None, ReservationConflict),
    (0x28, 0, 0, None, TaskSetFull),
    (0x30, 0, 0, None, AcaActive),
    (0x40, 0, 0, None, TaskAborted),
    (0x22, 0, 0, None, StatusError),                            # COMMAND TERMINATED (obsolete)
    (0x2E, 0, 0, None, StatusError),                            # unassigned
    # host byte first
    (0x00, 0x03, 0, None, CommandTimeout),
    (CC, 0x03, 0x08, build_fixed_sense(5, 0x21, 0), CommandTimeout),
    (0x00, 0x01, 0, None, HostError),
    (0x00, 0x02, 0, None, HostError),
    (0x00, 0x04, 0, None, HostError),
    (0x00, 0x05, 0, None, HostError),
    (0x00, 0x07, 0, None, HostError),
    (0x00, 0x08, 0, None, HostError),
    (0x00, 0x0E, 0, None, HostError),
    (0x00, 0x0F, 0, None, HostError),
    (0x00, 0x14, 0, None, HostError),
    (0x00, 0x3F, 0, None, HostError),                           # unknown host byte
    (0x08, 0x07, 0x04, None, HostError),                        # host beats driver and status
    # then driver errors that are not just DRIVER_SENSE
    (0x00, 0, 0x06, None, CommandTimeout),                      # DRIVER_TIMEOUT
    (0x00, 0, 0x04, None, DriverError),                         # DRIVER_ERROR
    (0x00, 0, 0x24, None, DriverError),                         # DRIVER_ERROR|SUGGEST_ABORT
    (0x00, 0, 0x01, None, DriverError),
    (0x00, 0, 0x07, None, DriverError),
    (CC, 0, 0x04, build_fixed_sense(5, 0x21, 0), DriverError),  # driver beats status
    (0x08, 0, 0x03, None, DriverError),
])
def test_exception_for_rows(status, host, driver, sense, expected):
    exc = exception_for(status, host, driver, sense, command="READ(10)", device="/dev/sg3")
    if expected is None:
        assert exc is None
    else:
        assert type(exc) is expected
        assert exc.status == status and exc.host_status == host and exc.driver_status == driver
        assert (exc.command, exc.device, exc.io) == ("READ(10)", "/dev/sg3", None)


def test_exception_carries_decoded_sense():
    exc = exception_for(CC, sense=build_fixed_sense(3, 0x11, 0x00, 0x4000))
    assert (exc.sense_key, exc.asc, exc.ascq, exc.information) == (SenseKey.MEDIUM_ERROR, 0x11, 0, 0x4000)
    assert exc.status is ScsiStatus.CHECK_CONDITION
    assert exception_for(0x08).sense_key is None


def test_named_host_status():
    exc = exception_for(0, 0x05)
    assert exc.host_status is HostStatus.DID_ABORT


# ---------------------------------------------------------------- messages

@pytest.mark.parametrize("args, kwargs, message", [
    ((CC, 0, 0x08, build_fixed_sense(5, 0x21, 0)), dict(command="READ(16)", device="/dev/sg0"),
     "READ(16) on /dev/sg0: CHECK CONDITION, ILLEGAL REQUEST, Logical block address out of range [21h/00h]"),
    ((CC, 0, 0x08, build_descriptor_sense(3, 0x11, 0, 0x123456)), dict(command="READ(16)", device="/dev/sg0"),
     "READ(16) on /dev/sg0: CHECK CONDITION, MEDIUM ERROR, Unrecovered read error [11h/00h], "
     "information 0x123456"),
    ((CC, 0, 0x08, build_fixed_sense(3, 0x11, 0, 0x123456, deferred=True)), dict(device="/dev/sg0"),
     "/dev/sg0: CHECK CONDITION, MEDIUM ERROR (deferred error), Unrecovered read error [11h/00h], "
     "information 0x123456"),
    ((CC, 0, 0x08, build_fixed_sense(5, 0x24, 0, sense_key_specific=FieldPointer(True, True, 7, 1))),
     dict(command="INQUIRY"),
     "INQUIRY: CHECK CONDITION, ILLEGAL REQUEST, Invalid field in cdb [24h/00h], error in CDB byte 1 bit 7"),
    ((CC,), dict(command="TEST UNIT READY", device="/dev/sg2"),
     "TEST UNIT READY on /dev/sg2: CHECK CONDITION, no sense data"),
    ((0, 0x03), dict(command="READ(10)", device="/dev/sg1"),
     "READ(10) on /dev/sg1: host status DID_TIME_OUT (the command timed out)"),
    ((0, 0x01), dict(command="READ(10)", device="/dev/sg1"),
     "READ(10) on /dev/sg1: host status DID_NO_CONNECT (could not connect to the device)"),
    ((0, 0, 0x06), dict(command="READ(10)", device="/dev/sg1"),
     "READ(10) on /dev/sg1: driver status DRIVER_TIMEOUT (the driver timed the command out)"),
    ((0, 0, 0x04), dict(command="WRITE(10)", device="/dev/sg1"),
     "WRITE(10) on /dev/sg1: driver status DRIVER_ERROR (driver error)"),
    ((0x28,), dict(command="READ(10)", device="/dev/sg1"), "READ(10) on /dev/sg1: TASK SET FULL"),
    ((0x18,), {}, "RESERVATION CONFLICT"),
    ((0x2E,), dict(device="/dev/sg1"), "/dev/sg1: status 0x2e (reserved)"),
    ((0x00, 0x07, 0x08, build_fixed_sense(4, 0x44, 0)), dict(device="/dev/sg1"),
     "/dev/sg1: host status DID_ERROR (internal error in the host adapter driver); "
     "sense: HARDWARE ERROR, Internal target failure [44h/00h]"),
])
def test_messages(args, kwargs, message):
    assert str(exception_for(*args, **kwargs)) == message


def test_malformed_sense_is_named_in_message():
    exc = exception_for(CC, sense=bytes.fromhex("7f000500"))
    assert type(exc) is IllegalRequest
    assert "malformed sense: response code 0x7f is not 70h-73h" in str(exc)


def test_explicit_message_and_direct_construction():
    exc = MediumError("custom", command="READ(10)", sense=decode_sense(build_fixed_sense(3, 0x11, 0, 7)))
    assert str(exc) == "custom"
    assert exc.information == 7


def test_raw_sense_bytes_are_refused_with_what_to_do():
    # Exceptions sit below the sense decoder; exception_for is what takes raw bytes.
    with pytest.raises(UsageError, match=r"decode_sense\(raw\)"):
        MediumError("custom", sense=build_fixed_sense(3, 0x11, 0, 7))


def test_device_gone():
    assert str(DeviceGone(command="READ(10)", device="/dev/sg0", errno=errno.ENODEV)) == \
        "READ(10) on /dev/sg0: the device is gone (ENODEV)"
    assert str(DeviceGone(device="/dev/sg0")) == "/dev/sg0: the device is gone"
    assert DeviceGone(errno=errno.ENXIO).errno == errno.ENXIO


def test_pickle_round_trip():
    exc = exception_for(CC, sense=build_fixed_sense(5, 0x21, 0), command="READ(16)", device="/dev/sg0")
    exc.io = object()
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is IllegalRequest
    assert str(back) == str(exc)
    assert back.sense == exc.sense and back.io is None


# ---------------------------------------------------------------- open errors

@pytest.mark.parametrize("code, cls, message", [
    (errno.EACCES, DevicePermissionError,
     "cannot open /dev/sg0: permission denied (EACCES); run as root, or add the user to the group that "
     "owns the node (usually 'disk': usermod -aG disk USER, then log in again)"),
    (errno.EPERM, DevicePermissionError, None),
    (errno.ENOENT, DeviceNodeMissing,
     "cannot open /dev/sg0: no such device node (ENOENT); list the SCSI generic nodes with 'lsscsi -g' or "
     "'ls /dev/sg* /dev/bsg'; if there are none, load the driver with 'modprobe sg'"),
    (errno.ENXIO, NoSuchDevice,
     "cannot open /dev/sg0: no device behind this node (ENXIO); the device was removed or is offline; "
     "check 'lsscsi -g' and the kernel log"),
    (errno.ENODEV, NoSuchDevice, None),
    (errno.EBUSY, DeviceBusy, None),
    (errno.ENOTTY, WrongNodeType,
     "cannot open /dev/sg0: not a SCSI generic device node (ENOTTY); use a /dev/sgN or /dev/bsg/H:C:T:L "
     "character device"),
    (errno.EISDIR, WrongNodeType, None),
    (errno.ENOTDIR, WrongNodeType, None),
    (errno.EROFS, DeviceOpenError, "cannot open /dev/sg0: Read-only file system (EROFS)"),
])
def test_for_errno(code, cls, message):
    exc = for_errno(OSError(code, __import__("os").strerror(code)), "/dev/sg0")
    assert type(exc) is cls
    assert exc.errno == code and exc.filename == "/dev/sg0"
    if message is not None:
        assert str(exc) == message
    assert "\n" not in str(exc)


def test_for_errno_keeps_builtin_catchability():
    with pytest.raises(PermissionError):
        raise for_errno(PermissionError(errno.EACCES, "Permission denied"), "/dev/sg0")
    with pytest.raises(FileNotFoundError):
        raise for_errno(FileNotFoundError(errno.ENOENT, "No such file"), "/dev/sg9")


def test_open_error_pickles():
    exc = for_errno(OSError(errno.EACCES, "Permission denied"), "/dev/sg0")
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is DevicePermissionError and str(back) == str(exc)


def test_check_condition_class_lookup():
    assert errors.check_condition_class(0x5) is IllegalRequest
    assert errors.check_condition_class(0xF) is Completed
