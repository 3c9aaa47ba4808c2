"""Differential test: mode pages decoded here against ``sdparm --inhex`` (sdparm 1.12).

sg_modes 1.46 has no --inhex and prints pages as hex only; sdparm, from the same author,
decodes every field of a saved MODE SENSE response.  Its acronyms are mapped to the record
fields below (most are the T10 acronym itself); descriptor fields carry sdparm's ``.N``
suffix for descriptor N.  Inputs: scsi_debug's answer in ../shared/data/sg3-inhex, the
emulated disk's pages, and the page vectors of test_decode_mode_pages.py.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sgframe.decode import decode_mode_parameters
from sgframe.emu import EmulatedDisk
from test_decode_mode_pages import VECTORS

SDPARM = shutil.which("sdparm")
pytestmark = pytest.mark.skipif(SDPARM is None, reason="sdparm not found (apt-get install sdparm)")

INHEX = Path("/work/shared/data/sg3-inhex")

# sdparm's page acronyms -> (page, subpage).
PAGES = {"rw": (0x01, 0), "dr": (0x02, 0), "fo": (0x03, 0), "rd": (0x04, 0), "ve": (0x07, 0), "ca": (0x08, 0),
         "co": (0x0A, 0), "coe": (0x0A, 1), "atag": (0x0A, 2), "ioad": (0x0A, 5), "bop": (0x0A, 6),
         "pl": (0x18, 0), "pp": (0x19, 0), "pcd": (0x19, 1), "spc": (0x19, 2), "sep": (0x19, 3),
         "po": (0x1A, 0), "ps": (0x1A, 1), "ie": (0x1C, 0), "bc": (0x1C, 1)}

# sdparm acronym -> record field, where the lower-cased acronym is not the field's name.
FIELDS = {
    "RRC": "read_retry_count", "COR_S": "correction_span", "HOC": "head_offset_count",
    "DSOC": "data_strobe_offset_count", "WRC": "write_retry_count", "RTL": "recovery_time_limit",
    "BITL": "bus_inactivity_limit", "MCTL": "connect_time_limit", "MBS": "maximum_burst_size",
    "FBS": "first_burst_size",
    "TPZ": "tracks_per_zone", "ASPZ": "alternate_sectors_per_zone", "ATPZ": "alternate_tracks_per_zone",
    "ATPLU": "alternate_tracks_per_logical_unit", "SPT": "sectors_per_track",
    "DBPPS": "data_bytes_per_physical_sector", "INTLV": "interleave", "TSF": "track_skew_factor",
    "CSF": "cylinder_skew_factor",
    "NOC": "number_of_cylinders", "NOH": "number_of_heads", "SCWP": "starting_cylinder_write_precompensation",
    "SCRWC": "starting_cylinder_reduced_write_current", "DSR": "drive_step_rate",
    "LZC": "landing_zone_cylinder", "ROTO": "rotational_offset", "MRR": "medium_rotation_rate",
    "V_EER": "eer", "V_PER": "per", "V_DTE": "dte", "V_DCR": "dcr", "V_RC": "verify_retry_count",
    "V_COR_S": "correction_span", "V_RTL": "verify_recovery_time_limit",
    "DRRP": "demand_read_retention_priority", "WRP": "write_retention_priority",
    "DPTL": "disable_pre_fetch_transfer_length", "MIPF": "minimum_pre_fetch", "MAPF": "maximum_pre_fetch",
    "MAPFC": "maximum_pre_fetch_ceiling", "NCS": "number_of_cache_segments", "CSS": "cache_segment_size",
    "QAM": "queue_algorithm_modifier", "UA_INTLCK": "ua_intlck_ctrl", "AUTOLOAD": "autoload_mode",
    "BTP": "busy_timeout_period", "ESTCT": "extended_self_test_completion_time",
    "INIT_PR": "initial_command_priority", "MSDL": "maximum_sense_data_length",
    "IOA_MODE": "io_advice_hints_mode", "CS_EN": "cs_enble", "IC_EN": "ic_enable",
    "LUPID": "protocol_identifier", "TLR": "transport_layer_retries",
    "PPID": "protocol_identifier", "CAWT": "continue_awt", "BAE": "broadcast_asynchronous_event",
    "RLM": "ready_led_meaning", "ITNLT": "i_t_nexus_loss_time", "IRT": "initiator_response_timeout",
    "RTOL": "reject_to_open_limit",
    "GENC": "generation_code", "NOP": "number_of_phys", "PHID": "phy_identifier",
    "ADT": "attached_sas_device_type", "AREAS": "attached_reason", "REAS": "reason",
    "NLLR": "negotiated_logical_link_rate", "ASIP": "attached_ssp_initiator_port",
    "ATIP": "attached_stp_initiator_port", "AMIP": "attached_smp_initiator_port",
    "ASTP": "attached_ssp_target_port", "ATTP": "attached_stp_target_port", "AMTP": "attached_smp_target_port",
    "SASA": "sas_address", "ASASA": "attached_sas_address", "APHID": "attached_phy_identifier",
    "PMILR": "programmed_minimum_physical_link_rate", "HMILR": "hardware_minimum_physical_link_rate",
    "PMALR": "programmed_maximum_physical_link_rate", "HMALR": "hardware_maximum_physical_link_rate",
    "PLT": "power_loss_timeout", "PGRATO": "power_grant_timeout",
    "PPCAP": "programmed_phy_capabilities", "CPCAP": "current_phy_capabilities",
    "APCAP": "attached_phy_capabilities", "N_SSC": "negotiated_ssc", "NPLR": "negotiated_physical_link_rate",
    "HMS": "hardware_muxing_supported",
    "PM_BG": "pm_bg_precedence", "IACT": "idle_a_condition_timer", "SZCT": "standby_z_condition_timer",
    "IBCT": "idle_b_condition_timer", "ICCT": "idle_c_condition_timer", "SYCT": "standby_y_condition_timer",
    "CCF_STAND": "ccf_standby", "CCF_STOPP": "ccf_stopped",
    "ACT_LEV": "active_level", "PC_ID": "power_consumption_identifier",
    "INTT": "interval_timer", "REPC": "report_count",
    "BMS_I": "background_medium_scan_interval_time", "BPS_TL": "background_pre_scan_time_limit",
    "MIN_IDLE": "minimum_idle_time_before_background_scan", "MAX_SUSP": "maximum_time_to_suspend_background_scan",
}


def sdparm(raw: bytes, tmp_path: Path):
    """sdparm's sections: [(page acronym, [(field acronym, descriptor index, value text)])]."""
    path = tmp_path / "modes.hex"
    path.write_text(raw.hex(" "))
    text = subprocess.run([SDPARM, f"--inhex={path}", "--all", "--long", "--transport=sas"], capture_output=True,
                          text=True, check=True).stdout
    sections = []
    for line in text.splitlines():
        title = re.match(r"^.* \[(\w+)\] mode page:$", line)
        if title:
            sections.append((title[1], []))
            continue
        m = re.match(r"^  (\w+?)(?:_\d+)?(?:\.(\d+))?\s+(-?(?:0x)?[0-9a-f]+)\s", line)
        if m and sections:
            sections[-1][1].append((m[1], int(m[2] or 0), m[3]))
    return sections


