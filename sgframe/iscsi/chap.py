"""CHAP for iSCSI login (RFC 1994, as RFC 7143 12.1.3 uses it).

The response to a challenge is ``H(identifier || secret || challenge)``, ``identifier``
one byte. RFC 7143 names MD5 (CHAP_A=5); draft-ietf-storm-rfc7143bis and Linux LIO add
SHA-1 (6), SHA-256 (7) and SHA3-256 (8), which a target lists in its CHAP_A answer when
it has them. We offer our algorithms in order of preference and the target picks one.

Our default offer is ``8,5`` (SHA3-256, then MD5), leaving SHA-256 out: tgt 1.0.x reads
CHAP_A=7 as SHA-1 (its chap.c maps "7" to its SHA-1 code), picks it from a list that holds
it, and then refuses a correct SHA-256 response (measured here against tgtd 1.0.85). Ask
for SHA-256 explicitly (``chap_algorithms=sha256,md5``) on targets that implement it as
assigned (Linux LIO).

With mutual CHAP we send our own CHAP_I and CHAP_C alongside our response, and check the
target's CHAP_N and CHAP_R. A target that echoes our challenge back as its own is
refused (RFC 7143 12.1.3: a reflection attack).
"""
from __future__ import annotations

import hashlib
import hmac
import os
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from .errors import AuthenticationFailed, RemoteProtocolError
from .text import decode_binary, encode_binary

__all__ = ["ALGORITHMS", "ALGORITHM_NAMES", "DEFAULT_ALGORITHMS", "ChapInitiator", "chap_response"]

#: CHAP_A value -> (name, hash constructor).
ALGORITHMS: Dict[int, Tuple[str, Callable[..., "hashlib._Hash"]]] = {
    5: ("MD5", hashlib.md5),
    6: ("SHA-1", hashlib.sha1),
    7: ("SHA-256", hashlib.sha256),
    8: ("SHA3-256", hashlib.sha3_256),
}
#: What we offer unless told otherwise (see the module docstring for why not 7).
DEFAULT_ALGORITHMS = (8, 5)
ALGORITHM_NAMES = {name.lower().replace("-", ""): number for number, (name, _) in ALGORITHMS.items()}


def chap_response(algorithm: int, identifier: int, secret: bytes, challenge: bytes) -> bytes:
    """RFC 1994 4.1: the hash of the identifier byte, the secret and the challenge."""
    try:
        hash_new = ALGORITHMS[algorithm][1]
    except KeyError:
        raise RemoteProtocolError("CHAP_A=%d is not an algorithm we know (%s)" % (
            algorithm, ", ".join("%d=%s" % (k, v[0]) for k, v in ALGORITHMS.items()))) from None
    return hash_new(bytes([identifier & 0xFF]) + secret + challenge).digest()


class ChapInitiator:
    """The initiator's side of one CHAP exchange.

    :param user: CHAP_N we send.
    :param secret: the secret the target knows for ``user``.
    :param target_user: for mutual CHAP, the CHAP_N the target must send back.
    :param target_secret: for mutual CHAP, the target's secret.
    :param algorithms: CHAP_A values we accept, preferred first.
    :param random: the source of our challenge and identifier (tests pass a fixed one).
    """

    def __init__(self, user: str, secret: str, *, target_user: Optional[str] = None,
                 target_secret: Optional[str] = None, algorithms: Sequence[int] = DEFAULT_ALGORITHMS,
                 random: Callable[[int], bytes] = os.urandom) -> None:
        self.user = user
        self.secret = secret.encode("utf-8")
        self.target_user = target_user
        self.target_secret = target_secret.encode("utf-8") if target_secret is not None else None
        self.algorithms = tuple(algorithms)
        self.random = random
        self.algorithm: Optional[int] = None
        self.our_identifier: Optional[int] = None
        self.our_challenge: Optional[bytes] = None

    @property
    def mutual(self) -> bool:
        return self.target_secret is not None

    def offer(self) -> List[Tuple[str, str]]:
        return [("CHAP_A", ",".join(str(a) for a in self.algorithms))]

    def respond(self, keys: Dict[str, str]) -> List[Tuple[str, str]]:
        """Our CHAP_N and CHAP_R (and CHAP_I, CHAP_C when mutual) for the target's
        CHAP_A, CHAP_I and CHAP_C."""
        try:
            algorithm = int(keys["CHAP_A"])
            identifier = int(keys["CHAP_I"])
            challenge = decode_binary(keys["CHAP_C"])
        except KeyError as exc:
            raise AuthenticationFailed("the target's CHAP challenge lacks %s" % exc.args[0]) from None
        except ValueError:
            raise AuthenticationFailed("the target sent a malformed CHAP_A or CHAP_I: %r, %r" % (
                keys.get("CHAP_A"), keys.get("CHAP_I"))) from None
        if algorithm not in self.algorithms:
            raise AuthenticationFailed("the target chose CHAP_A=%d; we offered %s" % (
                algorithm, ",".join(map(str, self.algorithms))))
        if not 0 <= identifier <= 255 or not challenge:
            raise AuthenticationFailed("the target sent CHAP_I=%d (0..255) and a %d-byte challenge"
                                       % (identifier, len(challenge)))
        self.algorithm = algorithm
        pairs = [("CHAP_N", self.user),
                 ("CHAP_R", encode_binary(chap_response(algorithm, identifier, self.secret, challenge)))]
        if self.mutual:
            if self.our_challenge is None:
                digest_size = ALGORITHMS[algorithm][1]().digest_size
                self.our_identifier = self.random(1)[0]
                self.our_challenge = self.random(digest_size)
            if challenge == self.our_challenge:
                raise AuthenticationFailed("the target's challenge equals ours (reflection)")
            pairs += [("CHAP_I", str(self.our_identifier)), ("CHAP_C", encode_binary(self.our_challenge))]
        return pairs

    def verify(self, keys: Dict[str, str]) -> None:
        """Check the target's answer to our challenge (mutual CHAP)."""
        if not self.mutual:
            return
        assert self.algorithm is not None and self.our_challenge is not None
        if "CHAP_R" not in keys or "CHAP_N" not in keys:
            raise AuthenticationFailed("mutual CHAP: the target did not answer our challenge")
        if self.target_user is not None and keys["CHAP_N"] != self.target_user:
            raise AuthenticationFailed("mutual CHAP: the target calls itself %r, expected %r" % (
                keys["CHAP_N"], self.target_user))
        expected = chap_response(self.algorithm, self.our_identifier or 0,
                                 self.target_secret or b"", self.our_challenge)
        if not hmac.compare_digest(decode_binary(keys["CHAP_R"]), expected):
            raise AuthenticationFailed("mutual CHAP: the target's response to our challenge is "
                                       "wrong (wrong target secret?)")
