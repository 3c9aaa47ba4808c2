"""``persist``: PERSISTENT RESERVE IN and OUT, with sg_persist's options and output.

PR In reads the registered keys (the default), the reservation, the capabilities or the
full status; PR Out registers, reserves, releases, clears, preempts. A reservation taken on
a disk the host is using can fence the host off its own filesystem, so every PR Out action
keeps the mounted-device safety of ``write``.
PR Out, like sg_persist -n, prints nothing when it succeeds (``--json`` says what was done).
"""
from __future__ import annotations

import argparse
from typing import Any

from ..command import Inquiry, PersistentReserveIn, PersistentReserveOut, PrInServiceAction, PrOutServiceAction
from ..decode import decode_inquiry
from ..decode.transport_id import fc_transport_id, iscsi_transport_id, sas_transport_id
from ..errors import UsageError
from ..params import pr_out_parameters, pr_out_register_and_move
from .base import Subcommand
from .decoders import parse_hex
from .device import add_device, open_channel, parse_int
from .output import print_json, to_jsonable
from .response import add_response_options, emit_undecoded
from .safety import add_safety, guard_medium

__all__ = ["PERSIST", "PR_TYPE_NAMES", "parse_transport_ids", "keys_lines", "reservation_lines", "full_status_lines",
           "capabilities_lines"]

#: sg_persist's words for the TYPE field (SPC-5 table 194); the gaps are obsolete types.
PR_TYPE_NAMES = {
    0: "obsolete [0]", 1: "Write Exclusive", 2: "obsolete [2]", 3: "Exclusive Access", 4: "obsolete [4]",
    5: "Write Exclusive, registrants only", 6: "Exclusive Access, registrants only",
    7: "Write Exclusive, all registrants", 8: "Exclusive Access, all registrants",
}
_SCOPE_NAMES = {0: "LU_SCOPE", 1: "obsolete scope", 2: "element scope"}

# (option, short, service action, help); the first of each group is the default.
_IN_ACTIONS = (
    ("read-keys", "-k", PrInServiceAction.READ_KEYS, "PR In: read keys (default)"),
    ("read-reservation", "-r", PrInServiceAction.READ_RESERVATION, "PR In: read reservation"),
    ("report-capabilities", "-c", PrInServiceAction.REPORT_CAPABILITIES, "PR In: report capabilities"),
    ("read-full-status", "-s", PrInServiceAction.READ_FULL_STATUS, "PR In: read full status"),
)
_OUT_ACTIONS = (
    ("register", "-G", PrOutServiceAction.REGISTER, "PR Out: register (--param-sark is the new key)"),
    ("reserve", "-R", PrOutServiceAction.RESERVE, "PR Out: reserve (--param-rk, --prout-type)"),
    ("release", "-L", PrOutServiceAction.RELEASE, "PR Out: release (--param-rk, --prout-type)"),
    ("clear", "-C", PrOutServiceAction.CLEAR, "PR Out: clear every registration and the reservation"),
    ("preempt", "-P", PrOutServiceAction.PREEMPT, "PR Out: preempt (--param-sark is the preempted key)"),
    ("preempt-abort", "-A", PrOutServiceAction.PREEMPT_AND_ABORT, "PR Out: preempt and abort"),
    ("register-ignore", "-I", PrOutServiceAction.REGISTER_AND_IGNORE_EXISTING_KEY,
     "PR Out: register and ignore existing key"),
    ("register-move", "-M", PrOutServiceAction.REGISTER_AND_MOVE,
     "PR Out: register and move (--transport-id, --relative-target-port)"),
    ("replace-lost", "-x", PrOutServiceAction.REPLACE_LOST_RESERVATION, "PR Out: replace lost reservation"),
)


def _hex_key(text: str) -> int:
    """sg_persist reads keys in hex, with or without 0x."""
    t = text.strip().lower()
    try:
        value = int(t[2:] if t.startswith("0x") else t.rstrip("h"), 16)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a hex reservation key") from None
    if not 0 <= value < 1 << 64:
        raise argparse.ArgumentTypeError(f"a reservation key is 8 bytes, {text!r} is more")
    return value


