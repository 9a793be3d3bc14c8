"""Industry template packs as package data, with their loader and validator (engines only).

``available_packs(extra_roots)`` finds every pack (the shipped ones in this folder, then any in
extra folders a consultant adds), ``load_pack(path)`` reads one, ``check_pack(pack)`` validates
all of it with the form and workflow engines and the pack meta-schema, returning every problem
with its path. The platform's ``packs`` domain installs them; see ``pack.py`` for the format.
"""

from lotline.templates_library import messages as _messages  # noqa: F401  (registers the catalogue)
from lotline.templates_library.check import PLACEHOLDERS, check_pack, pack_schema
from lotline.templates_library.pack import (
    MASTERDATA_KINDS,
    SHIPPED_ROOT,
    Pack,
    available_packs,
    load_pack,
    parse_version,
    shipped_pack_ids,
)

__all__ = [
    "MASTERDATA_KINDS",
    "PLACEHOLDERS",
    "SHIPPED_ROOT",
    "Pack",
    "available_packs",
    "check_pack",
    "load_pack",
    "pack_schema",
    "parse_version",
    "shipped_pack_ids",
]
