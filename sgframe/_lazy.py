"""Package namespaces whose names import their module on first use (PEP 562).

``import sgframe`` (or ``sgframe.decode``, a plugin package) must cost little: a shell loop
over hundreds of devices starts the command line once per device. A package lists where
each public name lives; :func:`attach` gives it the module ``__getattr__`` and ``__dir__``
that import the owner the first time the name is used and keep the value.
"""
from __future__ import annotations

import sys
from importlib import import_module

# typing costs ``import sgframe`` three quarters of its time (some 3 ms), for names used in
# annotations only; type checkers take a module's own TYPE_CHECKING as typing's.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["attach", "log_exception"]


def attach(package: str, where: Dict[str, Tuple[str, Optional[str]]]) -> Tuple[Callable[[str], Any], Callable[[], List[str]]]:
    """``__getattr__, __dir__`` for ``package``.

    :param package: the package's ``__name__``.
    :param where: public name -> (module relative to the package, such as ``".io"``, and
        the attribute in it, or None for the module itself).
    """

    def __getattr__(name: str) -> Any:
        try:
            module, attribute = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        found = import_module(module, package)
        value = found if attribute is None else getattr(found, attribute)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> List[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__


def log_exception(message: str, *args: Any) -> None:
    """``logging.getLogger("sgframe").exception(message, *args)``, called in an ``except``
    block; :mod:`logging` (with traceback, string and threading's helpers, some 3 ms) is
    imported at the first failure to report, not by every start of the command line."""
    import logging

    logging.getLogger("sgframe").exception(message, *args)