def parse_transport_ids(text: str) -> list[bytes]:
    """TransportIDs as sg_persist's --transport-id takes them: ``sas,ADDR``, ``fcp,NAME``,
    ``iqn.…`` (an iSCSI name), or the bytes in hex; several separated by ``;``.

    :raises UsageError: a form none of these.
    """
    ids = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        low = item.lower()
        try:
            if low.startswith("sas,"):
                ids.append(sas_transport_id(int(item[4:], 16)))
            elif low.startswith("fcp,"):
                ids.append(fc_transport_id(int(item[4:], 16)))
            elif low.startswith(("iqn.", "eui.", "naa.")):
                ids.append(iscsi_transport_id(item))
            else:
                raw = parse_hex(item.replace(",", " ").split(), "--transport-id")
                ids.append(raw.ljust(max(24, -(-len(raw) // 4) * 4), b"\0"))
        except ValueError:
            raise UsageError(f"--transport-id {item!r}: give sas,ADDR or fcp,NAME in hex, an iSCSI name "
                             "(iqn....) or the TransportID's bytes in hex") from None
    if not ids:
        raise UsageError("--transport-id names no TransportID")
    return ids


def keys_lines(record: Any) -> list[str]:
    """READ KEYS as sg_persist prints it."""
    keys = record.reservation_keys
    head = f"  PR generation=0x{record.prgeneration or 0:x}, "
    if not keys:
        return [head + "there are NO registered reservation keys"]
    lines = [head + f"{len(keys)} registered reservation key{'s' if len(keys) != 1 else ''} follow{'' if len(keys) != 1 else 's'}:"]
    return lines + [f"    0x{key:x}" for key in keys]


def reservation_lines(record: Any) -> list[str]:
    """READ RESERVATION as sg_persist prints it."""
    head = f"  PR generation=0x{record.prgeneration or 0:x}, "
    if record.reservation_key is None:
        return [head + "there is NO reservation held"]
    return [head + "Reservation follows:", f"    Key=0x{record.reservation_key:x}",
            "    " + _scope_and_type(record.scope, record.type)]


# REPORT CAPABILITIES fields in sg_persist's words and order; the type mask bits after.
_CAPABILITIES = (("Replace Lost Reservation Capable(RLR_C)", "rlr_c"), ("Compatible Reservation Handling(CRH)", "crh"),
                 ("Specify Initiator Ports Capable(SIP_C)", "sip_c"), ("All Target Ports Capable(ATP_C)", "atp_c"),
                 ("Persist Through Power Loss Capable(PTPL_C)", "ptpl_c"), ("Type Mask Valid(TMV)", "tmv"),
                 ("Allow Commands", "allow_commands"), ("Persist Through Power Loss Active(PTPL_A)", "ptpl_a"))
_TYPE_MASK = (("Write Exclusive, all registrants", "wr_ex_ar"), ("Exclusive Access, registrants only", "ex_ac_ro"),
              ("Write Exclusive, registrants only", "wr_ex_ro"), ("Exclusive Access", "ex_ac"),
              ("Write Exclusive", "wr_ex"), ("Exclusive Access, all registrants", "ex_ac_ar"))


def capabilities_lines(record: Any) -> list[str]:
    """REPORT CAPABILITIES as sg_persist prints it (the type mask only when TMV is set)."""
    lines = ["Report capabilities response:"]
    lines += [f"  {words}: {int(getattr(record, name) or 0)}" for words, name in _CAPABILITIES]
    if record.tmv:
        lines.append("    Support indicated in Type mask:")
        lines += [f"      {words}: {int(bool(getattr(record, name)))}" for words, name in _TYPE_MASK]
    return lines


def full_status_lines(record: Any) -> list[str]:
    """READ FULL STATUS as sg_persist prints it."""
    lines = [f"  PR generation=0x{record.prgeneration or 0:x}"]
    if not record.full_status_descriptors:
        return lines + ["  No full status descriptors"]
    for d in record.full_status_descriptors:
        lines.append(f"    Key=0x{d.reservation_key:x}")
        if d.all_tg_pt:
            lines.append("      All target ports bit set")
        else:
            lines += ["      All target ports bit clear",
                      f"      Relative port address: 0x{d.relative_target_port_identifier:x}"]
        if d.r_holder:
            lines += ["      << Reservation holder >>", "      " + _scope_and_type(d.scope, d.type)]
        else:
            lines.append("      not reservation holder")
        if d.transport_id is not None:
            lines += ["      Transport Id of initiator:", "        " + _transport_id_text(d.transport_id)]
    return lines


def _scope_and_type(scope: int, rtype: int) -> str:
    return (f"scope: {_SCOPE_NAMES.get(scope, f'reserved [0x{scope:x}]')},  "
            f"type: {PR_TYPE_NAMES.get(rtype, f'reserved [0x{rtype:x}]')}")


def _transport_id_text(tid: Any) -> str:
    if tid.sas_address is not None:
        return f"SAS address: 0x{tid.sas_address:016x}"
    if tid.iscsi_name is not None:
        return f"iSCSI {'name and session id' if tid.format_code == 1 else 'name'}: {tid.iscsi_name}"
    if tid.n_port_name is not None:
        return f"FCP-2 World Wide Name: 0x{tid.n_port_name:016x}"
    return f"{tid.protocol_identifier_name}: {tid.raw.hex()}"


def _one(args: argparse.Namespace, actions: tuple) -> list:
    return [a for a in actions if getattr(args, a[0].replace("-", "_"))]


def _run(args: argparse.Namespace) -> int:
    ins, outs = _one(args, _IN_ACTIONS), _one(args, _OUT_ACTIONS)
    if len(ins) + len(outs) > 1:
        raise UsageError("give one PR action, not " + ", ".join("--" + a[0] for a in ins + outs))
    if args.in_ and (args.out or outs):
        raise UsageError("--in and a PR Out action (--out, --register ...) exclude each other")
    if args.out and not outs:
        raise UsageError("--out needs a PR Out action: " + ", ".join("--" + a[0] for a in _OUT_ACTIONS))
    if outs:
        return _run_out(args, outs[0])
    return _run_in(args, (ins or _IN_ACTIONS[:1])[0])


def _inquiry_header(channel: Any) -> list[str]:
    inq = decode_inquiry(channel.execute(Inquiry(allocation_length=36)).data)
    return [f"  {inq.vendor_identification or '':<8}  {inq.product_identification or '':<16}  "
            f"{inq.product_revision_level or '':<4}".rstrip(),
            f"  Peripheral device type: {inq.peripheral_device_type_name or 'unknown'}"]


def _run_in(args: argparse.Namespace, action: tuple) -> int:
    name, _, service_action, _ = action
    with open_channel(args) as channel:
        header = [] if args.no_inquiry or args.json or args.hex else _inquiry_header(channel)
        io = channel.execute(PersistentReserveIn(service_action=service_action, allocation_length=args.maxlen))
    record = io.result
    if emit_undecoded(args, io.data):
        return 0
    if args.json:
        print_json({"service_action": service_action.name.lower(), **to_jsonable(record)})
        return 0
    for line in header:
        print(line)
    if service_action == PrInServiceAction.READ_KEYS:
        print("\n".join(keys_lines(record)))
    elif service_action == PrInServiceAction.READ_RESERVATION:
        print("\n".join(reservation_lines(record)))
    elif service_action == PrInServiceAction.READ_FULL_STATUS:
        print("\n".join(full_status_lines(record)))
    else:
        print("\n".join(capabilities_lines(record)))
    return 0


def _run_out(args: argparse.Namespace, action: tuple) -> int:
    name, _, service_action, _ = action
    guard_medium(args, f"PERSISTENT RESERVE OUT ({service_action.name.replace('_', ' ')})")
    tids = parse_transport_ids(args.transport_id) if args.transport_id else []
    if service_action == PrOutServiceAction.REGISTER_AND_MOVE:
        if len(tids) != 1 or args.relative_target_port is None:
            raise UsageError("--register-move needs one --transport-id and --relative-target-port")
        data = pr_out_register_and_move(args.param_rk, args.param_sark, tids[0],
                                        relative_target_port_identifier=args.relative_target_port,
                                        unreg=args.unreg, aptpl=args.param_aptpl)
    else:
        data = pr_out_parameters(args.param_rk, args.param_sark, spec_i_pt=bool(tids),
                                 all_tg_pt=args.param_alltgpt, aptpl=args.param_aptpl, transport_ids=tids)
    command = PersistentReserveOut(service_action=service_action, type=args.prout_type,
                                   parameter_list_length=len(data))
    with open_channel(args) as channel:
        channel.execute(command, data=data)
    if args.json:
        print_json({"service_action": service_action.name.lower(), "done": True, "param_rk": args.param_rk,
                    "param_sark": args.param_sark, "prout_type": args.prout_type})
    return 0


def _prout_type(text: str) -> int:
    value = parse_int(text)
    if not 0 <= value <= 0xF:
        raise argparse.ArgumentTypeError(f"--prout-type is 0..15, got {text}")
    return value


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_device(parser)
    parser.add_argument("-i", "--in", dest="in_", action="store_true", help="PR In command (default)")
    parser.add_argument("-o", "--out", action="store_true", help="PR Out command")
    for option, short, _, text in _IN_ACTIONS + _OUT_ACTIONS:
        # sg_persist takes --read-status for --read-full-status too.
        aliases = ("--read-status",) if option == "read-full-status" else ()
        parser.add_argument(short, f"--{option}", *aliases, action="store_true", help=text)
    parser.add_argument("-K", "--param-rk", type=_hex_key, default=0, metavar="RK", help="reservation key (hex)")
    parser.add_argument("-S", "--param-sark", type=_hex_key, default=0, metavar="SARK",
                        help="service action reservation key (hex)")
    parser.add_argument("-T", "--prout-type", type=_prout_type, default=0, metavar="TYPE",
                        help="PR Out TYPE: 1 write exclusive, 3 exclusive access, 5/6 registrants only, "
                             "7/8 all registrants")
    parser.add_argument("-X", "--transport-id", metavar="TIDS",
                        help="TransportIDs (sas,ADDR; fcp,NAME; iqn.NAME; or hex), ';' between several")
    parser.add_argument("-Y", "--param-alltgpt", action="store_true", help="PR Out ALL_TG_PT")
    parser.add_argument("-Z", "--param-aptpl", action="store_true", help="PR Out APTPL (persist through power loss)")
    parser.add_argument("-Q", "--relative-target-port", type=parse_int, metavar="RTPI",
                        help="relative target port identifier (--register-move)")
    parser.add_argument("-U", "--unreg", action="store_true", help="UNREG with --register-move")
    parser.add_argument("-m", "--maxlen", "--alloc-length", type=parse_int, default=8192, metavar="LEN",
                        help="PR In allocation length (default 8192)")
    parser.add_argument("-n", "--no-inquiry", action="store_true", help="skip the INQUIRY header")
    add_safety(parser, whole_device=False)
    # sg_persist's -r is --read-reservation: no -r/--raw here.
    add_response_options(parser, "the PR In response", raw=False)


PERSIST = Subcommand(
    name="persist", help="PERSISTENT RESERVE IN/OUT: keys, reservations (sg_persist)",
    add_arguments=_arguments, run=_run,
    description="PERSISTENT RESERVE IN (read keys by default) or OUT, with sg_persist's options.",
)
