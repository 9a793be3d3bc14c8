"""Moved to ``lotline.platform.demo``; kept while a test still imports it from here."""

from lotline.platform.demo import CAP_GTIN, GLUE_GTIN, RES_GTIN, build, produce

__all__ = ["CAP_GTIN", "GLUE_GTIN", "RES_GTIN", "build", "produce"]
