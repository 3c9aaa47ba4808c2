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
#: equal to the measurement by ``test_conformance_self.test_the_measured_gap``): none. The
#: suite's own CRC check, which used no device, is a unit test (tests/test_conformance_guard.py).
UNCOVERED: frozenset = frozenset()


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
