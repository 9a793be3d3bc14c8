"""Regulation checks on flows: FDA FSMA 204 critical tracking events and their key data elements.

A node that records a critical tracking event (CTE) says so, and says where each key data element
(KDE) comes from::

    "cte": {"standard": "fsma204", "event": "receiving",
            "kdes": {"tlc": "lot", "quantity": "qty", "unit": "@material", "receive_date": "@event_time",
                     ...}}

A KDE's source is a form field path of the node's form (``lot``, ``lot.lot``, ``inputs.qty``), a
field or fact of an earlier step of the same instance (``harvest:variety``, ``harvest:@event_time``),
or one of ``CONTEXT_SOURCES`` (facts every record has: its event time, station, site, subject,
operator, the subject's material master data). ``check_fsma204`` (registered with
``check_flow``) reports, with paths into the flow document:

* ``flow.kde_missing``: a KDE the rule requires for that CTE has no source;
* ``flow.kde_unknown``: a name that is not a KDE of that CTE;
* ``flow.kde_unknown_field``: a source the node's form does not have;
* ``flow.tlc_not_allowed``: the node assigns a new traceability lot code (a ``create_item``
  action with a ``numbering`` rule) although the rule allows that only at initial packing, first
  land-based receiving and transformation (shipping and receiving keep the TLC they were given).

The KDE lists follow 21 CFR 1.1325-1.1350 (``shared/standards/fsma204.md``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lotline.form_engine.problems import Problem
from lotline.workflow_engine.checks import register_check
from lotline.workflow_engine.definition import Flow, FormInfo

# what every record knows besides its form: when, where, who, the subject (and its material's
# master data: product description, unit), the item the record creates (and its material)
CONTEXT_SOURCES = frozenset(
    {"@event_time", "@station", "@site", "@subject", "@operator", "@material", "@output"}
)

# CTE -> (required KDEs, optional KDEs)
FSMA204_KDES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "harvesting": (
        (
            "commodity",
            "variety",
            "quantity",
            "unit",
            "farm_location",
            "field_name",
            "harvest_date",
            "recipient_location",
            "reference_document_type",
            "reference_document_number",
        ),
        (),
    ),
    "cooling": (
        (
            "commodity",
            "variety",
            "quantity",
            "unit",
            "cooling_location",
            "cooling_date",
            "farm_location",
            "recipient_location",
            "reference_document_type",
            "reference_document_number",
        ),
        (),
    ),
    "initial_packing": (
        (
            "commodity",
            "variety",
            "receive_date",
            "received_quantity",
            "received_unit",
            "harvest_location",
            "field_name",
            "harvester_name",
            "harvester_phone",
            "harvest_date",
            "tlc",
            "product",
            "quantity",
            "unit",
            "packing_location",
            "packing_date",
            "reference_document_type",
            "reference_document_number",
        ),
        ("cooling_location", "cooling_date"),  # "if cooled"
    ),
    "first_land_based_receiving": (
        (
            "tlc",
            "species",
            "quantity",
            "unit",
            "harvest_date_range",
            "harvest_locations",
            "landing_location",
            "landing_date",
            "reference_document_type",
            "reference_document_number",
        ),
        (),
    ),
    "shipping": (
        (
            "tlc",
            "quantity",
            "unit",
            "product",
            "recipient_location",
            "ship_from_location",
            "ship_date",
            "tlc_source",
            "reference_document_type",
            "reference_document_number",
        ),
        (),
    ),
    "receiving": (
        (
            "tlc",
            "quantity",
            "unit",
            "product",
            "previous_source_location",
            "receive_location",
            "receive_date",
            "tlc_source",
            "reference_document_type",
            "reference_document_number",
        ),
        (),
    ),
    "transformation": (
        (
            "input_tlc",
            "input_product",
            "input_quantity",
            "input_unit",
            "tlc",
            "tlc_source",
            "transformation_date",
            "product",
            "quantity",
            "unit",
            "reference_document_type",
            "reference_document_number",
        ),
        (),
    ),
}
TLC_ASSIGNING = frozenset({"initial_packing", "first_land_based_receiving", "transformation"})


def _has_path(path: str, fields: frozenset[str] | None) -> bool:
    if fields is None:  # the form is missing: reported by check_flow already
        return True
    parts = path.split(".")
    return any(".".join(parts[:k]) in fields for k in range(1, len(parts) + 1))


def _known_source(
    source: str, fields: frozenset[str] | None, flow: Flow, forms: Mapping[tuple[str, int], FormInfo]
) -> bool:
    if source.startswith("@"):
        return source in CONTEXT_SOURCES
    if ":" in source:  # "<node>:<field>": kept by an earlier step of the same instance
        node_id, _, path = source.partition(":")
        other = flow.nodes.get(node_id)
        if other is None:
            return False
        if path.startswith("@"):
            return path in CONTEXT_SOURCES
        info = forms.get((other.form.key, other.form.version))
        return _has_path(path, info.fields if info is not None else None)
    return _has_path(source, fields)


@register_check(name="fsma204")
def check_fsma204(flow: Flow, forms: Mapping[tuple[str, int], FormInfo]) -> Iterator[Problem]:
    """KDE coverage and TLC assignment of every node that declares an FSMA 204 CTE."""
    for node in flow.nodes.values():
        raw: Any = flow.definition["nodes"][node.index].get("cte")
        if not isinstance(raw, Mapping) or raw.get("standard") != "fsma204":
            continue
        event = str(raw.get("event"))
        required, optional = FSMA204_KDES.get(event, ((), ()))
        kdes: Mapping[str, str] = raw.get("kdes") or {}
        path = (*node.path, "cte", "kdes")
        for kde in required:
            if kde not in kdes:
                yield Problem(path, "flow.kde_missing", {"event": event, "kde": kde})
        info = forms.get((node.form.key, node.form.version))
        fields = info.fields if info is not None else None
        for kde, source in kdes.items():
            if kde not in required and kde not in optional:
                yield Problem((*path, kde), "flow.kde_unknown", {"event": event, "kde": kde})
            elif not _known_source(str(source), fields, flow, forms):
                params = {"kde": kde, "source": source, "form": node.form.key}
                yield Problem((*path, kde), "flow.kde_unknown_field", params)
        if event not in TLC_ASSIGNING:
            for index, action in enumerate(node.actions):
                if action.get("type") == "create_item" and action.get("numbering"):
                    yield Problem((*node.path, "actions", index), "flow.tlc_not_allowed", {"event": event})
