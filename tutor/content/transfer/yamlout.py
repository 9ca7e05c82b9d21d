"""Writing questions as a YAML question file an instructor can read and edit.

Block style, Chinese as typed, multi-line text as `|` blocks, short lists of words inline
(`answer: [A, C, D]`, `- [最低, 最少]`) as in the hand-written files, and a blank line
between questions. Any text our strict reader would take for something else (`true`, `100`,
`null`, `08`) is quoted, so the file reads back exactly as written.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from tutor.content import yamlstrict
from tutor.content.transfer.fields import AFTER, BEFORE, BODY

# Lists written inline when short: the keys whose items are single words or letters.
INLINE_KEYS = {"answer", "tags", "accept", "distractors"}
INLINE_MAX = 60
MULTILINE_KEYS = {"stem", "explanation", "model_answer", "body"}


class _Inline(list):
    """A list to be written in flow style: [a, b]."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key ("questions:\n  - id: ..."), as our files do.
        super().increase_indent(flow, False)


def _needs_quotes(text: str) -> bool:
    """Would our strict reader read this plain text as something other than this text?"""
    return yamlstrict._Builder.scalar(yaml.ScalarNode("tag:yaml.org,2002:str", text)) != text


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    if _needs_quotes(text):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", text)


def _represent_inline(dumper: yaml.SafeDumper, items: _Inline) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(items), flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Inline, _represent_inline)


def _inline_fits(items: list[Any]) -> bool:
    return all(isinstance(i, (str, int, bool)) and "\n" not in str(i) for i in items) \
        and sum(len(str(i)) + 2 for i in items) <= INLINE_MAX


def _prepare(value: Any, key: str | None = None) -> Any:
    """Mark short word lists inline; end multi-line text with a line break so it is `|`, not `|-`."""
    if isinstance(value, dict):
        return {k: _prepare(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_prepare(v, key if key == "blanks" else None) for v in value]
        if key == "blanks" and all(isinstance(i, list) for i in items):
            return [_Inline(i) if _inline_fits(i) else i for i in items]
        return _Inline(items) if key in INLINE_KEYS and _inline_fits(items) else items
    if isinstance(value, str) and "\n" in value.strip() and key in MULTILINE_KEYS:
        return value.strip() + "\n"
    if isinstance(value, str) and "\n" in value:
        return value.strip()
    return value


def _ordered(question: dict[str, Any]) -> dict[str, Any]:
    """Keys in our files' order: id, type, knowledge_point, section, difficulty, stem, the
    type's own fields, explanation, tags; a case's sub-questions likewise."""
    order = BEFORE + BODY.get(str(question.get("type")), ()) + AFTER
    keys = [k for k in order if k in question] + [k for k in question if k not in order]
    result = {k: question[k] for k in keys}
    if question.get("type") == "case" and isinstance(result.get("questions"), (list, tuple)):
        result["questions"] = [_ordered(dict(sub)) for sub in result["questions"]]
    return result


def to_yaml(topic: str, questions: list[dict[str, Any]], schema_path: str | None = None) -> str:
    """A question file: `topic` and the questions, in the key order the dicts already have."""
    document = {"topic": topic, "questions": [_prepare(_ordered(q)) for q in questions]}
    text = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=10_000, indent=2)
    # A blank line between questions (each starts "  - id:" at the list's own indentation).
    text = re.sub(r"\n(  - id: )", r"\n\n\1", text).replace("questions:\n\n", "questions:\n", 1)
    header = f"# yaml-language-server: $schema={schema_path}\n" if schema_path else ""
    return header + text
