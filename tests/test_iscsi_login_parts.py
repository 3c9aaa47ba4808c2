"""iSCSI URIs, CHAP responses and RFC 7143 negotiation rules."""
from __future__ import annotations

import pytest

from sgframe.errors import UsageError
from sgframe.iscsi.chap import ChapInitiator, chap_response
from sgframe.iscsi.errors import AuthenticationFailed, NegotiationFailed
from sgframe.iscsi.negotiation import Negotiation
from sgframe.iscsi.uri import IscsiUrl, parse_url

IQN = "iqn.2026-12.test:disk1"


# --- URI ---------------------------------------------------------------------------


def test_full_uri():
    url = parse_url("iscsi://alice%%s3cret@127.0.0.1:3291/%s/1?initiator_name=iqn.2026-12.me:x"
                    "&target_user=tgt&target_password=p%%26w&header_digest=CRC32C_NONE"
                    "&data_digest=crc32c&queue_depth=4&chap_algorithms=sha256,md5" % IQN)
    assert url == IscsiUrl(host="127.0.0.1", port=3291, target=IQN, lun=1, user="alice",
                           password="s3cret", target_user="tgt", target_password="p&w",
                           initiator_name="iqn.2026-12.me:x", chap_algorithms=(7, 5),
                           header_digest=("CRC32C", "None"), data_digest=("CRC32C",), queue_depth=4)
    assert str(url) == "iscsi://alice@127.0.0.1:3291/%s/1" % IQN  # no secret in messages
    assert url.to_dict()["password"] == "***"


def test_defaults_portal_and_ipv6():
    url = parse_url("iscsi://host/%s/0" % IQN)
    assert (url.port, url.lun, url.header_digest, url.queue_depth) == (3260, 0, ("None",), 32)
    portal = parse_url("iscsi://[::1]:3262", require_lun=False)
    assert (portal.host, portal.port, portal.target, portal.lun) == ("::1", 3262, None, None)
    assert portal.portal == "[::1]:3262"


@pytest.mark.parametrize("uri, message", [
    ("http://h/%s/1" % IQN, "must start with iscsi://"),
    ("iscsi:///%s/1" % IQN, "the host is missing"),
    ("iscsi://h:0/%s/1" % IQN, "port '0' is not a number from 1 to 65535"),
    ("iscsi://h:x/%s/1" % IQN, "port 'x'"),
    ("iscsi://h/%s" % IQN, "the LUN is missing"),
    ("iscsi://h", "the target name and LUN are missing"),
    ("iscsi://h/disk1/1", "target name 'disk1': an iSCSI name starts with iqn."),
    ("iscsi://h/%s/one" % IQN, "LUN 'one' is not a number"),
    ("iscsi://h/%s/20000" % IQN, "LUN 20000 is beyond 16383"),
    ("iscsi://h/%s/1/2" % IQN, "too many path parts"),
    ("iscsi://h/%s/1?foo=1" % IQN, "unknown option 'foo'; the options are initiator_name"),
    ("iscsi://h/%s/1?header_digest=md5" % IQN, "header_digest=md5: use crc32c, none"),
    ("iscsi://h/%s/1?queue_depth=0" % IQN, "queue_depth=0: a number from 1 to 65535"),
    ("iscsi://h/%s/1?chap_algorithms=rot13" % IQN, "chap_algorithms: 'rot13' is not one of"),
    ("iscsi://h/%s/1?target_password=x" % IQN, "target_password (mutual CHAP) needs"),
    ("iscsi://%%pw@h/%s/1" % IQN, "an empty user name"),
    ("iscsi://[::1/%s/1" % IQN, "closing ']'"),
])
def test_bad_uris_name_the_bad_part(uri, message):
    with pytest.raises(UsageError) as info:
        parse_url(uri)
    assert message in str(info.value)
    assert "the form is iscsi://[user[%password]@]host[:port]/target-iqn/lun" in str(info.value)


