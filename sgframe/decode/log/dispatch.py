"""(page, subpage) -> decoder, and :func:`decode_log_page`, the one entry point."""
from __future__ import annotations

from typing import Callable, Dict, Tuple

import attrs

from ._core import LogPage, decode_generic_log_page, split_log_pages
from .background import (
    decode_background_operation_page,
    decode_background_scan_results_page,
    decode_lps_misalignment_page,
    decode_pending_defects_page,
)
from .counters import (
    decode_buffer_over_run_under_run_page,
    decode_error_counter_page,
    decode_format_status_page,
    decode_non_medium_error_page,
    decode_power_condition_transitions_page,
    decode_solid_state_media_page,
    decode_start_stop_cycle_counter_page,
    decode_utilization_page,
    decode_zoned_block_device_statistics_page,
)
from .environment import (
    decode_environmental_limits_page,
    decode_environmental_reporting_page,
    decode_informational_exceptions_page,
    decode_temperature_page,
)
from .events import (
    decode_application_client_page,
    decode_last_n_deferred_errors_page,
    decode_last_n_error_events_page,
    decode_last_n_inquiry_data_changed_page,
    decode_last_n_mode_page_data_changed_page,
)
from .duration_limits import decode_command_duration_limits_statistics_page
from .non_volatile_cache import decode_non_volatile_cache_page
from .pass_through import decode_ata_pass_through_results_page
from .protocol import decode_protocol_specific_port_page
from .provisioning import decode_logical_block_provisioning_page
from .selftest import decode_self_test_results_page
from .statistics import (
    decode_cache_memory_statistics_page,
    decode_general_statistics_page,
    decode_group_statistics_page,
)
from .supported import decode_supported_log_pages, decode_supported_subpages

__all__ = ["LOG_PAGE_DECODERS", "decode_log_page", "decode_log_pages"]

#: (page code, subpage code) -> ``decoder(data) -> LogPage``.  Plugins add vendor pages here.
LOG_PAGE_DECODERS: Dict[Tuple[int, int], Callable[[bytes], LogPage]] = {
    (0x00, 0x00): decode_supported_log_pages,
    (0x00, 0xFF): decode_supported_subpages,
    (0x01, 0x00): decode_buffer_over_run_under_run_page,
    (0x02, 0x00): decode_error_counter_page,
    (0x03, 0x00): decode_error_counter_page,
    (0x04, 0x00): decode_error_counter_page,
    (0x05, 0x00): decode_error_counter_page,
    (0x06, 0x00): decode_non_medium_error_page,
    (0x07, 0x00): decode_last_n_error_events_page,
    (0x08, 0x00): decode_format_status_page,
    (0x0B, 0x00): decode_last_n_deferred_errors_page,
    (0x0B, 0x01): decode_last_n_inquiry_data_changed_page,
    (0x0B, 0x02): decode_last_n_mode_page_data_changed_page,
    (0x0C, 0x00): decode_logical_block_provisioning_page,
    (0x0D, 0x00): decode_temperature_page,
    (0x0D, 0x01): decode_environmental_reporting_page,
    (0x0D, 0x02): decode_environmental_limits_page,
    (0x0E, 0x00): decode_start_stop_cycle_counter_page,
    (0x0E, 0x01): decode_utilization_page,
    (0x0F, 0x00): decode_application_client_page,
    (0x10, 0x00): decode_self_test_results_page,
    (0x11, 0x00): decode_solid_state_media_page,
    (0x14, 0x01): decode_zoned_block_device_statistics_page,
    (0x15, 0x00): decode_background_scan_results_page,
    (0x15, 0x01): decode_pending_defects_page,
    (0x15, 0x02): decode_background_operation_page,
    (0x15, 0x03): decode_lps_misalignment_page,
    (0x16, 0x00): decode_ata_pass_through_results_page,
    (0x17, 0x00): decode_non_volatile_cache_page,
    (0x18, 0x00): decode_protocol_specific_port_page,
    (0x19, 0x00): decode_general_statistics_page,
    **{(0x19, group): decode_group_statistics_page for group in range(0x01, 0x20)},
    (0x19, 0x20): decode_cache_memory_statistics_page,
    (0x19, 0x21): decode_command_duration_limits_statistics_page,
    (0x1A, 0x00): decode_power_condition_transitions_page,
    (0x2F, 0x00): decode_informational_exceptions_page,
}


def decode_log_page(data: bytes) -> LogPage:
    """Decode LOG SENSE data by its page and subpage code.  Never raises on device data.

    The subpage code is taken from byte 1 only when SPF is set; devices predating
    subpages leave byte 1 zero anyway.
    """
    data = bytes(data)
    if len(data) < 2:
        return decode_generic_log_page(data)
    spf = bool(data[0] & 0x40)
    key = (data[0] & 0x3F, data[1] if spf else 0)
    decoder = LOG_PAGE_DECODERS.get(key)
    if decoder is None and key[1] == 0xFF:
        decoder = decode_supported_subpages
    if decoder is None:
        return decode_generic_log_page(data)
    try:
        return decoder(data)
    except Exception as exc:  # noqa: BLE001 - device data must not raise
        page = decode_generic_log_page(data)
        return attrs.evolve(page, problems=page.problems + (f"internal error in {decoder.__name__}: {exc!r}",))


def decode_log_pages(data: bytes) -> Tuple[LogPage, ...]:
    """Decode back-to-back log pages, as saved by ``sg_logs --all --hex``."""
    return tuple(decode_log_page(page) for page in split_log_pages(data))
