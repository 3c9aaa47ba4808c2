"""sgframe.decode imports a decoder's module only when the decoder is asked for."""
from __future__ import annotations

import subprocess
import sys

import pytest

import sgframe.decode as decode


@pytest.mark.parametrize("name", decode.__all__)
def test_every_name_resolves_to_what_its_module_defines(name):
    module, attribute = decode._WHERE[name]
    value = getattr(decode, name)
    owner = sys.modules[f"sgframe.decode.{module}"]
    assert getattr(owner, attribute) is value


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'decode_everything'"):
        decode.decode_everything  # noqa: B018


def _modules_after(code: str) -> set:
    out = subprocess.run([sys.executable, "-c", code + "; import sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return {m for m in out.split() if m.startswith("sgframe.decode.")}


def test_importing_the_package_imports_no_decoder():
    assert _modules_after("import sgframe.decode") == set()


def test_one_decoder_brings_its_own_module_only():
    loaded = _modules_after("from sgframe.decode import decode_read_capacity16")
    assert "sgframe.decode.capacity" in loaded
    assert not any(m.startswith(("sgframe.decode.log", "sgframe.decode.ses", "sgframe.decode.vpd")) for m in loaded)
