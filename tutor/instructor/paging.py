"""Paging for the teacher reports: the helpers now live in `tutor.paging`, shared with the other
blueprints (the class roster, assignments); this name stays for the code that imports it."""
from __future__ import annotations

from tutor.paging import PER_PAGE, Page, page_number, paginate, paginate_query

__all__ = ["PER_PAGE", "Page", "page_number", "paginate", "paginate_query"]
