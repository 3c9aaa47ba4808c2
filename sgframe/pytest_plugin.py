"""The pytest plugin (entry point ``pytest11``: ``sgframe``): tests that drive SCSI devices.

Options: ``--scsi-device URI`` (repeatable; or ``SGFRAME_DEVICES``, URIs separated by
spaces), ``--scsi-device2 URI`` (a second I_T nexus to the same logical unit, paired
with the ``--scsi-device`` of the same position), ``--scsi-dataloss``, ``--scsi-sanitize``
``--scsi-report FILE`` and ``--scsi-skip NAME=REASON`` (skip, with the reason, the tests
whose id contains NAME: for a test known to take the device or its host down).

Fixtures: ``scsi_channel`` (an open Channel, closed after the test), ``scsi_channel2``,
``scsi_device`` (a :class:`~sgframe.testing.device.DeviceUnderTest`, asked once per
device), ``scsi_reactor`` and ``scsi_expect``. A test that uses any of them runs once per
device, with the device's URI in its id.

Markers: ``destructive`` (skipped without ``--scsi-dataloss``), ``sanitize`` (skipped
without ``--scsi-sanitize``), ``requires_command("WriteSame16", service_action=None)``
and ``requires("thin_provisioning", ...)`` (see :data:`sgframe.testing.device.FEATURES`).
A required command that the device rejects as an invalid operation code (20h/00h) or
whose service action it rejects (24h/00h pointing at it) skips the test: SPC-5 6.35
does not oblige a device to list its commands beforehand.

Under pytest-xdist each test holds its device's lock (:mod:`sgframe.testing.locks`), so no
two workers drive one device at once; ``--dist loadgroup`` keeps a device on one worker
(:mod:`sgframe.testing.scheduling`).
"""
from __future__ import annotations

import os
import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from . import errors
from .testing import expect as _expect
from .testing import report as _report
from .testing.device import FEATURES, DeviceUnderTest, command_class, probe
from .testing.expect import scsi_expect
from .testing.locks import DeviceLock, device_key

__all__ = ["scsi_expect"]

_NO_DEVICE = "no device under test: give --scsi-device URI (or SGFRAME_DEVICES)"


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("sgframe", "SCSI devices under test (sgframe)")
    group.addoption("--scsi-device", action="append", default=[], metavar="URI",
                    help="a device to test: /dev/sgN, H:C:T:L, emu:disk ... (repeatable; also SGFRAME_DEVICES)")
    group.addoption("--scsi-device2", action="append", default=[], metavar="URI",
                    help="a second I_T nexus to the logical unit of the --scsi-device in the same position")
    group.addoption("--scsi-dataloss", action="store_true", default=False,
                    help="run tests that write to the medium (marker destructive)")
    group.addoption("--scsi-sanitize", action="store_true", default=False,
                    help="run SANITIZE tests (they erase the whole medium)")
    group.addoption("--scsi-report", metavar="FILE", default=None,
                    help="write a JSON report: verdicts, device identities, commands, sense data")
    group.addoption("--scsi-skip", action="append", default=[], metavar="NAME=REASON",
                    help="skip the tests whose id contains NAME, giving REASON (a test known to crash "
                         "the device or its host); repeatable")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "destructive: modifies the medium; runs only with --scsi-dataloss")
    config.addinivalue_line("markers", "sanitize: SANITIZE; runs only with --scsi-sanitize (and --scsi-dataloss)")
    config.addinivalue_line("markers", "requires_command(name, service_action=None): skip where the device "
                                       "does not support the command")
    config.addinivalue_line("markers", "requires(*features): skip where the device lacks a feature: "
                                       + ", ".join(sorted(FEATURES)))
    # pytest-xdist registers it too; without xdist the mark is still ours to set.
    config.addinivalue_line("markers", "xdist_group(name): the tests of one device (--dist loadgroup)")
    path = config.getoption("--scsi-report")
    if path and not hasattr(config, "workerinput"):  # xdist workers report to the controller
        config.pluginmanager.register(_report.JsonReport(path), "sgframe-report")


def devices(config: Any) -> List[str]:
    """The URIs under test: the options, else SGFRAME_DEVICES."""
    given = list(config.getoption("--scsi-device") or [])
    if not given:
        given = os.environ.get("SGFRAME_DEVICES", "").split()
    return given


