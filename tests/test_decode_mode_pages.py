"""Mode pages added for issue 14: one vector per page (bytes from SBC-4 / SPC-5 / SPL-4 /
SAT-4, or scsi_debug's answer in ../shared/data/sg3-inhex), decode then encode back; names
against sg_modes.

sg_modes 1.46 has no --inhex: it cannot decode saved responses, and it prints pages as hex
only.  What it does know without a device, its page names (``sg_modes -l``, ``-p xxx``), is
compared here; the values of the saved responses are checked against the standard.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgframe.decode import decode_mode_parameters
from sgframe.decode.mode_pages import (
    MODE_PAGE_DECODERS,
    MODE_PAGE_NAMES,
    SAS_MODE_PAGE_NAMES,
    ApplicationTagDescriptor,
    ApplicationTagPage,
    AtaPowerConditionPage,
    BackgroundControlPage,
    BackgroundOperationControlPage,
    EnhancedPhyControlPage,
    FormatDevicePage,
    IoAdviceHintsGroupDescriptor,
    IoAdviceHintsGroupingPage,
    LogicalBlockProvisioningPage,
    PhyControlAndDiscoverPage,
    PowerConditionPage,
    PowerConsumptionPage,
    RigidDiskGeometryPage,
    SasLogicalUnitPage,
    SasPhyModeDescriptor,
    SasPortPage,
    SharedPortControlPage,
    UnknownModePage,
    VerifyErrorRecoveryPage,
    decode_mode_page,
    mode_page_name,
)
from sgframe.errors import UsageError

INHEX = Path("/work/shared/data/sg3-inhex")
SDEB = INHEX / "modes_sdeb.hex"


def h(text: str) -> bytes:
    return bytes.fromhex(text)


VECTORS = {
    # 04h: 4096 cylinders, 8 heads, landing zone 4096, RPL 01b, 7200 rpm.
    "rigid": h("04 16 001000 08 000000 000000 0000 001000 01 00 00 1c20 0000"),
    # 07h: EER and PER set, 5 retries, 500 ms.
    "verify": h("07 0a 0c 05 00 00 00 00 00 00 01f4"),
    # 0Ah/02h: one descriptor, LAST set, tag ABCDh for LBAs 1000h..17FFh.
    "apptag": h("4a 02 0024") + bytes(12) + h("80 0000000000 abcd 0000000000001000 0000000000000800"),
    # 0Ah/06h: BO_MODE 01b.
    "bop": h("4a 06 001c 40") + bytes(27),
    # 18h (SAS): TRANSPORT LAYER RETRIES set.
    "pslu": h("18 06 16 00 00 00 00 00"),
    # 19h (SAS): CONTINUE AWT, READY LED MEANING; I_T nexus loss 2000 ms; response timeout 10 ms; reject to open 1000h.
    "pspo": h("19 0e 56 00 07d0 000a 1000 000000000000"),
    # 19h/03h (SAS): generation 1, one phy, descriptor length 10h, SSC negotiated at 12G, muxing.
    "enhanced": h("59 03 0018 00 06 01 01  00 00 0010 80000000 40000000 20000000 0000 1b 01"),
    # 1Ah: IDLE_A and STANDBY_Z enabled, 2 s and 300 s; CCF idle/standby/stopped 01b.
    "power": h("1a 26 00 03 00000014 00000bb8") + bytes(27) + h("54"),
    # 1Ah/01h: ACTIVE LEVEL 10b, power consumption identifier 5.
    "consumption": h("5a 01 000c 0000 02 05") + bytes(8),
    # 1Ah/F1h (SAT): APMP set, APM value FEh.
    "ata_power": h("5a f1 000c 01 fe") + bytes(10),
    # 1Ch/01h: S_L_FULL, EN_BMS, EN_PS; interval 24 h, pre-scan 0, idle 1 x 100 ms, suspend 10 ms.
    "bc": h("5c 01 000c 05 01 0018 0000 0001 000a 0000"),
    # 1Ch/02h: SITUA; one threshold descriptor: enabled, type 000b, arming 001b, resource 01h, count 1000h.
    "lbp": h("5c 02 0014 01") + bytes(11) + h("81 01 0000 00001000"),
}


def sdeb_pages():
    return decode_mode_parameters(h(SDEB.read_text()), ten=True)


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_vector_decodes_cleanly_and_encodes_back(name):
    raw = VECTORS[name]
    page = decode_mode_page(raw)
    assert not isinstance(page, UnknownModePage), page
    assert page.problems == ()
    assert page.encode() == raw
    assert decode_mode_page(page.encode()) == page


def test_rigid_disk_geometry_and_verify():
    r = decode_mode_page(VECTORS["rigid"])
    assert isinstance(r, RigidDiskGeometryPage)
    assert (r.number_of_cylinders, r.number_of_heads, r.landing_zone_cylinder, r.rpl, r.medium_rotation_rate) == (
        4096, 8, 4096, 1, 7200)
    v = decode_mode_page(VECTORS["verify"])
    assert isinstance(v, VerifyErrorRecoveryPage)
    assert (v.eer, v.per, v.dte, v.verify_retry_count, v.verify_recovery_time_limit) == (True, True, False, 5, 500)


def test_application_tag():
    p = decode_mode_page(VECTORS["apptag"])
    assert isinstance(p, ApplicationTagPage)
    assert p.descriptors == (ApplicationTagDescriptor(last=True, logical_block_application_tag=0xABCD,
                                                      logical_block_address=0x1000, logical_block_count=0x800),)
    built = ApplicationTagPage(descriptors=[ApplicationTagDescriptor(last=True, logical_block_application_tag=0xABCD,
                                                                     logical_block_address=0x1000,
                                                                     logical_block_count=0x800)])
    assert built.encode() == VECTORS["apptag"]


def test_io_advice_hints_grouping_has_64_groups():
    groups = [IoAdviceHintsGroupDescriptor(io_advice_hints_mode=1, ic_enable=True)] + [IoAdviceHintsGroupDescriptor()] * 63
    raw = IoAdviceHintsGroupingPage(descriptors=groups).encode()
    assert raw[:4] == h("4a 05 040c") and len(raw) == 4 + 0x40C
    assert raw[16] == 0x41
    page = decode_mode_page(raw)
    assert isinstance(page, IoAdviceHintsGroupingPage) and len(page.descriptors) == 64
    assert (page.descriptors[0].io_advice_hints_mode, page.descriptors[0].ic_enable) == (1, True)


def test_background_operation_and_power_pages():
    assert decode_mode_page(VECTORS["bop"]).bo_mode == 1
    p = decode_mode_page(VECTORS["power"])
    assert isinstance(p, PowerConditionPage)
    assert (p.idle_a, p.standby_z, p.idle_b, p.idle_a_condition_timer, p.standby_z_condition_timer) == (
        True, True, False, 20, 3000)
    assert (p.ccf_idle, p.ccf_standby, p.ccf_stopped) == (1, 1, 1)
    c = decode_mode_page(VECTORS["consumption"])
    assert isinstance(c, PowerConsumptionPage) and (c.active_level, c.power_consumption_identifier) == (2, 5)
    a = decode_mode_page(VECTORS["ata_power"])
    assert isinstance(a, AtaPowerConditionPage) and (a.apmp, a.apm_value) == (True, 0xFE)


def test_background_control_and_logical_block_provisioning():
    b = decode_mode_page(VECTORS["bc"])
    assert isinstance(b, BackgroundControlPage)
    assert (b.s_l_full, b.lowir, b.en_bms, b.en_ps, b.background_medium_scan_interval_time,
            b.minimum_idle_time_before_background_scan, b.maximum_time_to_suspend_background_scan) == (
        True, False, True, True, 24, 1, 10)
    lbp = decode_mode_page(VECTORS["lbp"])
    assert isinstance(lbp, LogicalBlockProvisioningPage) and lbp.situa is True
    (t,) = lbp.descriptors
    assert (t.enabled, t.threshold_type, t.threshold_arming, t.threshold_resource, t.threshold_count) == (
        True, 0, 1, 1, 0x1000)


def test_sas_pages():
    lu = decode_mode_page(VECTORS["pslu"])
    assert isinstance(lu, SasLogicalUnitPage) and (lu.transport_layer_retries, lu.protocol_identifier) == (True, 6)
    port = decode_mode_page(VECTORS["pspo"])
    assert isinstance(port, SasPortPage)
    assert (port.continue_awt, port.broadcast_asynchronous_event, port.ready_led_meaning, port.i_t_nexus_loss_time,
            port.initiator_response_timeout, port.reject_to_open_limit) == (True, False, True, 2000, 10, 0x1000)
    e = decode_mode_page(VECTORS["enhanced"])
    assert isinstance(e, EnhancedPhyControlPage)
    (d,) = e.descriptors
    assert (d.descriptor_length, d.programmed_phy_capabilities, d.current_phy_capabilities,
            d.attached_phy_capabilities, d.negotiated_ssc, d.negotiated_physical_link_rate,
            d.hardware_muxing_supported) == (0x10, 0x80000000, 0x40000000, 0x20000000, True, 0xB, True)


def test_a_page_of_another_protocol_is_not_decoded_as_sas():
    # 19h with PROTOCOL IDENTIFIER 0h (Fibre Channel): a different layout.
    fc = h("19 06 00 00 00 00 00 00")
    assert decode_mode_page(fc) == UnknownModePage(page_code=0x19, page_data=bytes(6))
    assert isinstance(decode_mode_page(h("59 01 0004 00 00 00 00")), UnknownModePage)


def test_scsi_debug_pages():
    d = sdeb_pages()
    assert d.problems == ()
    fmt = d.page(0x03)
    assert isinstance(fmt, FormatDevicePage)
    assert (fmt.sectors_per_track, fmt.data_bytes_per_physical_sector, fmt.hsec) == (0x3F, 512, True)
    # SAS-1.1's six-byte port page is not a problem: no REJECT TO OPEN LIMIT yet.
    port = d.page(0x19)
    assert (port.page_length, port.protocol_identifier, port.i_t_nexus_loss_time) == (6, 6, 2000)
    phys = d.page(0x19, 0x01)
    assert isinstance(phys, PhyControlAndDiscoverPage)
    assert (phys.generation_code, phys.number_of_phys) == (0, 2)
    first, second = phys.descriptors
    assert (first.phy_identifier, first.attached_sas_device_type, first.negotiated_logical_link_rate,
            first.attached_ssp_initiator_port, first.sas_address, first.attached_sas_address,
            first.attached_phy_identifier, first.programmed_minimum_physical_link_rate,
            first.hardware_maximum_physical_link_rate) == (
        0, 1, 9, True, 0x32222220000007CE, 0x3111111000000001, 2, 8, 9)
    assert (second.phy_identifier, second.sas_address, second.attached_phy_identifier) == (1, 0x32222220000007CF, 3)
    spc = d.page(0x19, 0x02)
    assert isinstance(spc, SharedPortControlPage) and spc.power_loss_timeout == 0x1000


def test_scsi_debug_current_changeable_default_pages():
    # modes_mm_sdeb: each page three times (current, changeable, default), behind one
    # header whose MODE DATA LENGTH covers the first 240 bytes only.  Zero (as in a MODE
    # SELECT list) means "all of the data".
    raw = h((INHEX / "modes_mm_sdeb.hex").read_text())
    d = decode_mode_parameters(bytes(2) + raw[2:], ten=True)
    assert d.problems == ()
    keys = [(p.page_code, p.subpage_code) for p in d.pages]
    assert keys == [k for k in [(1, 0), (2, 0), (3, 0), (8, 0), (0x0A, 0), (0x19, 0), (0x19, 1), (0x19, 2), (0x1C, 0)]
                    for _ in range(3)]
    # The changeable mask of a SAS page has PROTOCOL IDENTIFIER 0h (not changeable), which
    # is Fibre Channel's: only those stay undecoded.
    unknown = [(p.page_code, p.subpage_code) for i, p in enumerate(d.pages) if isinstance(p, UnknownModePage)]
    assert unknown == [(0x19, 0), (0x19, 1), (0x19, 2)]
    assert all(d.pages[i].page_data[0 if p.subpage_code == 0 else 3] & 0xF == 0
               for i, p in enumerate(d.pages) if isinstance(p, UnknownModePage))
    current, changeable, default = d.pages[0:3]
    assert (current.awre, current.read_retry_count, changeable.read_retry_count, default.read_retry_count) == (
        True, 11, 0, 11)


def test_count_field_follows_the_descriptors():
    one = SasPhyModeDescriptor(phy_identifier=0, sas_address=1)
    raw = PhyControlAndDiscoverPage(number_of_phys=7, descriptors=(one, one)).encode()
    assert raw[:8] == h("59 01 0064 00 06 00 02") and len(raw) == 8 + 96


def test_descriptor_of_the_wrong_kind_and_out_of_range_fields():
    with pytest.raises(UsageError, match=r"ApplicationTagPage.descriptors\[0\] is SasPhyModeDescriptor"):
        ApplicationTagPage(descriptors=(SasPhyModeDescriptor(),)).encode()
    with pytest.raises(UsageError, match=r"ApplicationTagDescriptor.logical_block_application_tag=65536 is out of range"):
        ApplicationTagPage(descriptors=(ApplicationTagDescriptor(logical_block_application_tag=0x10000),)).encode()
    with pytest.raises(UsageError, match=r"bo_mode=4 is out of range: allowed 0..3"):
        BackgroundOperationControlPage(bo_mode=4).encode()


def test_count_larger_than_the_page_is_a_problem():
    page = decode_mode_page(h("59 01 0004 00 06 00 03"))
    assert page.descriptors == ()
    assert page.problems == ("PhyControlAndDiscoverPage: number_of_phys is 3, room for 0 descriptors",)


# --- round trips over every layout page ---------------------------------------------------

def _fields(layout):
    kwargs = {}
    for row in layout:
        name, width = row[0], row[3]
        kwargs[name] = st.booleans() if width == 1 else st.integers(0, (1 << width) - 1)
    return kwargs


def _strategy(cls):
    kwargs = _fields(cls.LAYOUT)
    if "protocol_identifier" in kwargs:
        kwargs["protocol_identifier"] = st.just(6)
    if cls.DESCRIPTOR is not None:
        kwargs["descriptors"] = st.lists(st.builds(cls.DESCRIPTOR, **_fields(cls.DESCRIPTOR.LAYOUT)), max_size=3)
        if cls.COUNT_FIELD:
            kwargs.pop(cls.COUNT_FIELD)
    return st.builds(cls, **kwargs)


CLASSES = sorted({d.__self__ for d in MODE_PAGE_DECODERS.values()}, key=lambda c: (c.PAGE_CODE, c.SUBPAGE_CODE))


@given(page=st.one_of(*[_strategy(cls) for cls in CLASSES]))
def test_every_page_round_trips(page):
    again = decode_mode_page(page.encode())
    if page.COUNT_FIELD:
        page = type(page)(**{**{a: getattr(page, a) for a in ("descriptors",)},
                             **{row[0]: getattr(page, row[0]) for row in page.LAYOUT},
                             page.COUNT_FIELD: len(page.descriptors)})
    assert again == page
    assert again.problems == ()


# --- names ------------------------------------------------------------------------------

def test_names_by_page_and_subpage():
    assert mode_page_name(0x0A) == "Control"
    assert mode_page_name(0x0A, 0x06) == "Background operation control"
    assert mode_page_name(0x1C, 0x01) == "Background control"
    assert mode_page_name(0x19) == "Protocol specific port"
    assert mode_page_name(0x19, 0x01, protocol_identifier=6) == "Phy control and discover (SAS)"
    assert mode_page_name(0x0A, 0x09) == "reserved"
    assert mode_page_name(0x2C) == "vendor specific"


SG_MODES = shutil.which("sg_modes")


@pytest.mark.skipif(SG_MODES is None, reason="sg_modes not found (apt-get install sg3-utils)")
def test_names_agree_with_sg_modes():
    listed = subprocess.run([SG_MODES, "-l"], capture_output=True, text=True, check=True).stdout
    rows = re.findall(r"^ 0x([0-9a-f]{2})(?:,0x([0-9a-f]{2}))?\s+(.+?)\s*$", listed, re.M)
    theirs = {(int(p, 16), int(s, 16) if s else 0): name for p, s, name in rows if p != "3f"}
    assert theirs == MODE_PAGE_NAMES
    # The SAS transport group of ``sg_modes -p xxx`` (sg_modes' acronym listing).
    groups = subprocess.run([SG_MODES, "-p", "xxx"], capture_output=True, text=True).stdout
    sas = groups.split("transport: SAS:")[1].split("\n\n")[0]
    pairs = re.findall(r":\s+(.+?)\s+\[0x([0-9a-f]+)(?:,0x([0-9a-f]+))?\]", sas)
    theirs = {(int(p, 16), int(s, 16) if s else 0): name for name, p, s in pairs}
    assert theirs == SAS_MODE_PAGE_NAMES
    # Every page decoded here has a name sg_modes knows.
    assert set(MODE_PAGE_DECODERS) <= set(MODE_PAGE_NAMES) | set(SAS_MODE_PAGE_NAMES)
