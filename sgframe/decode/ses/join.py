"""One element seen through every page that describes it (what ``sg_ses --join`` shows),
and the slot a disk sits in, found through its SAS address."""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

from .._util import Record, record
from .pages import (
    AdditionalElementStatusDescriptor,
    AdditionalElementStatusPage,
    ConfigurationPage,
    ElementDescriptorPage,
    EnclosureStatusPage,
    ThresholdInPage,
)

__all__ = ["JoinedElement", "join", "slot_of_sas_address"]

_SLOTS = (0x01, 0x17)  # device slot, array device slot


@record
class JoinedElement(Record):
    type_index: int
    element_index: Optional[int]
    element_type: int
    element_type_name: str
    subenclosure_identifier: int
    element_descriptor: Optional[str] = None
    status: Any = None
    thresholds: Any = None
    additional: Optional[AdditionalElementStatusDescriptor] = None

    @property
    def sas_addresses(self) -> Tuple[int, ...]:
        """The SAS addresses of the device in a slot (one per phy), zeros left out."""
        if self.additional is None:
            return ()
        return tuple(p.sas_address for p in self.additional.phy_descriptors
                     if getattr(p, "sas_address", 0) and hasattr(p, "attached_sas_address"))


def join(
    configuration: ConfigurationPage,
    status: Optional[EnclosureStatusPage] = None,
    element_descriptor: Optional[ElementDescriptorPage] = None,
    additional: Optional[AdditionalElementStatusPage] = None,
    thresholds: Optional[ThresholdInPage] = None,
) -> Tuple[JoinedElement, ...]:
    """Every element of the configuration (overall elements first in each type)."""
    out: List[JoinedElement] = []
    for h in configuration.type_descriptor_headers:
        ti = h.type_index
        for index in [None] + list(range(h.number_of_possible_elements)):
            def pick(page: Any) -> Any:
                if page is None or ti >= len(page.types):
                    return None
                group = page.types[ti]
                if index is None:
                    return group.overall
                return group.elements[index] if index < len(group.elements) else None

            extra = additional.for_element(ti, index) if additional is not None and index is not None else None
            out.append(JoinedElement(
                type_index=ti, element_index=index, element_type=h.element_type,
                element_type_name=h.element_type_name, subenclosure_identifier=h.subenclosure_identifier,
                element_descriptor=pick(element_descriptor), status=pick(status), thresholds=pick(thresholds),
                additional=extra,
            ))
    return tuple(out)


def slot_of_sas_address(joined: Tuple[JoinedElement, ...], sas_address: int) -> Optional[JoinedElement]:
    """The device slot (or array device slot) whose device has this SAS address: the
    disk-to-slot mapping, through the additional element status page."""
    for e in joined:
        if e.element_type in _SLOTS and e.element_index is not None and sas_address in e.sas_addresses:
            return e
    return None
