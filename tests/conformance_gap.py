"""Which conformance tests are shown to fail on some broken device, measured.

``python tests/conformance_gap.py`` runs every ``emu:nonconforming?rule=NAME`` device of
:data:`sgframe.emu.broken.RULES` through the conformance tests its rule breaks (the same
sessions ``tests/test_conformance_self.py`` runs), then lists every conformance test
function with the rules that made it fail, and ``-`` where no rule does: the gap.
"""
from __future__ import annotations

import importlib
import os
import sys
from typing import Dict, List, Set, Tuple

if __package__ in (None, ""):  # run as a script: make ``tests`` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


#: Conformance tests that no broken device shows failing (measured by :func:`main`; kept
#: equal to the measurement by ``test_conformance_self.test_the_measured_gap``).
#: ``test_protection::test_guard_of_known_vectors`` checks the suite's own CRC and uses no
#: device: no device can make it fail.
UNCOVERED = frozenset({
    "test_compare_and_write::test_longer_than_the_limit",
    "test_extended_copy::test_operating_parameters",
    "test_get_lba_status::test_mapped_then_unmapped",
    "test_inquiry::test_version_descriptors_name_standards",
    "test_prefetch::test_prefetch",
    "test_protection::test_guard_of_known_vectors",
    "test_report_supported_opcodes::test_each_listed_command_reports_supported",
    "test_report_supported_opcodes::test_unsupported_opcode_reports_not_supported",
    "test_sanitize::test_cryptographic_erase_with_parameters_is_rejected",
    "test_sense_format::test_current_format_is_consistent",
    "test_start_stop_unit::test_immed",
    "test_start_stop_unit::test_start",
    "test_test_unit_ready::test_no_data_is_transferred",
    "test_unmap::test_unmap_too_many_blocks",
    "test_write_atomic::test_atomic_write_longer_than_the_limit",
    "test_write_atomic::test_atomic_write_stores",
    "test_write_protect::test_reads_still_work",
    "test_write_protect::test_write_is_rejected",
    "test_zoned::test_close_an_empty_open_zone_empties_it",
    "test_zoned::test_read_past_the_write_pointer",
    "test_zoned::test_write_across_the_zone_end_is_rejected",
    "test_zoned::test_write_at_the_write_pointer_advances_it",
    "test_zoned::test_zones_cover_the_medium_in_order",
})


def conformance_tests() -> List[Tuple[str, str]]:
    """(module, function) of every test function of the conformance suite."""
    import sgframe.conformance as suite

    found = []
    for module in sorted(suite.FAMILIES):
        loaded = importlib.import_module(f"sgframe.conformance.{module}")
        found += [(module, name) for name in sorted(vars(loaded))
                  if name.startswith("test_") and callable(getattr(loaded, name))]
    return found


def failing_rules(broken_verdicts: Dict[str, Dict[str, str]]) -> Dict[Tuple[str, str], Set[str]]:
    """(module, function) -> the rules whose broken device made it fail."""
    out: Dict[Tuple[str, str], Set[str]] = {}
    for rule, verdicts in broken_verdicts.items():
        for nodeid, verdict in verdicts.items():
            if verdict != "failed":
                continue
            path, _, rest = nodeid.partition("::")
            module = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            out.setdefault((module, rest.split("[")[0]), set()).add(rule)
    return out


def main() -> int:
    from tests.test_conformance_self import run_broken_sessions

    failed = failing_rules(run_broken_sessions("--tb=no"))
    tests = conformance_tests()
    gap = [t for t in tests if t not in failed]
    for module, name in tests:
        rules = sorted(failed.get((module, name), ()))
        print(f"{module}::{name}\t{', '.join(rules) or '-'}")
    print(f"\n{len(tests)} conformance tests; {len(tests) - len(gap)} fail on some broken device; "
          f"{len(gap)} on none:")
    for module, name in gap:
        print(f"  {module}::{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
