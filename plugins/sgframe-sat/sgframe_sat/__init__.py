"""sgframe-sat: SCSI / ATA Translation (T10 SAT-5) for sgframe.

ATA PASS-THROUGH (12) and (16) as CDB classes, the ATA commands a monitoring tool needs
(IDENTIFY DEVICE, SMART, CHECK POWER MODE, READ LOG EXT) with their decoders, the ATA
registers SAT returns in sense data, and ``emu:sata``: an emulated SATA drive behind a
SATL.

Names are imported when first used, so that loading the plugin costs sgframe's start
little (the command line starts once per device in a shell loop).
"""
from __future__ import annotations

from sgframe._lazy import attach


# name -> (module in this package, attribute)
_WHERE = {
    'AtaDrive': ('emu', 'AtaDrive'),
    'AtaPassThrough12': ('commands', 'AtaPassThrough12'),
    'AtaPassThrough16': ('commands', 'AtaPassThrough16'),
    'AtaRegisters': ('registers', 'AtaRegisters'),
    'GeneralPurposeLogDirectory': ('smart', 'GeneralPurposeLogDirectory'),
    'IdentifyDevice': ('identify', 'IdentifyDevice'),
    'Protocol': ('commands', 'Protocol'),
    'Sat': ('ata', 'Sat'),
    'SmartAttribute': ('smart', 'SmartAttribute'),
    'SmartData': ('smart', 'SmartData'),
    'SmartThreshold': ('smart', 'SmartThreshold'),
    'SmartThresholds': ('smart', 'SmartThresholds'),
    'TLength': ('commands', 'TLength'),
    'check_power_mode': ('ata', 'check_power_mode'),
    'decode_identify_device': ('identify', 'decode_identify_device'),
    'decode_log_directory': ('smart', 'decode_log_directory'),
    'decode_smart_data': ('smart', 'decode_smart_data'),
    'decode_smart_thresholds': ('smart', 'decode_smart_thresholds'),
    'identify_device': ('ata', 'identify_device'),
    'install_sat': ('emu', 'install_sat'),
    'interpret_sat_sense': ('interpret', 'interpret_sat_sense'),
    'power_mode_name': ('smart', 'power_mode_name'),
    'read_log_ext': ('ata', 'read_log_ext'),
    'registers_from_sense': ('registers', 'registers_from_sense'),
    'sata_disk': ('emu', 'sata_disk'),
    'smart_read_data': ('ata', 'smart_read_data'),
    'smart_read_thresholds': ('ata', 'smart_read_thresholds'),
    'smart_return_status': ('ata', 'smart_return_status'),
}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = attach(__name__, {name: ("." + module, attribute) for name, (module, attribute) in _WHERE.items()})
