"""Operational parameter negotiation: RFC 7143 chapter 13's keys and 6.2's result rules.

Each key has a *result function*. The initiator offers a value; the target answers, and
its answer must be one the function allows (RFC 7143 6.2.1):

- Boolean AND (ImmediateData): offered No -> the answer must be No.
- Boolean OR (InitialR2T, DataPDUInOrder, DataSequenceInOrder): offered Yes -> Yes.
- Numerical minimum (MaxBurstLength, FirstBurstLength, MaxOutstandingR2T,
  ErrorRecoveryLevel, DefaultTime2Retain, MaxConnections): answer <= offer.
- Numerical maximum (DefaultTime2Wait): answer >= offer.
- List (HeaderDigest, DataDigest): the answer is one of the offered values.
- Declarative (MaxRecvDataSegmentLength): no negotiation; each side states what it
  receives, so the value differs per direction.

A key the target offers first gets our answer by the same function. ``Reject``,
``Irrelevant`` and ``NotUnderstood`` leave the key at its default. An answer outside the
rule, or out of the key's range, fails the login (:class:`NegotiationFailed`): RFC 7143
6.2 says such a negotiation is a protocol error.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import attrs

from .errors import NegotiationFailed

__all__ = ["KEYS", "Key", "Negotiation", "Parameters", "offered_keys"]

_SPECIAL = ("Reject", "Irrelevant", "NotUnderstood")


@attrs.frozen
class Key:
    """One operational key: its RFC 7143 name, result function, range and default."""

    name: str
    rule: str  # "and", "or", "min", "max", "list", "declarative"
    default: Any
    low: int = 0
    high: int = 0
    attribute: str = ""

    def parse(self, text: str) -> Any:
        if self.rule in ("and", "or"):
            if text not in ("Yes", "No"):
                raise NegotiationFailed("%s=%s: the value must be Yes or No" % (self.name, text))
            return text == "Yes"
        if self.rule in ("min", "max", "declarative"):
            try:
                value = int(text, 0) if text[:2].lower() == "0x" else int(text)
            except ValueError:
                raise NegotiationFailed("%s=%s: not a number" % (self.name, text)) from None
            if not self.low <= value <= self.high:
                raise NegotiationFailed("%s=%d: outside %d..%d (RFC 7143 13)" % (
                    self.name, value, self.low, self.high))
            return value
        return text

    def format(self, value: Any) -> str:
        if self.rule in ("and", "or"):
            return "Yes" if value else "No"
        if self.rule == "list":
            return ",".join(value) if isinstance(value, (list, tuple)) else value
        return str(value)

    def answer(self, ours: Any, theirs_text: str) -> Any:
        """Our result for a key the target offered first."""
        if self.rule == "list":
            wanted = ours if isinstance(ours, (list, tuple)) else [ours]
            for value in theirs_text.split(","):
                if value in wanted:
                    return value
            return "Reject"
        theirs = self.parse(theirs_text)
        return _combine(self.rule, ours, theirs)

    def check(self, offered: Any, answer_text: str) -> Any:
        """The result of our offer, from the target's answer; NegotiationFailed if the
        answer breaks the rule."""
        if self.rule == "list":
            allowed = offered if isinstance(offered, (list, tuple)) else [offered]
            if answer_text not in allowed:
                raise NegotiationFailed("%s=%s: we offered %s; the answer must be one of them"
                                        % (self.name, answer_text, ",".join(allowed)))
            return answer_text
        answer = self.parse(answer_text)
        if self.rule != "declarative" and _combine(self.rule, offered, answer) != answer:
            raise NegotiationFailed("%s=%s breaks the %s rule for our offer %s (RFC 7143 6.2)"
                                    % (self.name, answer_text, _RULE_NAMES[self.rule],
                                       self.format(offered)))
        return answer


_RULE_NAMES = {"and": "Boolean AND", "or": "Boolean OR", "min": "numerical minimum",
               "max": "numerical maximum"}


def _combine(rule: str, ours: Any, theirs: Any) -> Any:
    if rule == "and":
        return bool(ours and theirs)
    if rule == "or":
        return bool(ours or theirs)
    if rule == "min":
        return min(ours, theirs)
    if rule == "max":
        return max(ours, theirs)
    return theirs


_LEN = (512, 2 ** 24 - 1)

#: Every operational key of RFC 7143 chapter 13 the initiator negotiates, with its
#: default; ``attribute`` is the :class:`Parameters` field that holds the result.
KEYS: Dict[str, Key] = {k.name: k for k in (
    Key("HeaderDigest", "list", "None", attribute="header_digest"),
    Key("DataDigest", "list", "None", attribute="data_digest"),
    Key("MaxConnections", "min", 1, 1, 65535, "max_connections"),
    Key("InitialR2T", "or", True, attribute="initial_r2t"),
    Key("ImmediateData", "and", True, attribute="immediate_data"),
    Key("MaxRecvDataSegmentLength", "declarative", 8192, *_LEN, "target_max_recv_data_segment_length"),
    Key("MaxBurstLength", "min", 262144, *_LEN, "max_burst_length"),
    Key("FirstBurstLength", "min", 65536, *_LEN, "first_burst_length"),
    Key("DefaultTime2Wait", "max", 2, 0, 3600, "default_time2wait"),
    Key("DefaultTime2Retain", "min", 20, 0, 3600, "default_time2retain"),
    Key("MaxOutstandingR2T", "min", 1, 1, 65535, "max_outstanding_r2t"),
    Key("DataPDUInOrder", "or", True, attribute="data_pdu_in_order"),
    Key("DataSequenceInOrder", "or", True, attribute="data_sequence_in_order"),
    Key("ErrorRecoveryLevel", "min", 0, 0, 2, "error_recovery_level"),
    # RFC 3720's markers, obsolete in RFC 7143 (13.25) but still offered by old targets.
    Key("IFMarker", "and", False),
    Key("OFMarker", "and", False),
)}

#: Keys a Discovery session negotiates; the rest are irrelevant there (RFC 7143 13.4).
DISCOVERY_KEYS = ("HeaderDigest", "DataDigest", "MaxRecvDataSegmentLength",
                  "DefaultTime2Wait", "DefaultTime2Retain", "ErrorRecoveryLevel")

#: Keys the target states about itself; recorded, never answered.
_TARGET_DECLARES = ("TargetAlias", "TargetPortalGroupTag", "TargetAddress", "TargetName")


@attrs.frozen
class Parameters:
    """The operational parameters in force after login (RFC 7143 defaults until then).

    ``max_recv_data_segment_length`` is what we declared (the largest data segment the
    target may send us); ``target_max_recv_data_segment_length`` what the target
    declared (the largest we may send it: immediate data, Data-Out, text).
    """

    header_digest: str = "None"
    data_digest: str = "None"
    max_connections: int = 1
    initial_r2t: bool = True
    immediate_data: bool = True
    max_recv_data_segment_length: int = 8192
    target_max_recv_data_segment_length: int = 8192
    max_burst_length: int = 262144
    first_burst_length: int = 65536
    default_time2wait: int = 2
    default_time2retain: int = 20
    max_outstanding_r2t: int = 1
    data_pdu_in_order: bool = True
    data_sequence_in_order: bool = True
    error_recovery_level: int = 0
    target_alias: str = ""
    target_portal_group_tag: int = 0

    def to_dict(self) -> Dict[str, Any]:
        return attrs.asdict(self)


def offered_keys(offer: Dict[str, Any], discovery: bool) -> List[Tuple[str, str]]:
    """The operational keys of our first Login Request in the operational stage."""
    names = DISCOVERY_KEYS if discovery else [n for n in KEYS if n not in ("IFMarker", "OFMarker")]
    return [(n, KEYS[n].format(offer[n])) for n in names if n in offer]


class Negotiation:
    """One login's operational negotiation.

    :param offer: our value for each key (RFC 7143 names; lists for the digests in
        order of preference); ``MaxRecvDataSegmentLength`` is our declaration.
    :param discovery: a Discovery session (fewer keys are relevant).
    """

    def __init__(self, offer: Dict[str, Any], discovery: bool = False) -> None:
        self.offer = dict(offer)
        self.discovery = discovery
        self.pending = {n for n, _ in offered_keys(self.offer, discovery)}
        self.results: Dict[str, Any] = {}
        self.declared: Dict[str, str] = {}

    def first_keys(self) -> List[Tuple[str, str]]:
        return offered_keys(self.offer, self.discovery)

    def receive(self, pairs: List[Tuple[str, str]]) -> List[Tuple[str, str]]:
        """Take the target's keys; return the answers we owe it (for keys it offered)."""
        replies: List[Tuple[str, str]] = []
        for name, value in pairs:
            if name in _TARGET_DECLARES:
                self.declared[name] = value
                continue
            key = KEYS.get(name)
            if key is None:
                replies.append((name, "NotUnderstood"))
                continue
            if key.rule == "declarative":
                # MaxRecvDataSegmentLength: the target's own receive limit, not an answer.
                self.results[name] = key.parse(value)
                continue
            if name in self.pending:
                self.pending.discard(name)
                self.results[name] = KEYS[name].default if value in _SPECIAL else key.check(self.offer[name], value)
                continue
            if value in _SPECIAL:
                continue
            ours = self.offer.get(name, key.default)
            result = key.answer(ours, value)
            if result != "Reject":
                self.results[name] = result
            replies.append((name, key.format(result)))
        return replies

    def parameters(self) -> Parameters:
        values: Dict[str, Any] = {}
        for name, key in KEYS.items():
            if not key.attribute:
                continue
            # A key the target left unanswered (or answered Reject, Irrelevant or
            # NotUnderstood) keeps its default: RFC 7143 6.2.
            values[key.attribute] = self.results.get(name, key.default)
        for digest in ("HeaderDigest", "DataDigest"):
            attribute = KEYS[digest].attribute
            if values[attribute] not in ("None", "CRC32C"):
                values[attribute] = "None"
        values["max_recv_data_segment_length"] = self.offer.get(
            "MaxRecvDataSegmentLength", KEYS["MaxRecvDataSegmentLength"].default)
        # RFC 7143 13.14: FirstBurstLength must not exceed MaxBurstLength.
        values["first_burst_length"] = min(values["first_burst_length"], values["max_burst_length"])
        values["target_alias"] = self.declared.get("TargetAlias", "")
        tpgt = self.declared.get("TargetPortalGroupTag", "0")
        values["target_portal_group_tag"] = int(tpgt) if tpgt.isdigit() else 0
        return Parameters(**values)