def known_hazards(config: Any) -> List[Tuple[str, str]]:
    """The ``--scsi-skip NAME=REASON`` pairs, checked."""
    pairs = []
    for given in config.getoption("--scsi-skip") or []:
        name, sep, reason = given.partition("=")
        if not sep or not name.strip() or not reason.strip():
            raise pytest.UsageError(f"--scsi-skip {given!r}: give NAME=REASON, both non-empty "
                                    "(NAME is a part of the test id, REASON says why it cannot run)")
        pairs.append((name.strip(), reason.strip()))
    return pairs


def _second(config: Any) -> Dict[str, str]:
    first, second = devices(config), list(config.getoption("--scsi-device2") or [])
    if len(second) > len(first):
        raise pytest.UsageError(f"{len(second)} --scsi-device2 for {len(first)} --scsi-device: "
                                "each second nexus pairs with the device in the same position")
    return dict(zip(first, second))


def pytest_generate_tests(metafunc: Any) -> None:
    if "scsi_uri" not in metafunc.fixturenames:
        return
    uris = devices(metafunc.config)
    if not uris:
        metafunc.parametrize("scsi_uri", [pytest.param(None, marks=pytest.mark.skip(reason=_NO_DEVICE), id="no-device")],
                             scope="session")
        return
    metafunc.parametrize("scsi_uri", uris, ids=uris, scope="session")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: Any, items: List[Any]) -> None:
    # --dist loadgroup sends every test of one group to one worker: a group per device.
    # First: xdist's own hook reads the mark to name the group.
    hazards = known_hazards(config)
    for item in items:
        for name, reason in hazards:
            if name in item.nodeid:
                item.add_marker(pytest.mark.skip(reason=reason))
                break
        callspec = getattr(item, "callspec", None)
        uri = callspec.params.get("scsi_uri") if callspec is not None else None
        if uri is not None:
            item.add_marker(pytest.mark.xdist_group(re.sub(r"[^\w.-]", "_", device_key(uri))))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    """``--dist loadgroup``: one unit of work per device (sgframe.testing.scheduling)."""
    uris = devices(config)
    if config.getvalue("dist") != "loadgroup" or not uris:
        return None
    from .testing.scheduling import make_scheduler

    return make_scheduler(config, log, uris)


@pytest.fixture(scope="session")
def scsi_uri() -> str:
    """The URI of the device under test (parametrized by the plugin)."""
    pytest.skip(_NO_DEVICE)


@pytest.fixture(scope="session")
def _scsi_lock_dir(tmp_path_factory: Any) -> Any:
    base = tmp_path_factory.getbasetemp()
    # xdist workers get <base>/popen-gwN; their parent is shared by the whole run.
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def scsi_device(request: Any, scsi_uri: str, _scsi_lock_dir: Any) -> DeviceUnderTest:
    """What the device says about itself, asked once per device and kept."""
    from .channel import Channel

    second = _second(request.config).get(scsi_uri)
    with DeviceLock(_scsi_lock_dir, scsi_uri), Channel.open(scsi_uri) as channel:
        return probe(channel, scsi_uri, second)


@pytest.fixture
def scsi_reactor() -> Iterator[Any]:
    """A reactor of the test's own; the fixtures' channels use it; closed afterwards."""
    from .reactor import Reactor

    with Reactor() as reactor:
        yield reactor


@pytest.fixture
def _scsi_hold(scsi_uri: str, _scsi_lock_dir: Any) -> Iterator[None]:
    with DeviceLock(_scsi_lock_dir, scsi_uri):
        yield


def _open(uri: str, reactor: Any, device: DeviceUnderTest) -> Any:
    from .channel import Channel

    channel = Channel.open(uri, reactor=reactor, block_size=device.block_size)
    if _expect.current is not None:
        channel.handlers.append(_expect.current)
    return channel


@pytest.fixture
def scsi_channel(scsi_uri: str, scsi_device: DeviceUnderTest, scsi_reactor: Any, _scsi_hold: None) -> Iterator[Any]:
    """An open channel to the device under test, closed after the test."""
    with _open(scsi_uri, scsi_reactor, scsi_device) as channel:
        yield channel


@pytest.fixture
def scsi_channel2(scsi_channel: Any, scsi_device: DeviceUnderTest, scsi_reactor: Any) -> Iterator[Any]:
    """A channel through the second I_T nexus to the same logical unit (another initiator)."""
    if scsi_device.second_nexus is None:
        pytest.skip(FEATURES["second_nexus"][1])
    with _open(scsi_device.second_nexus, scsi_reactor, scsi_device) as channel:
        yield channel


