"""sgframe-sat: SCSI / ATA Translation (T10 SAT-5) for sgframe.

ATA PASS-THROUGH (12) and (16) as CDB classes, the ATA commands a monitoring tool needs
(IDENTIFY DEVICE, SMART, CHECK POWER MODE, READ LOG EXT) with their decoders, the ATA
registers SAT returns in sense data, and ``emu:sata``: an emulated SATA drive behind a
SATL.
"""
from __future__ import annotations

from .ata import (
    Sat, check_power_mode, identify_device, read_log_ext, smart_read_data, smart_read_thresholds,
    smart_return_status,
)
from .commands import AtaPassThrough12, AtaPassThrough16, Protocol, TLength
from .emu import AtaDrive, install_sat, sata_disk
from .identify import IdentifyDevice, decode_identify_device
from .interpret import interpret_sat_sense
from .registers import AtaRegisters, registers_from_sense
from .smart import (
    GeneralPurposeLogDirectory, SmartAttribute, SmartData, SmartThreshold, SmartThresholds,
    decode_log_directory, decode_smart_data, decode_smart_thresholds, power_mode_name,
)

__all__ = [
    "AtaDrive", "AtaPassThrough12", "AtaPassThrough16", "AtaRegisters", "GeneralPurposeLogDirectory",
    "IdentifyDevice", "Protocol", "Sat", "SmartAttribute", "SmartData", "SmartThreshold",
    "SmartThresholds", "TLength", "check_power_mode", "decode_identify_device", "decode_log_directory",
    "decode_smart_data", "decode_smart_thresholds", "identify_device", "install_sat",
    "interpret_sat_sense", "power_mode_name", "read_log_ext", "registers_from_sense", "sata_disk",
    "smart_read_data", "smart_read_thresholds", "smart_return_status",
]
