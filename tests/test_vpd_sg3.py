"""Differential test: decode_vpd against sg3_utils' ``sg_vpd --inhex``.

Every ``vpd_*.hex`` of sg3_utils' inhex collection (real and manufactured device responses,
copied to tests/data/sg3-inhex; ``vpd_sdeb.hex`` holds twelve scsi_debug pages back to back)
and every page vector of test_decode_vpd_pages.py is decoded here and by sg_vpd.  sg_vpd's
text is parsed into ``(label, value)`` pairs; for each page a function lists the pairs the
decoded record implies, under sg_vpd's labels, and the pairs sg_vpd printed under those
labels must be exactly those, in order.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pytest

from sgframe.decode.vpd import DESIGNATOR_VIEWS, VPD_PAGE_ACRONYMS, UnknownVpdPage, decode_vpd
from sgframe.errors import UsageError

from test_decode_vpd_pages import VECTORS

SG_VPD = shutil.which("sg_vpd")
pytestmark = pytest.mark.skipif(SG_VPD is None, reason="sg_vpd not found (apt-get install sg3-utils)")

DATA = Path(__file__).parent / "data" / "sg3-inhex"

Pair = Tuple[str, Any]

# --- reading sg_vpd's text -----------------------------------------------------------

_WATTS = {"Gigawatts": 1e9, "Megawatts": 1e6, "Kilowatts": 1e3, "Watts": 1.0, "Milliwatts": 1e-3,
          "Microwatts": 1e-6}


def norm(value: Any) -> Any:
    """One comparable form for both sides: numbers as int or float, words lower case."""
    if isinstance(value, bool):
        return int(value)
    if not isinstance(value, str):
        return value
    v = value.strip()
    m = re.fullmatch(r"([\d.]+) (\w+watts|Watts)", v)
    if m:
        return round(float(m.group(1)) * _WATTS[m.group(2)], 6)
    m = re.fullmatch(r"(\d+\.\d+) %", v)
    if m:
        return float(m.group(1))
    m = re.fullmatch(r".*\[(0x[0-9a-f]+)\]", v)
    if m:
        return int(m.group(1), 16)
    m = re.match(r"(-?0x[0-9a-fA-F]+|-?\d+)(?=$|[\s\[(])", v)
    if m:
        return int(m.group(1), 16 if "x" in m.group(1) else 10)
    return {"yes": 1, "no": 0, "true": 1, "false": 0}.get(v.lower(), v.lower())


def parse_line(line: str) -> List[Pair]:
    s = line.strip()
    if not s:
        return []
    if re.fullmatch(r"([0-9a-f]{2} ){2,}.*", s):
        return []  # a hex dump (vendor specific and MD5 designators)
    m = re.fullmatch(r"(.*\(ms\)) (\d+)", s)
    if m:
        return [(m.group(1), m.group(2))]
    if (": " not in s or s.startswith("CSCD: ")) and re.fullmatch(r".* \[0x[0-9a-f]+\]", s):
        # A named code: "copy src or dst null LU, pdt=0 [0xc000]", "CSCD: SAS SSP [0xe9]".
        return [("", s)]
    pairs: List[Pair] = []
    # Pairs are separated by a comma or a run of spaces, but only where a label follows:
    # "vendor specific: scsi_debug      2000" is one pair.
    for seg in re.split(r"(?:,\s+|\s{2,})(?=[\w ()/\[-]+[:=])", s):
        # "[or device number: 0x4, function number: 0x3]": an aside split across segments.
        if seg.startswith("[") and "]" not in seg:
            seg = seg[1:]
        if seg.endswith("]") and "[" not in seg:
            seg = seg[:-1]
        if ": " in seg or seg.endswith(":"):
            key, _, value = seg.partition(":")
            pairs.append((key.strip(), value.strip()))
        elif "=" in seg:
            pairs.extend((k.strip(), v) for k, v in re.findall(r"([A-Za-z_][\w ()-]*?)=([^\s\]]+)", seg))
        else:
            pairs.append(("", seg))
    return pairs


def sg3_pairs(text: str) -> List[Pair]:
    return [pair for line in text.splitlines() for pair in parse_line(line)]


def sg_vpd(raw: bytes, tmp_path: Path) -> str:
    path = tmp_path / f"page_{raw[1]:02x}.hex"
    path.write_text(raw.hex(" "))
    out = subprocess.run([SG_VPD, f"--inhex={path}"], capture_output=True, text=True, timeout=30)
    return out.stdout


# --- what each decoded page says, under sg_vpd's labels --------------------------------

SG3_DESIGNATOR_TYPES = {
    0x0: "vendor specific [0x0]", 0x1: "T10 vendor identification", 0x2: "EUI-64 based", 0x3: "NAA",
    0x4: "Relative target port", 0x5: "Target port group", 0x6: "Logical unit group",
    0x7: "MD5 logical unit identifier", 0x8: "SCSI name string", 0x9: "Protocol specific port identifier",
    0xA: "UUID identifier",
}
SG3_TRANSPORTS = {0x5: "Internet SCSI (iSCSI)", 0x6: "Serial Attached SCSI Protocol (SPL-4)",
                  0x9: "USB Attached SCSI (UAS-2)", 0xA: "SCSI over PCI Express (SOP)"}
SG3_ASSOCIATIONS = {0: "Addressed logical unit", 1: "Target port", 2: "Target device that contains addressed lu"}


def designator_pairs(d) -> List[Pair]:
    out: List[Pair] = [("designator type", SG3_DESIGNATOR_TYPES[d.designator_type]), ("code set", d.code_set_name)]
    if d.protocol_identifier_name is not None:
        out.append(("transport", SG3_TRANSPORTS[d.protocol_identifier]))
    if d.designator_type == 0x0:
        out.append(("vendor specific", ""))  # a heading; sg_vpd dumps the bytes below it
    elif d.designator_type in (0x2, 0x3):
        out.append(("", d.identifier))
    elif d.designator_type == 0x1:
        out += [("vendor id", d.t10_vendor_identification), ("vendor specific", d.vendor_specific_identifier.decode())]
    elif d.designator_type in (0x4, 0x5, 0x6):
        key = SG3_DESIGNATOR_TYPES[d.designator_type]
        out.append((key, d.relative_target_port_identifier if d.designator_type == 4
                    else d.target_port_group if d.designator_type == 5 else d.logical_unit_group))
    elif d.designator_type == 0x8:
        # sg_vpd prints the string as it is, line breaks and all.
        out += [p for line in d.scsi_name_string.splitlines() for p in parse_line(line)]
    elif d.designator_type == 0xA:
        out.append(("Locally assigned UUID", d.uuid))
    elif d.designator_type == 0x9 and d.device_address is not None:
        out += [("USB device address", d.device_address), ("USB interface number", d.interface_number)]
    elif d.designator_type == 0x9 and d.routing_id is not None:
        # A PCIe routing ID is bus/function with ARI, bus/device/function without.
        rid = d.routing_id
        out += [("", "PCIe routing ID"), ("bus number", rid >> 8), ("function number", rid & 0xFF),
                ("or device number", (rid >> 3) & 0x1F), ("function number", rid & 0x7)]
    return out


def dev_id(p) -> List[Pair]:
    # sg_vpd groups the designators by association, in the order found within each.
    good = [d for d in p.designation_descriptors if not d.problems]
    out: List[Pair] = []
    for assoc in (0, 1, 2):
        group = [d for d in good if d.association == assoc]
        if group:
            out.append((SG3_ASSOCIATIONS[assoc], ""))
            for d in group:
                out += designator_pairs(d)
    return out


# sg_vpd 1.46 names B4h of a host managed zoned device (type 14h) by SSC's page, though it
# decodes the page as SBC's: map its names back to codes and compare those.
# sg_vpd 1.63 names B3h and B4h of a zoned disk (type 14h) by SSC's pages.
SG3_PAGE_CODES = {**VPD_PAGE_ACRONYMS, "adsn": 0xB3, "dtde": 0xB4}


def supported(p) -> List[Pair]:
    return [("", c) for c in p.supported_pages]


def flags(p, names: Dict[str, str]) -> List[Pair]:
    return [(label, getattr(p, field)) for label, field in names.items() if getattr(p, field) is not None]


# In the order sg_vpd prints them.
_UPPER = lambda *names: {n.upper(): n for n in names}  # noqa: E731
EXTENDED = {
    **_UPPER("activate_microcode", "spt", "grd_chk", "app_chk", "ref_chk", "uask_sup", "group_sup", "prior_sup",
             "headsup", "ordsup", "simpsup", "wu_sup", "crd_sup", "nv_sup", "v_sup", "no_pi_chk", "p_i_i_sup",
             "luiclr", "lu_coll_type", "r_sup", "rtd_sup", "hssrelef", "cbcs"),
    "Multi I_T nexus microcode download": "multi_i_t_nexus_microcode_download",
    "Extended self-test completion minutes": "extended_self_test_completion_minutes",
    **_UPPER("poa_sup", "hra_sup", "vsa_sup", "dms_valid"),
    "Maximum supported sense data length": "maximum_supported_sense_data_length",
    **_UPPER("ibs", "ias", "sac", "nrd1", "nrd0"),
    "Maximum inquiry change logs": "maximum_inquiry_change_logs",
    "Maximum mode page change logs": "maximum_mode_page_change_logs",
}

BLOCK_LIMITS = {
    "Write same non-zero (WSNZ)": "wsnz",
    "Maximum compare and write length": "maximum_compare_and_write_length",
    "Optimal transfer length granularity": "optimal_transfer_length_granularity",
    "Maximum transfer length": "maximum_transfer_length",
    "Optimal transfer length": "optimal_transfer_length",
    "Maximum prefetch transfer length": "maximum_prefetch_length",
    "Maximum unmap LBA count": "maximum_unmap_lba_count",
    "Maximum unmap block descriptor count": "maximum_unmap_block_descriptor_count",
    "Optimal unmap granularity": "optimal_unmap_granularity",
    "Unmap granularity alignment valid": "ugavalid",
    "Unmap granularity alignment": "unmap_granularity_alignment",
    "Maximum write same length": "maximum_write_same_length",
    "Maximum atomic transfer length": "maximum_atomic_transfer_length",
    "Atomic alignment": "atomic_alignment",
    "Atomic transfer length granularity": "atomic_transfer_length_granularity",
    "Maximum atomic transfer length with atomic boundary": "maximum_atomic_transfer_length_with_atomic_boundary",
    "Maximum atomic boundary size": "maximum_atomic_boundary_size",
}

PROVISIONING = {
    "Unmap command supported (LBPU)": "lbpu",
    "Write same (16) with unmap bit supported (LBPWS)": "lbpws",
    "Write same (10) with unmap bit supported (LBPWS10)": "lbpws10",
    "Logical block provisioning read zeros (LBPRZ)": "lbprz",
    "Anchored LBAs supported (ANC_SUP)": "anc_sup",
    "Threshold exponent": "threshold_exponent",
    "Descriptor present (DP)": "dp",
    "Minimum percentage": "minimum_percentage",
    "Provisioning type": "provisioning_type",
    "Threshold percentage": "threshold_percentage",
}


def provisioning(p) -> List[Pair]:
    out = flags(p, PROVISIONING)
    if p.provisioning_group_descriptor is not None:
        out += designator_pairs(p.provisioning_group_descriptor)
    return out


def scsi_ports(p) -> List[Pair]:
    out: List[Pair] = []
    for port in p.scsi_port_designation_descriptors:
        out.append(("Relative port", port.relative_port_identifier))
        if port.initiator_port_transportid is not None:
            out.append(("SAS address", port.initiator_port_transportid.sas_address))
        for d in port.target_port_descriptors:
            out += designator_pairs(d)
    return out


def third_party_copy(p) -> List[Pair]:
    out: List[Pair] = []
    for d in p.third_party_copy_descriptors:
        kind = d.third_party_copy_descriptor_type
        if kind == 0x0000:
            out += flags(d, {"Maximum range descriptors": "maximum_range_descriptors",
                             "Maximum inactivity timeout": "maximum_inactivity_timeout",
                             "Default inactivity timeout": "default_inactivity_timeout",
                             "Maximum token transfer size": "maximum_token_transfer_size",
                             "Optimal transfer count": "optimal_transfer_count"})
        elif kind == 0x0004:
            out += flags(d, {"Maximum CSCD descriptor count": "maximum_cscd_descriptor_count",
                             "Maximum segment descriptor count": "maximum_segment_descriptor_count",
                             "Maximum descriptor list length": "maximum_descriptor_list_length",
                             "Maximum inline data length": "maximum_inline_data_length"})
        elif kind == 0x0008:
            out += [("", c) for c in d.descriptor_type_codes]
        elif kind == 0x000C:
            out += [("", c) for c in d.cscd_descriptor_ids]
        elif kind == 0x8001:
            out += [("Total concurrent copies", d.total_concurrent_copies),
                    ("Maximum identified concurrent copies", d.maximum_identified_concurrent_copies),
                    ("Maximum segment length", d.maximum_segment_length),
                    ("Data segment granularity", 1 << d.data_segment_granularity),
                    ("Inline data granularity", 1 << d.inline_data_granularity)]
        elif kind == 0x0108:
            for r in d.rod_type_descriptors:
                out += [("ROD type", r.rod_type), ("Internal", r.ecpy_int), ("Token in", r.token_in),
                        ("Token out", r.token_out), ("Preference", r.preference_indication)]
    return out


def third_party_copy_sg3(pairs: List[Pair]) -> List[Pair]:
    # The command names sg_vpd prints under "Supported commands" are its own table's;
    # the decoded opcodes are checked by the vector test.  Drop those lines.
    out, skipping = [], False
    for key, value in pairs:
        if key in ("Supported commands", "Parameter data", "Supported descriptors",
                   "Supported CSCD IDs (above 0x7ff)", "General copy operations",
                   "Supported ROD token and ROD types", "Block Device ROD Token Limits",
                   "Copy group identifier"):
            skipping = key in ("Supported commands", "Copy group identifier")
            continue
        if not skipping:
            out.append((key, value))
    return out


def format_presets(p) -> List[Pair]:
    out: List[Pair] = []
    for f in p.format_preset_descriptors:
        out += [("Preset identifier", f.preset_identifier), ("schema type", f.schema_type),
                ("logical blocks per physical block exponent type", f.logical_blocks_per_physical_block_exponent),
                ("logical block length", f.logical_block_length),
                ("designed last LBA", f.designed_last_logical_block_address), ("FMPT_INFO", f.fmtpinfo),
                ("protection field usage", f.prot_field_usage),
                ("protection interval exponent", f.protection_interval_exponent)]
        if f.logical_blocks_per_zone is not None:
            out += [("low LBA conventional zones percentage", f.low_lba_conventional_zones_percentage / 10),
                    ("high LBA conventional zones percentage", f.high_lba_conventional_zones_percentage / 10),
                    ("logical blocks per zone", f.logical_blocks_per_zone)]
    return out


def constituents(p) -> List[Pair]:
    out: List[Pair] = []
    for c in p.constituent_descriptors:
        out += [("Constituent type", c.constituent_type), ("Constituent device type", c.constituent_device_type),
                ("Vendor_identification", c.t10_vendor_identification),
                ("Product_identification", c.product_identification),
                ("Product_revision_level", c.product_revision_level)]
        for s in c.constituent_specific_descriptors:
            if s.vpd_page is not None:
                out += PAGES[s.vpd_page.page_code](s.vpd_page)
    return out


PAGES: Dict[int, Callable[[Any], List[Pair]]] = {
    0x00: supported,
    0x80: lambda p: [("Unit serial number", p.product_serial_number)],
    0x83: dev_id,
    0x84: lambda p: [pair for i in p.software_interface_identifiers for pair in (
        ("IEEE Company_id", i.ieee_company_id),
        ("vendor specific extension id", i.vendor_specific_extension_identifier))],
    0x85: lambda p: [pair for d in p.network_service_descriptors for pair in (
        ("", SG3_ASSOCIATIONS[d.association]), ("Service type", d.service_type_name), ("", d.network_address))],
    0x86: lambda p: flags(p, EXTENDED),
    0x87: lambda p: [pair for d in p.mode_page_policy_descriptors for pair in (
        [("Policy page code", d.policy_page_code)]
        + ([("subpage code", d.policy_subpage_code)] if d.policy_subpage_code else [])
        + [("MLUS", d.mlus), ("Policy", d.mode_page_policy_name)])],
    0x88: scsi_ports,
    0x89: lambda p: [("SAT Vendor identification", p.sat_vendor_identification),
                     ("SAT Product identification", p.sat_product_identification),
                     ("SAT Product revision level", p.sat_product_revision_level),
                     ("Command code", p.command_code), ("model", p.ata_model_number),
                     ("serial number", p.ata_serial_number), ("firmware revision", p.ata_firmware_revision)],
    0x8A: lambda p: flags(p, {"Standby_y": "standby_y", "Standby_z": "standby_z", "Idle_c": "idle_c",
                              "Idle_b": "idle_b", "Idle_a": "idle_a",
                              **{f"{n} condition recovery time (ms)": f"{n.lower()}_condition_recovery_time"
                                 for n in ("Stopped", "Standby_z", "Standby_y", "Idle_a", "Idle_b", "Idle_c")}}),
    0x8B: constituents,
    0x8D: lambda p: [pair for d in p.power_consumption_descriptors for pair in (
        ("Power consumption identifier", d.power_consumption_identifier), ("Maximum power consumption", d.watts))],
    0x8F: third_party_copy,
    0x90: lambda p: [pair for d in p.logical_unit_information_descriptors for pair in (
        ("Relative port", d.relative_port_identifier), ("Protocol identifier", "SAS"),
        ("TLR control supported", d.tlr_control_supported))],
    0x91: lambda p: [pair for d in p.port_information_descriptors for pair in (
        [("Relative port", d.relative_port_identifier), ("power disable supported (pwr_d_s)", d.pwr_d_s)]
        + [q for phy in d.phy_descriptors for q in (("phy id", phy.phy_identifier),
                                                    ("SSP persistent capable", phy.ssp_persistent_capable))])],
    0x92: lambda p: [("", n) for n in p.feature_set_names],
    0xB0: lambda p: flags(p, BLOCK_LIMITS),
    0xB1: lambda p: flags(p, {"WABEREQ": "wabereq", "WACEREQ": "wacereq", "ZONED": "zoned", "BOCS": "bocs",
                              "FUAB": "fuab", "VBULS": "vbuls", "DEPOPULATION_TIME": "depopulation_time"}),
    0xB2: provisioning,
    0xB3: lambda p: flags(p, {"User data segment size": "user_data_segment_size",
                              "User data segment multiplier": "user_data_segment_multiplier"}),
    0xB4: lambda p: [pair for b in p.logical_block_length_descriptors for pair in (
        [("Logical block length", b.logical_block_length)]
        + [(n.upper(), getattr(b, n)) for n in ("p_i_i_sup", "no_pi_chk", "grd_chk", "app_chk", "ref_chk",
                                                 "t3ps", "t2ps", "t1ps", "t0ps")])],
    0xB5: lambda p: flags(p, {"Utilization type": "utilization_type", "Utilization units": "utilization_units",
                              "Utilization interval": "utilization_interval", "Utilization B": "utilization_b",
                              "Utilization A": "utilization_a"}),
    0xB6: lambda p: [(k, "not reported" if v == 0xFFFFFFFF else v) for k, v in flags(p, {
        "URSWRZ": "urswrz",
        "Optimal number of open sequential write preferred zones":
            "optimal_number_of_open_sequential_write_preferred_zones",
        "Optimal number of non-sequentially written sequential write preferred zones":
            "optimal_number_of_non_sequentially_written_sequential_write_preferred_zones",
        "Maximum number of open sequential write required zones":
            "maximum_number_of_open_sequential_write_required_zones"})],  # FFFFFFFFh: not reported
    0xB7: lambda p: flags(p, {
        "Maximum number of streams": "maximum_number_of_streams",
        "Optimal stream write size": "optimal_stream_write_size",
        "Stream granularity size": "stream_granularity_size",
        "Maximum scattered LBA range transfer length": "maximum_scattered_lba_range_transfer_length",
        "Maximum scattered LBA range descriptor count": "maximum_scattered_lba_range_descriptor_count",
        "Maximum scattered transfer length": "maximum_scattered_transfer_length"}),
    0xB8: format_presets,
    0xB9: lambda p: [pair for r in p.lba_range_descriptors for pair in (
        ("LBA range number", r.lba_range_number), ("number of storage elements", r.number_of_storage_elements),
        ("starting LBA", r.starting_lba), ("number of LBAs", r.number_of_lbas))],
}


def compare(raw: bytes, tmp_path: Path) -> None:
    page = decode_vpd(raw)
    text = sg_vpd(raw, tmp_path)
    assert text, f"sg_vpd printed nothing for page {raw[1]:#04x}"
    ours = [(k, norm(v)) for k, v in PAGES[raw[1]](page)]
    theirs = sg3_pairs(text)
    if not ours:
        # vpd_di_old_emc_symm.hex: a designator cut off by the page end; sg_vpd shows none.
        assert page.problems and not [k for k, _ in theirs if k == "designator type"], text
        return
    if raw[1] == 0x00:
        theirs = [("", SG3_PAGE_CODES[m]) for k, v in theirs for m in re.findall(r"\[(\w+)\]$", v)]
    if raw[1] == 0x8F:
        theirs = third_party_copy_sg3(theirs)
    keys = {k for k, _ in ours}
    if "" in keys:
        # Bare lines: section headings are sg_vpd's, not values.
        headings = {"Target port descriptor(s)", "Transport Id of initiator", "Constituent specific descriptors"}
        theirs = [(k, v) for k, v in theirs if k not in headings]
    assert [(k, norm(v)) for k, v in theirs if k in keys] == ours, text


def split_pages(raw: bytes) -> List[bytes]:
    pages, offset = [], 0
    while offset + 4 <= len(raw):
        end = offset + 4 + int.from_bytes(raw[offset + 2:offset + 4], "big")
        pages.append(raw[offset:end])
        offset = end
    return pages


def load(path: Path) -> bytes:
    text = "\n".join(line.split("#")[0] for line in path.read_text().splitlines())
    return bytes(int(tok, 16) for tok in text.split())


INHEX = sorted(DATA.glob("vpd_*.hex"))


def test_the_inhex_files_are_there():
    assert len(INHEX) == 14


@pytest.mark.parametrize("path", INHEX, ids=lambda p: p.stem)
def test_inhex_file_agrees_with_sg_vpd(path, tmp_path):
    raw = load(path)
    pages = split_pages(raw) if path.stem == "vpd_sdeb" else [raw]
    for page in pages:
        decoded = decode_vpd(page)
        if isinstance(decoded, UnknownVpdPage):
            # vpd_lbpro.hex: B5h of a tape drive is SSC's logical block protection page.
            assert decoded.peripheral_device_type == 0x01
            assert "(SSC)" in sg_vpd(page, tmp_path)
            continue
        compare(page, tmp_path)


@pytest.mark.parametrize("name", sorted(set(VECTORS) - {"cfa"}))
def test_vector_agrees_with_sg_vpd(name, tmp_path):
    compare(VECTORS[name], tmp_path)


def test_sg_vpd_does_not_decode_cfa_profile_information(tmp_path):
    # sg3_utils 1.46 only dumps 8Ch; the vector test holds our reading of it.
    assert "Only hex output supported" in sg_vpd(VECTORS["cfa"], tmp_path)


@pytest.mark.parametrize("zoned", [False, True], ids=["disk", "zoned"])
def test_emulated_disk_pages_agree_with_sg_vpd(zoned, tmp_path):
    from sgframe.emu import EmulatedDisk

    disk = EmulatedDisk(blocks=1 << 16, **({"zoned": True, "zone_size": 1 << 12} if zoned else {}))

    def page(code: int) -> bytes:
        reply = disk.respond(bytes((0x12, 0x01, code, 0x00, 0xFF, 0x00)), None, 255)
        assert reply.status == 0
        return reply.data

    listed = decode_vpd(page(0x00)).supported_pages
    assert (0xB6 in listed) is zoned
    for code in listed:
        if code == 0x8C:
            # sg_vpd only dumps 8Ch (test_sg_vpd_does_not_decode_cfa_profile_information).
            assert "Only hex output supported" in sg_vpd(page(code), tmp_path)
            continue
        compare(page(code), tmp_path)


# --- sg_vpd's per-association views of page 83h ------------------------------------------

DI_FILES = sorted(p for p in INHEX if p.stem.startswith(("vpd_di_", "vpd_dev_id")))


@pytest.mark.parametrize("view", sorted(DESIGNATOR_VIEWS))
@pytest.mark.parametrize("path", DI_FILES, ids=lambda p: p.stem)
def test_designator_views_agree_with_sg_vpd(path, view, tmp_path):
    raw = load(path)
    page = decode_vpd(raw).view(view)
    assert {d.association for d in page.designation_descriptors} <= {DESIGNATOR_VIEWS[view]}
    hexfile = tmp_path / "di.hex"
    hexfile.write_text(raw.hex(" "))
    text = subprocess.run([SG_VPD, f"--inhex={hexfile}", f"--page={view}"], capture_output=True, text=True,
                          timeout=30).stdout
    ours = [(k, norm(v)) for k, v in dev_id(page)]
    keys = {k for k, _ in ours} | {"designator type"}
    theirs = [(k, norm(v)) for k, v in sg3_pairs(text) if k in keys]
    assert theirs == ours, text
    # Only the chosen association's heading, when there is anything to show.
    headings = [h for a, h in SG3_ASSOCIATIONS.items() if h in text]
    assert headings == ([SG3_ASSOCIATIONS[DESIGNATOR_VIEWS[view]]] if ours else []), text


def test_designator_views_of_the_all_designators_file():
    page = decode_vpd(load(DATA / "vpd_di_all.hex"))
    counts = {name: len(page.view(name).designation_descriptors) for name in DESIGNATOR_VIEWS}
    assert counts == {"di_lu": 10, "di_port": 4, "di_target": 1}
    assert page.view("di_target").designation_descriptors[0].scsi_name_string.startswith("iqn.5886.com.acme")
    assert page.view("di_lu").raw == page.raw
    with pytest.raises(UsageError, match="'di_x' is not a view of page 83h: one of di_lu, di_port, di_target"):
        page.view("di_x")
    with pytest.raises(UsageError, match="association=3"):
        page.for_association(3)