@pytest.fixture(name="scsi_expect")
def _scsi_expect_fixture() -> Any:
    """:func:`sgframe.testing.expect.scsi_expect`, without an import."""
    return scsi_expect


@pytest.fixture(autouse=True)
def _scsi_item(request: Any) -> Iterator[None]:
    """Per test: the markers' skips, and what the test sent, for messages and the report."""
    if "scsi_uri" not in request.fixturenames:
        yield
        return
    node, config = request.node, request.config
    uri = request.getfixturevalue("scsi_uri")
    node.user_properties.append((_report.DEVICE, uri))
    if node.get_closest_marker("sanitize") is not None and not config.getoption("--scsi-sanitize"):
        pytest.skip("SANITIZE erases the whole medium: run with --scsi-sanitize --scsi-dataloss")
    destructive = node.get_closest_marker("destructive") or node.get_closest_marker("sanitize")
    if destructive is not None and not config.getoption("--scsi-dataloss"):
        pytest.skip("modifies the medium: run with --scsi-dataloss")
    device = request.getfixturevalue("scsi_device")
    node.user_properties.append((_report.IDENTITY, device.to_dict()))
    _check_requirements(node, device)
    recorder = _expect.Recorder()
    _expect.current = recorder
    try:
        yield
    finally:
        _expect.current = None
        node.user_properties.append((_report.COMMANDS, recorder.commands[-200:]))


def _check_requirements(node: Any, device: DeviceUnderTest) -> None:
    for mark in node.iter_markers("requires"):
        for feature in mark.args:
            if feature not in FEATURES:
                raise errors.UsageError(f"requires({feature!r}): unknown feature; known: {', '.join(sorted(FEATURES))}")
            present, why = FEATURES[feature]
            if not present(device):
                pytest.skip(why)
    for mark in node.iter_markers("requires_command"):
        name = mark.args[0]
        action = mark.kwargs.get("service_action")
        if device.supports(name, action) is False:
            what = command_class(name).NAME + (f" service action {action:02X}h" if action is not None else "")
            pytest.skip(f"the device does not support {what} (REPORT SUPPORTED OPERATION CODES)")


def _unsupported(item: Any, exc: Optional[BaseException]) -> Optional[str]:
    """Why ``exc`` says a command the test requires is not implemented, or None."""
    required = {command_class(m.args[0]).NAME: m.args[0] for m in item.iter_markers("requires_command")}
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        # The failure a verify handler judged carries no Io (the outcome it raised does):
        # the command is known by its T10 name.
        if isinstance(exc, errors.IllegalRequest) and exc.command in required:
            name = exc.command
            if exc.asc == 0x20 and exc.ascq == 0x00:
                return f"the device does not implement {name}: INVALID COMMAND OPERATION CODE (20h/00h)"
            pointer = getattr(exc.sense, "sense_key_specific", None)
            cls = command_class(required[name])
            action_byte = 8 if cls.OPCODE == 0x7F else 1  # variable length CDBs: bytes 8-9
            has_action = getattr(cls, "SERVICE_ACTION", None) is not None or "service_action" in attrs_names(cls)
            # SPC-5 4.2.5.x: an unsupported service action is INVALID FIELD IN CDB; the
            # field pointer is optional, so one that is absent counts as pointing at it.
            at_action = pointer is None or (getattr(pointer, "c_d", False)
                                            and getattr(pointer, "field_pointer", None) == action_byte)
            if has_action and exc.asc == 0x24 and exc.ascq == 0x00 and at_action:
                return (f"the device does not implement this service action of {name}: "
                        f"INVALID FIELD IN CDB (24h/00h)" + (f" at byte {action_byte}" if pointer is not None else ""))
        exc = exc.__cause__ or exc.__context__
    return None


def attrs_names(cls: type) -> List[str]:
    return [a.name for a in getattr(cls, "__attrs_attrs__", ())]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: Any) -> Iterator[None]:
    outcome = yield
    if outcome.excinfo is None:
        return
    why = _unsupported(item, outcome.excinfo[1])
    if why is not None:
        outcome.force_exception(pytest.skip.Exception(why, _use_item_location=True))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    yield
    if call.when == "call" and call.excinfo is not None:
        details = _report.failure_details(call.excinfo.value)
        if details is not None:
            item.user_properties.append((_report.SENSE, details))


