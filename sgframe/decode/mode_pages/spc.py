"""Mode pages of SPC-5 (7.5): disconnect-reconnect, control and its subpages defined there,
power condition and power consumption, informational exceptions control."""
from __future__ import annotations

from ._layout import layout_page

__all__ = [
    "DisconnectReconnectPage",
    "ControlPage",
    "ControlExtensionPage",
    "PowerConditionPage",
    "PowerConsumptionPage",
    "InformationalExceptionsControlPage",
]


@layout_page
class DisconnectReconnectPage:
    """Disconnect-Reconnect mode page, 02h (SPC-5 7.5.9)."""

    PAGE_CODE = 0x02
    PAGE_LENGTH = 0x0E
    LAYOUT = (
        ("buffer_full_ratio", 2, 0, 8),
        ("buffer_empty_ratio", 3, 0, 8),
        ("bus_inactivity_limit", 4, 0, 16),
        ("disconnect_time_limit", 6, 0, 16),
        ("connect_time_limit", 8, 0, 16),
        ("maximum_burst_size", 10, 0, 16),
        ("emdp", 12, 7, 1), ("fair_arbitration", 12, 4, 3), ("dimm", 12, 3, 1), ("dtdc", 12, 0, 3),
        ("first_burst_size", 14, 0, 16),
    )


@layout_page
class ControlPage:
    """Control mode page, 0Ah (SPC-5 7.5.10)."""

    PAGE_CODE = 0x0A
    PAGE_LENGTH = 0x0A
    LAYOUT = (
        ("tst", 2, 5, 3), ("tmf_only", 2, 4, 1), ("dpicz", 2, 3, 1), ("d_sense", 2, 2, 1),
        ("gltsd", 2, 1, 1), ("rlec", 2, 0, 1),
        ("queue_algorithm_modifier", 3, 4, 4), ("nuar", 3, 3, 1), ("qerr", 3, 1, 2),
        ("rac", 4, 6, 1), ("ua_intlck_ctrl", 4, 4, 2), ("swp", 4, 3, 1),
        ("ato", 5, 7, 1), ("tas", 5, 6, 1), ("atmpe", 5, 5, 1), ("rwwp", 5, 4, 1), ("sblp", 5, 3, 1),
        ("autoload_mode", 5, 0, 3),
        ("busy_timeout_period", 8, 0, 16),
        ("extended_self_test_completion_time", 10, 0, 16),
    )


@layout_page
class ControlExtensionPage:
    """Control Extension mode page, 0Ah/01h (SPC-5 7.5.11)."""

    PAGE_CODE = 0x0A
    SUBPAGE_CODE = 0x01
    SPF = True
    PAGE_LENGTH = 0x1C
    LAYOUT = (
        ("dlc", 4, 3, 1), ("tcmos", 4, 2, 1), ("scsip", 4, 1, 1), ("ialuae", 4, 0, 1),
        ("initial_command_priority", 5, 0, 4),
        ("maximum_sense_data_length", 6, 0, 8),
    )


@layout_page
class PowerConditionPage:
    """Power Condition mode page, 1Ah (SPC-5 7.5.13).  Timers count 100 ms units."""

    PAGE_CODE = 0x1A
    PAGE_LENGTH = 0x26
    LAYOUT = (
        ("pm_bg_precedence", 2, 6, 2), ("standby_y", 2, 0, 1),
        ("idle_c", 3, 3, 1), ("idle_b", 3, 2, 1), ("idle_a", 3, 1, 1), ("standby_z", 3, 0, 1),
        ("idle_a_condition_timer", 4, 0, 32),
        ("standby_z_condition_timer", 8, 0, 32),
        ("idle_b_condition_timer", 12, 0, 32),
        ("idle_c_condition_timer", 16, 0, 32),
        ("standby_y_condition_timer", 20, 0, 32),
        ("ccf_idle", 39, 6, 2), ("ccf_standby", 39, 4, 2), ("ccf_stopped", 39, 2, 2),
    )


@layout_page
class PowerConsumptionPage:
    """Power Consumption mode page, 1Ah/01h (SPC-5 7.5.14)."""

    PAGE_CODE = 0x1A
    SUBPAGE_CODE = 0x01
    SPF = True
    PAGE_LENGTH = 0x0C
    LAYOUT = (
        ("active_level", 6, 0, 2),
        ("power_consumption_identifier", 7, 0, 8),
    )


@layout_page
class InformationalExceptionsControlPage:
    """Informational Exceptions Control mode page, 1Ch (SPC-5 7.5.15)."""

    PAGE_CODE = 0x1C
    PAGE_LENGTH = 0x0A
    LAYOUT = (
        ("perf", 2, 7, 1), ("ebf", 2, 5, 1), ("ewasc", 2, 4, 1), ("dexcpt", 2, 3, 1),
        ("test", 2, 2, 1), ("ebackerr", 2, 1, 1), ("logerr", 2, 0, 1),
        ("mrie", 3, 0, 4),
        ("interval_timer", 4, 0, 32),
        ("report_count", 8, 0, 32),
    )
