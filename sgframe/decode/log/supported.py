"""Supported log pages (00h/00h) and supported log pages and subpages (00h/FFh, xxh/FFh): SPC-5 7.3.18, 7.3.19."""
from __future__ import annotations

from typing import Tuple

from .._util import record
from ._core import LogPage, read_header

__all__ = ["SupportedLogPages", "SupportedLogPagesAndSubpages", "decode_supported_log_pages",
           "decode_supported_subpages"]


@record
class SupportedLogPages(LogPage):
    supported_pages: Tuple[int, ...] = ()


@record
class SupportedLogPagesAndSubpages(LogPage):
    """Page 00h/FFh (all pages) or xxh/FFh (one page's subpages): (page, subpage) pairs."""

    supported_pages_and_subpages: Tuple[Tuple[int, int], ...] = ()


def decode_supported_log_pages(data: bytes) -> SupportedLogPages:
    r, f = read_header(data, "Supported log pages")
    pages = tuple(b & 0x3F for b in r.data[4:])
    return SupportedLogPages(supported_pages=pages, problems=tuple(r.problems), **f)


def decode_supported_subpages(data: bytes) -> SupportedLogPagesAndSubpages:
    r, f = read_header(data, "Supported log pages and subpages")
    body = r.data[4:]
    if len(body) % 2:
        r.problem("odd number of bytes in the page and subpage list")
    pairs = tuple((body[i] & 0x3F, body[i + 1]) for i in range(0, len(body) - 1, 2))
    return SupportedLogPagesAndSubpages(supported_pages_and_subpages=pairs, problems=tuple(r.problems), **f)