def test_bad_uri_message_hides_the_secret():
    with pytest.raises(UsageError) as info:
        parse_url("iscsi://bob%%topsecret@h/%s/x" % IQN)
    assert "topsecret" not in str(info.value)


# --- CHAP --------------------------------------------------------------------------

CHALLENGE = bytes(range(16))


def test_chap_vectors():
    # RFC 1994 4.1: hash(identifier || secret || challenge); expected values from
    # coreutils md5sum / sha256sum and openssl dgst -sha3-256 over the same bytes.
    assert chap_response(5, 1, b"secret", CHALLENGE).hex() == "740e86463bda3a4d7017d6e0fba0699d"
    assert chap_response(7, 7, b"secret", CHALLENGE).hex() == \
        "21056aca6d74a0bdfa8201905995033bc88baeb9c3d4fe84b33e0d99d151ca3a"
    assert chap_response(8, 7, b"secret", CHALLENGE).hex() == \
        "9a0e0345e1e88194cf628137b07a4745dd4ca26fd7d4c8e0d5cc0a6879fe467e"


def test_chap_one_way_and_mutual():
    fixed = iter([b"\x09", bytes(range(100, 116))])
    chap = ChapInitiator("alice", "secret", target_user="tgt", target_secret="tsecret",
                         algorithms=(7, 5), random=lambda n: next(fixed))
    assert chap.offer() == [("CHAP_A", "7,5")]
    pairs = dict(chap.respond({"CHAP_A": "5", "CHAP_I": "1", "CHAP_C": "0x" + CHALLENGE.hex()}))
    assert pairs == {"CHAP_N": "alice", "CHAP_R": "0x740e86463bda3a4d7017d6e0fba0699d",
                     "CHAP_I": "9", "CHAP_C": "0x" + bytes(range(100, 116)).hex()}
    good = chap_response(5, 9, b"tsecret", bytes(range(100, 116)))
    chap.verify({"CHAP_N": "tgt", "CHAP_R": "0x" + good.hex()})
    with pytest.raises(AuthenticationFailed, match="response to our challenge is wrong"):
        chap.verify({"CHAP_N": "tgt", "CHAP_R": "0x" + bytes(16).hex()})
    with pytest.raises(AuthenticationFailed, match="calls itself 'other'"):
        chap.verify({"CHAP_N": "other", "CHAP_R": "0x" + good.hex()})


def test_chap_refuses_what_we_did_not_offer_and_reflection():
    chap = ChapInitiator("a", "s", algorithms=(5,))
    with pytest.raises(AuthenticationFailed, match="chose CHAP_A=7; we offered 5"):
        chap.respond({"CHAP_A": "7", "CHAP_I": "1", "CHAP_C": "0x00"})
    with pytest.raises(AuthenticationFailed, match="lacks CHAP_C"):
        chap.respond({"CHAP_A": "5", "CHAP_I": "1"})
    mutual = ChapInitiator("a", "s", target_secret="t", algorithms=(5,), random=lambda n: bytes(n))
    with pytest.raises(AuthenticationFailed, match="reflection"):
        mutual.respond({"CHAP_A": "5", "CHAP_I": "1", "CHAP_C": "0x" + bytes(16).hex()})


# --- negotiation ---------------------------------------------------------------------

OFFER = {"HeaderDigest": ["CRC32C", "None"], "DataDigest": ["None"], "MaxConnections": 1,
         "InitialR2T": False, "ImmediateData": True, "MaxRecvDataSegmentLength": 262144,
         "MaxBurstLength": 1048576, "FirstBurstLength": 262144, "DefaultTime2Wait": 0,
         "DefaultTime2Retain": 0, "MaxOutstandingR2T": 1, "DataPDUInOrder": True,
         "DataSequenceInOrder": True, "ErrorRecoveryLevel": 0}


