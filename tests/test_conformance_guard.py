"""The conformance suite's own T10-DIF guard (CRC-16) against SBC-4's test cases: a check
of the suite, not of a device, so it lives here and not in sgframe/conformance/."""
from sgframe.conformance.test_protection import guard


def test_guard_of_known_vectors():
    """SBC-4 4.22.4.2 Table 17 (CRC test cases): 32 bytes of 00h give 0000h, 32 of FFh
    give A293h, 00h..1Fh give 0224h."""
    assert guard(bytes(32)) == 0x0000
    assert guard(b"\xff" * 32) == 0xA293
    assert guard(bytes(range(32))) == 0x0224
