"""Search over a course's lessons and questions: a pure core (no Flask, no database).

`index_for(course).search(query, exclude)` gives ranked lesson sections and questions;
`highlight` marks the matched words in a text for a page to show (docs/search.md).
"""
from tutor.search.index import LESSON, QUESTION, Doc, Hit, Results, SearchIndex, best_field, highlight, index_for

__all__ = ["LESSON", "QUESTION", "Doc", "Hit", "Results", "SearchIndex", "best_field", "highlight", "index_for"]
