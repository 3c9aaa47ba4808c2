"""The login phase (RFC 7143 6.3): security negotiation, then operational negotiation.

Stages (CSG / NSG in the Login PDUs): 0 SecurityNegotiation, 1 LoginOperational-
Negotiation, 3 FullFeaturePhase. We always start in stage 0, stating our name and the
session type and offering an AuthMethod:

- no secret: ``AuthMethod=None``, T=1 towards stage 1;
- one-way CHAP: ``AuthMethod=CHAP,None`` (the target decides whether it wants CHAP);
- mutual CHAP: ``AuthMethod=CHAP`` only, since None would skip the target's proof.

With CHAP: the target picks CHAP -> we send CHAP_A; it sends CHAP_A/CHAP_I/CHAP_C -> we
send CHAP_N/CHAP_R (+ our CHAP_I/CHAP_C when mutual) with T=1; it answers T=1 (+ its
CHAP_N/CHAP_R, which we check). Stage 1 offers every operational key and asks for stage 3
(T=1, NSG=3); the target may answer T=0 with keys of its own, which we answer, until it
sets T=1.

A Login Response's text may span several PDUs (its C bit); we acknowledge each piece
with an empty Login Request (RFC 7143 6.3.1, 11.12.3) and decode the whole.

:class:`Login` only builds and reads Login PDUs; sequence numbers and bytes belong to
the session.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .chap import ChapInitiator
from .errors import AuthenticationFailed, LoginFailed, RemoteProtocolError
from .negotiation import Negotiation, Parameters
from .pdu import LoginRequest, LoginResponse
from .text import decode_text, encode_text

__all__ = ["FULL_FEATURE", "Login", "OPERATIONAL", "SECURITY"]

SECURITY, OPERATIONAL, FULL_FEATURE = 0, 1, 3


class Login:
    """One login's exchange of Login PDUs.

    :param initiator_name: our iSCSI name.
    :param target_name: the target's name; None for a Discovery session.
    :param isid: our half of the session id (48 bits); ``tsih`` 0 for a new session.
    :param chap: CHAP credentials, or None to offer AuthMethod=None.
    :param offer: operational key values to offer (RFC 7143 names).
    """

    def __init__(self, *, initiator_name: str, target_name: Optional[str], isid: int,
                 itt: int, chap: Optional[ChapInitiator], offer: Dict[str, Any],
                 tsih: int = 0, cid: int = 0) -> None:
        self.initiator_name = initiator_name
        self.target_name = target_name
        self.isid = isid
        self.tsih = tsih
        self.cid = cid
        self.itt = itt
        self.chap = chap
        self.negotiation = Negotiation(offer, discovery=target_name is None)
        self.stage = SECURITY
        self.done = False
        self.auth_method: Optional[str] = None
        self._pending = b""  # text of a Login Response continued with the C bit
        self._chap_step = 0

    @property
    def target(self) -> str:
        return self.target_name or "the discovery portal"

    def _request(self, pairs: List[Tuple[str, str]], transit: bool, nsg: int) -> LoginRequest:
        return LoginRequest(transit=transit, csg=self.stage, nsg=nsg if transit else 0,
                            isid=self.isid, tsih=self.tsih, initiator_task_tag=self.itt,
                            cid=self.cid, data=encode_text(pairs))

    def first_request(self) -> LoginRequest:
        pairs = [("InitiatorName", self.initiator_name),
                 ("SessionType", "Discovery" if self.target_name is None else "Normal")]
        if self.target_name is not None:
            pairs.append(("TargetName", self.target_name))
        if self.chap is None:
            pairs.append(("AuthMethod", "None"))
            return self._request(pairs, True, OPERATIONAL)
        pairs.append(("AuthMethod", "CHAP" if self.chap.mutual else "CHAP,None"))
        return self._request(pairs, False, 0)

    def receive(self, response: LoginResponse) -> Optional[LoginRequest]:
        """Take one Login Response; the next Login Request, or None once the target
        moved us to the full feature phase (then :attr:`done` is True)."""
        if response.status_class != 0:
            if response.status_class == 1:
                moved = dict(decode_text(response.data)).get("TargetAddress", "?")
                raise LoginFailed("login to %s redirected to %s (Status-Detail %02Xh); "
                                  "connect there" % (self.target, moved, response.status_detail),
                                  status_class=1, status_detail=response.status_detail)
            raise LoginFailed.from_status(response.status_class, response.status_detail, self.target)
        if response.initiator_task_tag != self.itt:
            raise RemoteProtocolError("Login Response for task tag %08x, ours is %08x" % (
                response.initiator_task_tag, self.itt))
        if response.csg != self.stage:
            raise RemoteProtocolError("Login Response in stage %d while we are in stage %d"
                                      % (response.csg, self.stage))
        self.tsih = response.tsih
        if response.cont:
            self._pending += response.data
            return self._request([], False, 0)
        pairs = decode_text(self._pending + response.data)
        self._pending = b""
        if self.stage == SECURITY:
            return self._security(response, pairs)
        return self._operational(response, pairs)

    def _security(self, response: LoginResponse, pairs: List[Tuple[str, str]]) -> Optional[LoginRequest]:
        keys = dict(pairs)
        self.negotiation.receive([(k, v) for k, v in pairs if k.startswith("Target")])
        if "AuthMethod" in keys:
            self.auth_method = keys["AuthMethod"]
            if self.auth_method not in ("None", "CHAP"):
                raise AuthenticationFailed("login to %s: the target answered AuthMethod=%s to "
                                           "our offer" % (self.target, self.auth_method))
            if self.auth_method == "None" and self.chap is not None and self.chap.mutual:
                raise AuthenticationFailed("login to %s: mutual CHAP was asked for and the target "
                                           "chose AuthMethod=None" % self.target)
        if self.auth_method == "CHAP":
            assert self.chap is not None
            if self._chap_step == 0:
                self._chap_step = 1
                return self._request(self.chap.offer(), False, 0)
            if self._chap_step == 1:
                self._chap_step = 2
                return self._request(self.chap.respond(keys), True, OPERATIONAL)
            self.chap.verify(keys)
        if response.transit:
            return self._next_stage(response)
        if self.auth_method is None:
            raise RemoteProtocolError("login to %s: no AuthMethod in the target's answer" % self.target)
        return self._request([], True, OPERATIONAL)

    def _next_stage(self, response: LoginResponse) -> Optional[LoginRequest]:
        if response.nsg == FULL_FEATURE:
            self.done = True
            return None
        if response.nsg != OPERATIONAL or self.stage != SECURITY:
            raise RemoteProtocolError("the target moved the login from stage %d to stage %d" % (
                self.stage, response.nsg))
        self.stage = OPERATIONAL
        return self._request(self.negotiation.first_keys(), True, FULL_FEATURE)

    def _operational(self, response: LoginResponse, pairs: List[Tuple[str, str]]) -> Optional[LoginRequest]:
        replies = self.negotiation.receive(pairs)
        if response.transit:
            if response.nsg != FULL_FEATURE:
                raise RemoteProtocolError("the target moved the login from stage 1 to stage %d"
                                          % response.nsg)
            if replies:
                raise RemoteProtocolError("the target ended the login while offering %s" % (
                    ", ".join(k for k, _ in replies)))
            self.done = True
            return None
        return self._request(replies, True, FULL_FEATURE)

    def parameters(self) -> Parameters:
        return self.negotiation.parameters()
