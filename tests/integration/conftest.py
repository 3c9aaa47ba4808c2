"""Integration tests run inside the User-Mode Linux test bed, on the real kernel sg driver.

Run them with ``python -m sgframe.testbed run --lio 2 -- python -m pytest tests/integration``.
Anywhere else every test here is skipped with the reason the test bed gave (for example,
how to install user-mode-linux).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, Iterator, List, Union

import pytest

from sgframe.testbed import guest

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items) -> None:
    # A skip marker, not an autouse fixture: higher-scoped fixtures such as `testbed` would
    # be set up (and fail) before an autouse function fixture could skip.
    skip = None if guest.in_testbed() else pytest.mark.skip(reason=guest.unavailable_reason())
    for item in items:
        if _HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.testbed)
            if skip is not None:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def testbed() -> guest.Manifest:
    """The manifest of this boot: kernel, sg version, every device it created."""
    return guest.load_manifest()


@pytest.fixture
def scsi_debug_devices(testbed: guest.Manifest) -> List[guest.Device]:
    """The scsi_debug devices still present (at least 4: the test bed's default boot)."""
    found = [d for d in testbed.of_kind("scsi_debug") if d.exists()]
    if len(found) < 4:
        pytest.fail(
            f"the test bed has {len(found)} scsi_debug devices, these tests need 4: boot it "
            "with the default --scsi-debug (num_tgts=2 max_luns=2)"
        )
    return found


@pytest.fixture
def lio_devices(testbed: guest.Manifest) -> List[guest.Device]:
    """The LIO fileio devices (skips the test when the boot had none: use --lio 2)."""
    found = [d for d in testbed.of_kind("lio") if d.exists()]
    if not found:
        pytest.skip("no LIO disks in this boot: python -m sgframe.testbed run --lio 2 -- ...")
    return found


@pytest.fixture
def sdebug_params() -> Iterator[Callable[..., Dict[str, str]]]:
    """Set scsi_debug parameters for one test: ``sdebug_params(opts=2, every_nth=1)``.

    Every parameter the test touched is restored afterwards, in reverse order, whatever
    the test did.
    """
    saved: List[Dict[str, str]] = []

    def set_params(**params: Union[int, str, bool]) -> Dict[str, str]:
        previous: Dict[str, str] = {}
        for name, value in params.items():
            previous.update(guest.set_sdebug_params(**{name: value}))
            saved.append({name: previous[name]})
        return previous

    yield set_params
    for entry in reversed(saved):
        guest.set_sdebug_params(**entry)


@pytest.fixture
def sdebug_host(testbed: guest.Manifest) -> Iterator[List[guest.Device]]:
    """A scsi_debug host of this test's own (4 devices), removed afterwards.

    For tests that delete devices or change parameters read only when a device is created
    (``inq_vendor``, ``ptype`` ...): set those first, then request this fixture.  The host
    is removed with ``add_host=-1``, which removes the newest host, so a test must not
    leave another host added after it.
    """
    added = guest.add_sdebug_hosts(1)
    try:
        yield added
    finally:
        guest.remove_sdebug_host()
        guest.wait_for(lambda: not any(d.exists() for d in added), 10, "removal of the host")


@pytest.fixture
def no_fd_leak() -> Iterator[None]:
    """Fail the test if it leaves file descriptors open in this process."""
    before = guest.open_fds()
    yield
    after = guest.open_fds()
    leaked = guest.leaked_fds(before, after)
    assert not leaked, f"file descriptors left open: {leaked}"
