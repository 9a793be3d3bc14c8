"""The application factory. Nothing connects at import; ``create_app`` builds everything."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from lotline.platform.config import Config, ensure_secret_key, load_config
from lotline.platform.db import Database
from lotline.platform.errors import LotlineApi, register_error_handlers
from lotline.platform.jobs import JobRunner
from lotline.platform.registry import load_models
from lotline.platform.request_logging import configure_logging, init_request_logging


def create_app(config: type[Config] | Mapping[str, Any] | None = None) -> Flask:
    """Build a Lotline app from a config class or mapping plus ``LOTLINE_*`` overrides."""
    values = load_config(config)
    instance_path = Path(values["INSTANCE_PATH"]).resolve()
    app = Flask("lotline", instance_path=str(instance_path), static_folder=None)
    app.config.update(values)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = ensure_secret_key(instance_path)

    configure_logging(app.config["LOG_LEVEL"])
    load_models()

    db = Database()
    db.init_app(app)
    JobRunner().init_app(app)

    api = LotlineApi(app)
    register_error_handlers(app, api)
    init_request_logging(app)

    from lotline.platform.audit import views as audit_views
    from lotline.platform.auth import context as auth_context
    from lotline.platform.auth import passwords
    from lotline.platform.auth.views import blp as auth_blp
    from lotline.platform.capture.views import blp as capture_blp
    from lotline.platform.definitions import views as definitions_views
    from lotline.platform.genealogy.views import blp as genealogy_blp
    from lotline.platform.labels.views import blp as labels_blp
    from lotline.platform.masterdata.views import blp as masterdata_blp
    from lotline.platform.packs.views import blp as packs_blp
    from lotline.platform.quality.views import blp as quality_blp
    from lotline.platform.reports.views import blp as reports_blp
    from lotline.platform.system.views import blp as system_blp
    from lotline.platform.web import bp as web_bp

    passwords.configure_hasher(app.config["PASSWORD_HASHING"])
    auth_context.init_app(app)
    api.register_blueprint(system_blp)
    api.register_blueprint(auth_blp)
    api.register_blueprint(audit_views.blp)
    for blueprint in (
        definitions_views.forms_blp,
        definitions_views.flows_blp,
        definitions_views.instances_blp,
    ):
        api.register_blueprint(blueprint)
    api.register_blueprint(masterdata_blp)
    api.register_blueprint(capture_blp)
    api.register_blueprint(genealogy_blp)
    api.register_blueprint(labels_blp)
    api.register_blueprint(reports_blp)
    api.register_blueprint(quality_blp)
    api.register_blueprint(packs_blp)
    app.register_blueprint(web_bp)
    _declare_openapi_document(app)
    return app


def _declare_openapi_document(app: Flask) -> None:
    """flask-smorest's own OpenAPI JSON route is public by nature: declare it so."""
    import functools

    from lotline.platform.security import public

    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith("api-docs."):
            app.view_functions[endpoint] = public(functools.wraps(view)(functools.partial(view)))
