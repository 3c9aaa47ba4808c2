"""iSCSI URIs in libiscsi's form, so scripts written for its tools carry over::

    iscsi://[user[%password]@]host[:port]/target-iqn/lun[?option=value&...]
    iscsi://host[:port]                    (a portal: discovery only)

The user and CHAP secret are separated by ``%`` as libiscsi does (so a secret cannot
hold a ``%``; pass it as the ``password`` option instead, where percent-escapes apply).
An IPv6 host is written in brackets. The port defaults to 3260 (RFC 7143 13.1 / IANA).

Options (query string):

=================  =====================================================================
initiator_name     our iSCSI name (default ``iqn.2026-12.org.sgframe:initiator``)
user, password     CHAP name and secret (instead of the ``user%password@`` form)
target_user        mutual CHAP: the name the target must answer with
target_password    mutual CHAP: the target's secret
chap_algorithms    CHAP_A preference, e.g. ``sha3-256,sha256,md5`` (default sha3-256,md5)
header_digest      ``crc32c``, ``none``, ``crc32c,none`` or ``none,crc32c`` (preference)
data_digest        same values as header_digest
queue_depth        most commands in flight at once (1..65535, default 32)
=================  =====================================================================

libiscsi spells the digest values in upper case with an underscore
(``CRC32C_NONE``); those are accepted too.
"""
from __future__ import annotations

import urllib.parse
from typing import Any, Dict, Optional, Tuple

import attrs

from ..errors import UsageError
from .chap import ALGORITHM_NAMES, DEFAULT_ALGORITHMS

__all__ = ["DEFAULT_INITIATOR_NAME", "DEFAULT_PORT", "IscsiUrl", "parse_url"]

DEFAULT_PORT = 3260
DEFAULT_INITIATOR_NAME = "iqn.2026-12.org.sgframe:initiator"
_FORM = "iscsi://[user[%password]@]host[:port]/target-iqn/lun"
_OPTIONS = ("initiator_name", "user", "password", "target_user", "target_password",
            "chap_algorithms", "header_digest", "data_digest", "queue_depth")


@attrs.frozen
class IscsiUrl:
    """A parsed iSCSI URI: where the target is and how to log in.

    ``target`` and ``lun`` are ``None`` for a portal URI (discovery).
    ``header_digest`` / ``data_digest`` are the values we offer, preferred first.
    """

    host: str
    port: int = DEFAULT_PORT
    target: Optional[str] = None
    lun: Optional[int] = None
    user: Optional[str] = None
    password: Optional[str] = None
    target_user: Optional[str] = None
    target_password: Optional[str] = None
    initiator_name: str = DEFAULT_INITIATOR_NAME
    chap_algorithms: Tuple[int, ...] = DEFAULT_ALGORITHMS
    header_digest: Tuple[str, ...] = ("None",)
    data_digest: Tuple[str, ...] = ("None",)
    queue_depth: int = 32

    @property
    def portal(self) -> str:
        return "[%s]:%d" % (self.host, self.port) if ":" in self.host else "%s:%d" % (self.host, self.port)

    def __str__(self) -> str:
        # Without the secrets: this string goes into messages and logs.
        text = "iscsi://%s%s" % ("%s@" % self.user if self.user else "", self.portal)
        if self.target is not None:
            text += "/" + self.target
            if self.lun is not None:
                text += "/%d" % self.lun
        return text

    def to_dict(self) -> Dict[str, Any]:
        out = attrs.asdict(self)
        for secret in ("password", "target_password"):
            if out[secret] is not None:
                out[secret] = "***"
        return out


def _bad(uri: str, what: str) -> UsageError:
    return UsageError("bad iSCSI URI %r: %s (the form is %s)" % (_hide(uri), what, _FORM))


def _hide(uri: str) -> str:
    head, sep, tail = uri.partition("@")
    if sep and "%" in head:
        return head.split("%", 1)[0] + "%***@" + tail
    return uri


def _digest(uri: str, name: str, value: str) -> Tuple[str, ...]:
    out = []
    for item in value.replace("_", ",").split(","):
        canonical = {"crc32c": "CRC32C", "none": "None"}.get(item.strip().lower())
        if canonical is None or canonical in out:
            raise _bad(uri, "%s=%s: use crc32c, none, crc32c,none or none,crc32c" % (name, value))
        out.append(canonical)
    return tuple(out)


