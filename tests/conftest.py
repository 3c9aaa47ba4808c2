"""Fixtures every test module may use (the test bed's own are in integration/conftest.py)."""
from __future__ import annotations

from typing import Iterator

import pytest

from sgframe import Reactor


@pytest.fixture
def reactor() -> Iterator[Reactor]:
    """A reactor of the test's own, closed afterwards with every channel on it."""
    with Reactor() as reactor:
        yield reactor
