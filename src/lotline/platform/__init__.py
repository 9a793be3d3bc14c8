"""The Flask service. Build it with :func:`lotline.platform.app.create_app`."""
