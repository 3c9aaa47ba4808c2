"""``rtpg`` and ``stpg``: asymmetric logical unit access (sg_rtpg, sg_stpg).

``rtpg`` reports the target port groups and their states; ``stpg`` sets states with SET
TARGET PORT GROUPS, naming groups by id or, like sg_stpg, ports by relative target port
identifier (looked up in a REPORT TARGET PORT GROUPS first).
"""
from __future__ import annotations

import argparse
from typing import Any

from ..command import ReportTargetPortGroups, SetTargetPortGroups
from ..decode.alua import ASYMMETRIC_ACCESS_STATE_NAMES, decode_report_target_port_groups
from ..errors import UsageError
from ..params import set_target_port_groups_parameters
from .base import Subcommand, warn
from .device import add_device, add_readonly, open_channel, parse_int
from .output import print_json
from .response import add_response_options, emit_undecoded
from .safety import add_safety, guard_medium

__all__ = ["RTPG", "STPG", "rtpg_lines", "STATE_ACRONYMS"]

#: sg_stpg's acronyms for the states SET TARGET PORT GROUPS can set (SPC-5 6.44).
STATE_ACRONYMS = {"ao": 0x0, "an": 0x1, "s": 0x2, "u": 0x3, "o": 0xE}
_STATE_OPTIONS = (("optimized", 0x0), ("active", 0x1), ("standby", 0x2), ("unavailable", 0x3), ("offline", 0xE))


def _rtpg_fmt(record: Any) -> list[int]:
    """Each descriptor's RTPG_FMT (byte 0 bits 6-4, SPC-5 table 180), which sg_rtpg prints
    and the decoded record leaves in the raw bytes: the descriptors are walked as the
    decoder walks them."""
    raw, found = record.raw, []
    offset = 8 if record.format_type == 1 else 4
    for g in record.target_port_groups:
        found.append(raw[offset] >> 4 & 0x7 if offset < len(raw) else 0)
        offset += 8 + 4 * len(g.relative_target_port_identifiers)
    return found


def rtpg_lines(record: Any, decode: bool = False) -> list[str]:
    """REPORT TARGET PORT GROUPS data in sg_rtpg's layout (``decode``: with the state and
    status named, as ``sg_rtpg --decode``)."""
    lines = ["Report target port groups:"]
    if record.format_type == 1:
        lines.append(f"  Implicit transition time: {record.implicit_transition_time}")
    for g, rtpg_fmt in zip(record.target_port_groups, _rtpg_fmt(record)):
        lines.append(f"  target port group id : 0x{g.target_port_group:x} , Pref={int(g.pref)}, "
                     f"Rtpg_fmt={rtpg_fmt}")
        state = f"0x{g.asymmetric_access_state:02x}"
        if decode:
            state += f" ({g.asymmetric_access_state_name})"
        lines.append(f"    target port group asymmetric access state : {state}")
        lines.append(f"    T_SUP : {int(g.t_sup)}, O_SUP : {int(g.o_sup)}, LBD_SUP : {int(g.lbd_sup)}, "
                     f"U_SUP : {int(g.u_sup)}, S_SUP : {int(g.s_sup)}, AN_SUP : {int(g.an_sup)}, "
                     f"AO_SUP : {int(g.ao_sup)}")
        status = f"0x{g.status_code:02x}" + (f" ({g.status_code_name})" if decode else "")
        lines.append(f"    status code : {status}")
        lines.append(f"    vendor unique status : 0x{g.vendor_specific:02x}")
        lines.append(f"    target port count : {g.target_port_count:02x}")
        lines.append("    Relative target port ids:")
        lines.extend(f"      0x{port:02x}" for port in g.relative_target_port_identifiers)
    return lines


def _report(channel: Any, extended: bool) -> tuple[bytes, Any]:
    data = channel.execute(ReportTargetPortGroups(parameter_data_format=1 if extended else 0)).data
    return data, decode_report_target_port_groups(data)


def _run_rtpg(args: argparse.Namespace) -> int:
    with open_channel(args) as channel:
        data, record = _report(channel, args.extended)
    if emit_undecoded(args, data):
        return 0
    if args.json:
        print_json(record)
    else:
        print("\n".join(rtpg_lines(record, args.decode)))
        # What the data does not hold goes to stderr: LIO's extended format, for one,
        # counts its port identifiers out of RETURN DATA LENGTH (sg_rtpg reads past it).
        for problem in record.problems:
            warn(problem, "rtpg")
    return 0


