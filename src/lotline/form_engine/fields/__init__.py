"""The field catalogue: one small registered class per field type.

Importing this package registers every built-in type in ``FIELD_TYPES``. See each module's
docstring for a type's options, problem codes and normalised value:

- ``simple``: text, number, integer, boolean, date, datetime
- ``choice``: select, multi_select
- ``scanning``: scan (item/lot, serial, material, equipment, operator, location, container)
- ``measurement``: measurement (spec limits -> pass / warn / fail)
- ``group``: repeating group
- ``records``: photo, attachment, signature, computed
"""

from __future__ import annotations

from . import choice, group, measurement, records, scanning, simple
from .base import COMMON_OPTIONS, FIELD_TYPES, FieldType, build_field, register_field_type

__all__ = [
    "COMMON_OPTIONS",
    "FIELD_TYPES",
    "FieldType",
    "build_field",
    "choice",
    "group",
    "measurement",
    "records",
    "register_field_type",
    "scanning",
    "simple",
]
