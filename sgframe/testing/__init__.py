"""What sgframe's pytest plugin is made of: the device under test, ``scsi_expect``, the
per-device locks and the JSON report (the plugin itself is :mod:`sgframe.pytest_plugin`)."""
from __future__ import annotations

from .device import FEATURES, DeviceUnderTest, probe
from .expect import Recorder, scsi_expect
from .locks import DeviceLock, device_key

__all__ = ["DeviceLock", "DeviceUnderTest", "FEATURES", "Recorder", "device_key", "probe", "scsi_expect"]