def test_offer_and_results():
    n = Negotiation(OFFER)
    assert n.first_keys()[:4] == [("HeaderDigest", "CRC32C,None"), ("DataDigest", "None"),
                                  ("MaxConnections", "1"), ("InitialR2T", "No")]
    replies = n.receive([("HeaderDigest", "CRC32C"), ("DataDigest", "None"), ("MaxConnections", "1"),
                         ("InitialR2T", "Yes"), ("ImmediateData", "No"),
                         ("MaxRecvDataSegmentLength", "8192"), ("MaxBurstLength", "262144"),
                         ("FirstBurstLength", "65536"),
                         ("DefaultTime2Wait", "2"), ("DefaultTime2Retain", "Reject"),
                         ("MaxOutstandingR2T", "1"), ("DataPDUInOrder", "Yes"),
                         ("DataSequenceInOrder", "Yes"), ("ErrorRecoveryLevel", "0"),
                         ("TargetAlias", "disk"), ("X-vendor.key", "1")])
    assert replies == [("X-vendor.key", "NotUnderstood")]
    p = n.parameters()
    assert (p.header_digest, p.data_digest, p.initial_r2t, p.immediate_data) == ("CRC32C", "None", True, False)
    assert (p.max_recv_data_segment_length, p.target_max_recv_data_segment_length) == (262144, 8192)
    assert (p.max_burst_length, p.first_burst_length, p.default_time2wait) == (262144, 65536, 2)
    assert p.default_time2retain == 20  # Reject: the key keeps its default
    assert p.target_alias == "disk"


@pytest.mark.parametrize("key, answer, message", [
    ("MaxBurstLength", "2097152", "numerical minimum"),      # above our offer
    ("DefaultTime2Wait", "0", None),                          # equal: fine
    ("InitialR2T", "No", None),
    ("ImmediateData", "Yes", None),
    ("HeaderDigest", "MD5", "we offered CRC32C,None"),
    ("MaxBurstLength", "100", "outside 512..16777215"),
    ("ErrorRecoveryLevel", "3", "outside 0..2"),
    ("DataPDUInOrder", "No", "Boolean OR"),                   # offered Yes: must stay Yes
    ("InitialR2T", "maybe", "must be Yes or No"),
])
def test_answers_outside_the_rules_fail(key, answer, message):
    n = Negotiation(dict(OFFER, ImmediateData=True, InitialR2T=False))
    if message is None:
        n.receive([(key, answer)])
        return
    with pytest.raises(NegotiationFailed, match=message):
        n.receive([(key, answer)])


def test_boolean_and_offered_no_must_stay_no():
    n = Negotiation(dict(OFFER, ImmediateData=False))
    with pytest.raises(NegotiationFailed, match="Boolean AND"):
        n.receive([("ImmediateData", "Yes")])


def test_keys_the_target_offers_first_get_answers_by_the_same_rules():
    n = Negotiation(dict(OFFER, ImmediateData=False))
    n.pending.clear()  # as though the target spoke first
    replies = n.receive([("MaxBurstLength", "65536"), ("ImmediateData", "Yes"),
                         ("DefaultTime2Wait", "5"), ("InitialR2T", "No"),
                         ("DataDigest", "CRC32C,None"), ("IFMarker", "Yes")])
    assert replies == [("MaxBurstLength", "65536"), ("ImmediateData", "No"),
                       ("DefaultTime2Wait", "5"), ("InitialR2T", "No"), ("DataDigest", "None"),
                       ("IFMarker", "No")]
    p = n.parameters()
    assert (p.max_burst_length, p.immediate_data, p.default_time2wait) == (65536, False, 5)


def test_first_burst_never_exceeds_max_burst():
    n = Negotiation(dict(OFFER, FirstBurstLength=262144, MaxBurstLength=262144))
    n.receive([("MaxBurstLength", "16384"), ("FirstBurstLength", "65536")])
    assert n.parameters().first_burst_length == 16384


def test_discovery_offers_only_relevant_keys():
    names = [k for k, _ in Negotiation(OFFER, discovery=True).first_keys()]
    assert names == ["HeaderDigest", "DataDigest", "MaxRecvDataSegmentLength",
                     "DefaultTime2Wait", "DefaultTime2Retain", "ErrorRecoveryLevel"]
