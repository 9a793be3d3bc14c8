"""Serves the built single-page app from ``frontend/dist``.

Client-side routes fall back to ``index.html``; anything under ``/api`` never does (an unknown
API path is a JSON 404).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory
from markupsafe import escape

from lotline.platform.security import public

bp = Blueprint("web", __name__)

_NOT_BUILT = """<!doctype html><html><head><meta charset="utf-8"><title>Lotline</title></head>
<body><h1>Lotline</h1><p>The front end is not built yet (looked in {dist}).
Run <code>make run</code>, or <code>npm --prefix frontend run build</code>.</p>
<p>前端尚未构建。请运行 <code>make run</code>。</p></body></html>"""


@bp.route("/", defaults={"path": ""})
@bp.route("/<path:path>")
@public
def spa(path: str) -> Response:
    if path == "api" or path.startswith("api/"):
        abort(404)
    dist = Path(current_app.config["FRONTEND_DIST"])
    if path and (dist / path).is_file():
        response = send_from_directory(dist, path)
        if path.startswith("assets/"):  # content-hashed by Vite: cache for a year
            response.cache_control.max_age = 31536000
            response.cache_control.public = True
            response.cache_control.immutable = True
        return response
    if not (dist / "index.html").is_file():
        return Response(_NOT_BUILT.format(dist=escape(str(dist))), 503, mimetype="text/html")
    response = send_from_directory(dist, "index.html")
    response.cache_control.no_cache = True
    return response
