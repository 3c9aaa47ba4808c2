"""Output of the command line: JSON, readable text for decoded records, tables, hex dumps.

JSON keys are the decoded records' field names (the T10 names in lower snake case), so
they are as stable as the records. Byte strings become lower-case hex strings; enums
become ``{"name": ..., "value": ...}``; tuples become lists.
"""
from __future__ import annotations

import enum
import sys
from typing import Any, Iterable, Sequence, TextIO

import attrs

__all__ = ["to_jsonable", "print_json", "render", "print_record", "print_table", "hexdump",
           "format_bytes"]

# Fields whose numbers are codes, read in hex in the standards and in sg3_utils' output.
_HEX_NAMES = ("_code", "opcode", "operation_code", "service_action", "asc", "ascq",
              "response_code", "designator_type", "association", "protocol_identifier",
              "code_set", "ieee_company_id", "supported_pages", "version_descriptors",
              "feature_set_codes", "descriptor_type_codes", "cscd_descriptor_ids", "service_actions",
              "rod_type", "third_party_copy_descriptor_type", "constituent_specific_descriptor_type",
              "sas_address", "attached_sas_address")


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (see the module docstring)."""
    if isinstance(value, enum.Enum):
        return {"name": value.name, "value": to_jsonable(value.value)}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if attrs.has(type(value)):
        return {a.name: to_jsonable(getattr(value, a.name)) for a in attrs.fields(type(value))
                if not a.name.startswith("_")}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    return str(value)


def print_json(value: Any, stream: TextIO | None = None) -> None:
    import json  # imported by the calls that print JSON, not by every start

    print(json.dumps(to_jsonable(value), indent=2), file=stream or sys.stdout)


def _is_code(name: str) -> bool:
    return name.endswith(_HEX_NAMES[0]) or name in _HEX_NAMES


def format_bytes(raw: bytes, limit: int = 32) -> str:
    """Hex for a short byte string; a length and the first bytes for a long one."""
    if len(raw) <= limit:
        return raw.hex(" ") if raw else "(none)"
    return f"{raw[:16].hex(' ')} ... ({len(raw)} bytes)"


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, enum.Enum):
        return f"{value} ({value.value:#x})" if isinstance(value.value, int) else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"0x{value:02x}" if _is_code(name) else str(value)
    if isinstance(value, (bytes, bytearray)):
        return format_bytes(bytes(value))
    return str(value)


def _records(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and attrs.has(type(value[0]))


def render(record: Any, indent: int = 0) -> list[str]:
    """A decoded record as ``name: value`` lines; nested records indented, absent (None)
    fields and empty problem lists left out."""
    pad = "  " * indent
    if not attrs.has(type(record)):
        return [pad + _scalar("", record)]
    fields = [a for a in attrs.fields(type(record)) if not a.name.startswith("_") and a.name != "raw"]
    width = max((len(a.name) for a in fields), default=0)
    lines: list[str] = []
    for a in fields:
        value = getattr(record, a.name)
        if value is None or (a.name == "problems" and not value):
            continue
        if attrs.has(type(value)):
            lines.append(f"{pad}{a.name}: {type(value).__name__}")
            lines.extend(render(value, indent + 1))
        elif _records(value):
            lines.append(f"{pad}{a.name}: {len(value)}")
            for i, item in enumerate(value):
                lines.append(f"{pad}  [{i}] {type(item).__name__}")
                lines.extend(render(item, indent + 2))
        elif isinstance(value, (list, tuple)):
            shown = ", ".join(_scalar(a.name, v) for v in value) if value else "(none)"
            lines.append(f"{pad}{a.name:<{width}}  {shown}")
        else:
            lines.append(f"{pad}{a.name:<{width}}  {_scalar(a.name, value)}")
    return lines


def print_record(record: Any, stream: TextIO | None = None) -> None:
    print("\n".join(render(record)), file=stream or sys.stdout)


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], stream: TextIO | None = None) -> None:
    """Columns padded to their widest cell; ``None`` shows as ``-``."""
    rows = [["-" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    out = stream or sys.stdout
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(), file=out)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip(), file=out)


def hexdump(raw: bytes, stream: TextIO | None = None) -> None:
    """16 bytes a line: offset, the bytes (a gap after the eighth), then ASCII, the layout
    sg3_utils uses for responses."""
    out = stream or sys.stdout
    for offset in range(0, len(raw), 16):
        chunk = raw[offset:offset + 16]
        left = chunk[:8].hex(" ")
        right = chunk[8:].hex(" ")
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        print(f" {offset:04x}  {left:<23}  {right:<23}  {text}", file=out)
