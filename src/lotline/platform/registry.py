"""Imports every domain's models so ``Base.metadata`` is complete (Alembic, schema tests)."""

from __future__ import annotations

from sqlalchemy import MetaData


def load_models() -> MetaData:
    from lotline.platform import refcache
    from lotline.platform.audit import capture
    from lotline.platform.audit import models as _audit  # noqa: F401
    from lotline.platform.auth import models as _auth
    from lotline.platform.capture import models as _capture  # noqa: F401
    from lotline.platform.db import Base
    from lotline.platform.definitions import models as _definitions
    from lotline.platform.genealogy import models as _genealogy  # noqa: F401
    from lotline.platform.masterdata import models as _masterdata
    from lotline.platform.packs import models as _packs  # noqa: F401
    from lotline.platform.quality import models as _quality  # noqa: F401
    from lotline.platform.system import models as _system  # noqa: F401

    capture.install()  # audited models are recorded by every session, whoever opens it
    refcache.install()
    refcache.watch(  # reference data that captures read from the per-process cache
        _auth.Site,
        _auth.Role,
        _auth.RoleAssignment,
        _definitions.Definition,
        _definitions.DefinitionVersion,
        _masterdata.ProductionLine,
        _masterdata.Station,
        _masterdata.Equipment,
        _masterdata.Location,
        _masterdata.Partner,
        _masterdata.Material,
        _masterdata.Bom,
        _masterdata.BomLine,
    )
    return Base.metadata
