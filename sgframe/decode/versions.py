"""Version descriptors of standard INQUIRY data (SPC-5 6.7.2, table 153).

A version descriptor names a standard a device claims, and optionally which revision: the
codes come in blocks of 32, the first code of a block meaning "<standard> (no version
claimed)" and the others particular drafts or published editions.  :data:`STANDARDS` lists
the blocks; :data:`VERSIONS` the particular codes real devices send most.  Names are
written the way sg_inq writes them.
"""
from __future__ import annotations

from typing import Dict

__all__ = ["STANDARDS", "VERSIONS", "version_descriptor_name"]

#: First code of each block -> the standard.
STANDARDS: Dict[int, str] = {
    # architecture model
    0x0020: "SAM", 0x0040: "SAM-2", 0x0060: "SAM-3", 0x0080: "SAM-4", 0x00A0: "SAM-5", 0x00C0: "SAM-6",
    # command sets
    0x0120: "SPC", 0x0140: "MMC", 0x0160: "SCC", 0x0180: "SBC", 0x01A0: "SMC", 0x01C0: "SES",
    0x01E0: "SCC-2", 0x0200: "SSC", 0x0220: "RBC", 0x0240: "MMC-2", 0x0260: "SPC-2", 0x0280: "OCRW",
    0x02A0: "MMC-3", 0x02E0: "SMC-2", 0x0300: "SPC-3", 0x0320: "SBC-2", 0x0340: "OSD",
    0x0360: "SSC-2", 0x0380: "BCC", 0x03A0: "MMC-4", 0x03C0: "ADC", 0x03E0: "SES-2", 0x0400: "SSC-3",
    0x0420: "MMC-5", 0x0440: "OSD-2", 0x0460: "SPC-4", 0x0480: "SMC-3", 0x04A0: "ADC-2",
    0x04C0: "SBC-3", 0x04E0: "MMC-6", 0x0500: "ADC-3", 0x0520: "SSC-4", 0x0560: "OSD-3",
    0x0580: "SES-3", 0x05A0: "SSC-5", 0x05C0: "SPC-5", 0x05E0: "SFSC", 0x0600: "SBC-4", 0x0620: "ZBC",
    0x0640: "ADC-4", 0x0660: "ZBC-2", 0x0680: "SES-4",
    # physical mapping protocols
    0x0820: "SSA-TL2", 0x0840: "SSA-TL1", 0x0860: "SSA-S3P", 0x0880: "SSA-S2P", 0x08A0: "SIP",
    0x08C0: "FCP", 0x08E0: "SBP-2", 0x0900: "FCP-2", 0x0920: "SST", 0x0940: "SRP", 0x0960: "iSCSI",
    0x0980: "SBP-3", 0x09A0: "SRP-2", 0x09C0: "ADP", 0x09E0: "ADT", 0x0A00: "FCP-3", 0x0A20: "ADT-2",
    0x0A40: "FCP-4", 0x0A60: "ADT-3",
    # parallel SCSI and SAS
    0x0AA0: "SPI", 0x0AC0: "Fast-20", 0x0AE0: "SPI-2", 0x0B00: "SPI-3", 0x0B20: "EPI", 0x0B40: "SPI-4",
    0x0B60: "SPI-5", 0x0BE0: "SAS", 0x0C00: "SAS-1.1", 0x0C20: "SAS-2", 0x0C40: "SAS-2.1",
    0x0C60: "SAS-3", 0x0C80: "SAS-4",
    # Fibre Channel
    0x0D20: "FC-PH", 0x0D40: "FC-AL", 0x0D60: "FC-AL-2", 0x0D80: "FC-PH-3", 0x0DA0: "FC-FS",
    0x0DC0: "FC-PI", 0x0DE0: "FC-PI-2", 0x0E00: "FC-FS-2", 0x0E20: "FC-LS", 0x0E40: "FC-SP",
    0x0E60: "FC-PI-3", 0x0E80: "FC-PI-4", 0x0EA0: "FC 10GFC", 0x0EC0: "FC-SP-2", 0x0EE0: "FC-FS-3",
    0x0F00: "FC-LS-2", 0x0F20: "FC-PI-5", 0x0F40: "FC-PI-6", 0x0F60: "FC-FS-4", 0x0F80: "FC-LS-3",
    0x12A0: "FC-SCM", 0x12C0: "FC-DA-2", 0x12E0: "FC-DA", 0x1300: "FC-Tape", 0x1320: "FC-FLA",
    0x1340: "FC-PLDA",
    # other transports and bridges
    0x1360: "SSA-PH2", 0x1380: "SSA-PH3", 0x14A0: "IEEE 1394", 0x14C0: "IEEE 1394a",
    0x14E0: "IEEE 1394b", 0x15E0: "ATA/ATAPI-6", 0x1600: "ATA/ATAPI-7", 0x1740: "UAS",
    0x1780: "UAS-2", 0x1EA0: "SAT", 0x1EC0: "SAT-2", 0x1EE0: "SAT-3", 0x1F00: "SAT-4",
    0x20A0: "SPL", 0x20C0: "SPL-2", 0x20E0: "SPL-3", 0x2100: "SPL-4", 0x2120: "SPL-5",
    0x21E0: "SOP", 0x2200: "PQI", 0x2240: "PQI-2", 0xFFC0: "IEEE 1667",
}

#: Particular versions, and the codes that break the block pattern (ACS-2's "no version
#: claimed" is 1761h, ATA8's three parts share one block).
VERSIONS: Dict[int, str] = {
    0x0077: "SAM-3 ANSI INCITS 402-2005",
    0x0090: "SAM-4 ANSI INCITS 447-2008",
    0x00A8: "SAM-5 ANSI INCITS 515-2016",
    0x0314: "SPC-3 ANSI INCITS 408-2005",
    0x0316: "SPC-3 ISO/IEC 14776-453",
    0x046C: "SPC-4 ANSI INCITS 513-2015",
    0x04C8: "SBC-3 ANSI INCITS 514-2014",
    0x0622: "ZBC BSR INCITS 536 revision 02",
    0x0624: "ZBC BSR INCITS 536 revision 05",
    0x1620: "ATA/ATAPI-8 ATA-AAM Architecture model (no version claimed)",
    0x1621: "ATA/ATAPI-8 ATA-PT Parallel transport (no version claimed)",
    0x1622: "ATA/ATAPI-8 ATA-AST Serial transport (no version claimed)",
    0x1623: "ATA/ATAPI-8 ATA-ACS ATA/ATAPI command set (no version claimed)",
    0x1761: "ACS-2 (no version claimed)",
    0x2220: "SOP-2 (no draft published)",
}


def version_descriptor_name(code: int) -> str:
    """The standard (and version) a version descriptor claims.

    A code inside a known standard's block that is not listed keeps the standard's name and
    says its code; sg_inq would call it unrecognised.
    """
    if code in VERSIONS:
        return VERSIONS[code]
    standard = STANDARDS.get(code & ~0x1F)
    if standard is None:
        return f"unrecognised version descriptor code {code:#06x}"
    if code & 0x1F == 0:
        return f"{standard} (no version claimed)"
    return f"{standard} (version descriptor code {code:#06x})"