def _rtpg_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-d", "--decode", action="store_true", help="name the access states and status codes")
    parser.add_argument("-e", "--extended", action="store_true", help="ask for the extended header format")
    add_readonly(parser, "-R")
    add_response_options(parser, "the response")


RTPG = Subcommand(
    name="rtpg", help="REPORT TARGET PORT GROUPS: ALUA states (sg_rtpg)",
    add_arguments=_rtpg_arguments, run=_run_rtpg,
)


def _states(args: argparse.Namespace) -> list[int]:
    chosen = [state for option, state in _STATE_OPTIONS if getattr(args, option)]
    if args.state:
        if chosen:
            raise UsageError("--state and a state option (--optimized ...) exclude each other")
        for word in args.state.split(","):
            w = word.strip().lower()
            if w in STATE_ACRONYMS:
                chosen.append(STATE_ACRONYMS[w])
                continue
            try:
                chosen.append(parse_int(w))
            except argparse.ArgumentTypeError:
                raise UsageError(f"--state {word!r}: a number or one of {', '.join(STATE_ACRONYMS)}") from None
    if len(chosen) > 1 and not args.state:
        raise UsageError("give one state option, or --state S,S,... for several ports")
    if not chosen:
        raise UsageError("give a state: --optimized, --active, --standby, --unavailable, --offline or --state")
    return chosen


def _run_stpg(args: argparse.Namespace) -> int:
    if not args.tp:
        raise UsageError("--tp names the target port groups (or, with --offline, relative target ports)")
    try:
        ids = [parse_int(word) for word in args.tp.split(",")]
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"--tp: {exc}") from None
    states = _states(args)
    if len(states) == 1:
        states *= len(ids)
    if len(states) != len(ids):
        raise UsageError(f"--tp names {len(ids)} ports or groups, --state {len(states)} states")
    guard_medium(args, "SET TARGET PORT GROUPS")
    with open_channel(args) as channel:
        data, record = _report(channel, False)
        if emit_undecoded(args, data):
            return 0
        by_port = {port: g.target_port_group for g in record.target_port_groups
                   for port in g.relative_target_port_identifiers}
        pairs = []
        for ident, state in zip(ids, states):
            if state == 0xE:
                # SPC-5: offline is set on a target port, which sg_stpg names by its
                # relative target port identifier; the descriptor carries its group.
                if ident not in by_port:
                    raise UsageError(f"relative target port 0x{ident:x} is in no target port group")
                ident = by_port[ident]
            pairs.append((ident, state))
        payload = set_target_port_groups_parameters(pairs)
        channel.execute(SetTargetPortGroups(parameter_list_length=len(payload)), data=payload)
    result = [{"target_port_group": g, "asymmetric_access_state": s,
               "asymmetric_access_state_name": ASYMMETRIC_ACCESS_STATE_NAMES.get(s, "reserved")} for g, s in pairs]
    if args.json:
        print_json({"set": result})
    else:
        for item in result:
            print(f"target port group 0x{item['target_port_group']:x}: set to "
                  f"{item['asymmetric_access_state_name']}")
    return 0


def _stpg_arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-o", "--optimized", action="store_true", help="set active/optimized")
    parser.add_argument("-a", "--active", action="store_true", help="set active/non-optimized")
    parser.add_argument("-s", "--standby", action="store_true", help="set standby")
    parser.add_argument("-u", "--unavailable", action="store_true", help="set unavailable")
    parser.add_argument("-l", "-O", "--offline", action="store_true",
                        help="set offline (--tp then names relative target ports)")
    parser.add_argument("-S", "--state", metavar="S,S...", help="states: numbers or ao, an, s, u, o")
    parser.add_argument("-t", "--tp", metavar="P,P...", help="target port group ids")
    add_safety(parser, whole_device=False)
    add_response_options(parser, "the REPORT TARGET PORT GROUPS response (then exit)")


STPG = Subcommand(
    name="stpg", help="SET TARGET PORT GROUPS: change ALUA states (sg_stpg)",
    add_arguments=_stpg_arguments, run=_run_stpg,
)