def compare(record, raw: bytes, tmp_path: Path) -> int:
    """Every sdparm field that is a record field must have the same value; returns how many."""
    matched = 0
    for acronym, fields in sdparm(raw, tmp_path):
        page = record.page(*PAGES[acronym])
        assert page is not None, acronym
        for name, index, text in fields:
            field = FIELDS.get(name, name.lower())
            descriptors = getattr(page, "descriptors", ())
            if index or (not hasattr(page, field) and descriptors):
                holder = descriptors[index] if index < len(descriptors) else None
            else:
                holder = page
            if holder is None or not hasattr(holder, field):
                continue
            ours = int(getattr(holder, field))
            if text == "-1":  # sdparm's word for all ones
                assert ours and ours == (1 << ours.bit_length()) - 1, (acronym, name, ours)
            else:
                assert ours == int(text, 0), (acronym, name, index, ours, text)
            matched += 1
    return matched


def test_scsi_debug_pages_agree_with_sdparm(tmp_path):
    raw = bytes.fromhex((INHEX / "modes_sdeb.hex").read_text())
    record = decode_mode_parameters(raw, ten=True)
    assert record.problems == ()
    assert compare(record, raw, tmp_path) == 132


def test_emulated_disk_pages_agree_with_sdparm(tmp_path):
    disk = EmulatedDisk(blocks=1 << 20, serial="SDPARM1")
    raw = disk.respond(bytes.fromhex("5a 00 3f ff 00 00 00 ffff 00"), None, 0xFFFF).data
    record = decode_mode_parameters(raw, ten=True)
    assert record.problems == ()
    assert compare(record, raw, tmp_path) == 391  # IO advice hints alone: 64 x 3


# Fields sdparm decodes in each vector (it has none for the application tag page).
MATCHES = {"bc": 8, "bop": 1, "consumption": 2, "enhanced": 10, "power": 14, "pslu": 2, "pspo": 7,
           "rigid": 9, "verify": 7}


@pytest.mark.parametrize("name", sorted(MATCHES))
def test_vectors_agree_with_sdparm(name, tmp_path):
    # sdparm 1.12 knows 1Ah/F1h only for ATA devices and not 1Ch/02h for a disk here.
    page = VECTORS[name]
    raw = (6 + len(page)).to_bytes(2, "big") + bytes(6) + page
    record = decode_mode_parameters(raw, ten=True)
    assert record.problems == ()
    assert compare(record, raw, tmp_path) == MATCHES[name]