def _algorithms(uri: str, value: str) -> Tuple[int, ...]:
    out = []
    for item in value.split(","):
        key = item.strip().lower().replace("-", "").replace("_", "")
        if key.isdigit() and int(key) in ALGORITHM_NAMES.values():
            out.append(int(key))
        elif key in ALGORITHM_NAMES:
            out.append(ALGORITHM_NAMES[key])
        else:
            raise _bad(uri, "chap_algorithms: %r is not one of %s" % (
                item, ", ".join(sorted(ALGORITHM_NAMES))))
    return tuple(out)


def parse_url(uri: str, *, require_lun: bool = True) -> IscsiUrl:
    """Parse an iSCSI URI; :class:`~sgframe.errors.UsageError` names the bad part.

    :param uri: ``iscsi://...`` as in the module docstring.
    :param require_lun: False to accept a portal URI without target and LUN.
    """
    if not uri.lower().startswith("iscsi://"):
        raise _bad(uri, "it must start with iscsi://")
    rest = uri[len("iscsi://"):]
    rest, _, query = rest.partition("?")
    authority, _, path = rest.partition("/")
    fields: Dict[str, Any] = {}
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
        user, sep, password = userinfo.partition("%")
        if not user:
            raise _bad(uri, "an empty user name before '@'")
        fields["user"] = urllib.parse.unquote(user)
        if sep:
            fields["password"] = password
    host, port = _host_port(uri, authority)
    fields["host"], fields["port"] = host, port
    parts = [p for p in path.split("/")] if path else []
    if parts and parts[-1] == "" and len(parts) <= 2:
        parts.pop()  # a trailing slash
    if len(parts) > 2:
        raise _bad(uri, "too many path parts %r: expected /target-iqn/lun" % path)
    if parts:
        target = urllib.parse.unquote(parts[0])
        if not target or not target.lower().startswith(("iqn.", "eui.", "naa.")):
            raise _bad(uri, "target name %r: an iSCSI name starts with iqn., eui. or naa. "
                            "(RFC 7143 4.2.7)" % target)
        fields["target"] = target
    if len(parts) == 2:
        if not parts[1].isdigit():
            raise _bad(uri, "LUN %r is not a number" % parts[1])
        lun = int(parts[1])
        if lun > 16383:
            raise _bad(uri, "LUN %d is beyond 16383, the largest flat LUN (SAM-5 4.7)" % lun)
        fields["lun"] = lun
    if require_lun and len(parts) < 2:
        raise _bad(uri, "the target name and LUN are missing" if not parts else "the LUN is missing")
    _options(uri, query, fields)
    if fields.get("target_password") is not None and fields.get("password") is None:
        raise _bad(uri, "target_password (mutual CHAP) needs the initiator's own user%password")
    if fields.get("password") is not None and fields.get("user") is None:
        raise _bad(uri, "a CHAP password needs a user name")
    return IscsiUrl(**fields)


def _host_port(uri: str, authority: str) -> Tuple[str, int]:
    if authority.startswith("["):
        host, sep, tail = authority[1:].partition("]")
        if not sep or not host:
            raise _bad(uri, "an IPv6 host needs a closing ']'")
        if tail and not tail.startswith(":"):
            raise _bad(uri, "junk %r after the IPv6 host" % tail)
        port_text = tail[1:] if tail else ""
    else:
        host, _, port_text = authority.partition(":")
    if not host:
        raise _bad(uri, "the host is missing")
    if not port_text and authority.endswith(":"):
        raise _bad(uri, "an empty port after ':'")
    if not port_text:
        return host, DEFAULT_PORT
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise _bad(uri, "port %r is not a number from 1 to 65535" % port_text)
    return host, int(port_text)


def _options(uri: str, query: str, fields: Dict[str, Any]) -> None:
    if not query:
        return
    for item in query.split("&"):
        if not item:
            continue
        name, sep, value = item.partition("=")
        value = urllib.parse.unquote(value)
        if name not in _OPTIONS:
            raise _bad(uri, "unknown option %r; the options are %s" % (name, ", ".join(_OPTIONS)))
        if not sep or not value:
            raise _bad(uri, "option %s has no value" % name)
        if name in ("header_digest", "data_digest"):
            fields[name] = _digest(uri, name, value)
        elif name == "chap_algorithms":
            fields[name] = _algorithms(uri, value)
        elif name == "queue_depth":
            if not value.isdigit() or not 1 <= int(value) <= 65535:
                raise _bad(uri, "queue_depth=%s: a number from 1 to 65535" % value)
            fields[name] = int(value)
        else:
            fields[name] = value
