"""Strict YAML reading: bytes in, plain values plus the position of every value out.

Plain scalars follow a small YAML 1.2-like core (true/false, integers, null) and everything
else stays the text the author typed, so `NO` or `1.10` never turn into a boolean or a float.
Sequences become tuples so that loaded content is immutable all the way down.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.resolver import BaseResolver

MAX_FILE_BYTES = 1 << 20
MAX_DEPTH = 40
# Fields whose few values recur in every item of a bank (a 10,000-question bank is held by
# every worker): one shared string each instead of one per item.
_SHARED_VALUES = frozenset({"type", "knowledge_point", "section", "topic", "tags"})

try:
    from yaml._yaml import CParser as _Parser

    LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    LIBYAML = False

Path = tuple[str | int, ...]

_INT = re.compile(r"[-+]?[0-9]+\Z")
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_NULL = {"", "~", "null", "Null", "NULL"}
_PLAIN_TAGS = {BaseResolver.DEFAULT_SCALAR_TAG, BaseResolver.DEFAULT_SEQUENCE_TAG,
               BaseResolver.DEFAULT_MAPPING_TAG}

_DEFAULT_TAGS = {yaml.ScalarNode: BaseResolver.DEFAULT_SCALAR_TAG,
                 yaml.SequenceNode: BaseResolver.DEFAULT_SEQUENCE_TAG,
                 yaml.MappingNode: BaseResolver.DEFAULT_MAPPING_TAG}

if LIBYAML:
    class _Composer(_Parser, BaseResolver):  # type: ignore[misc,valid-type]
        """libyaml parser with a resolver that knows no implicit types."""

        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            BaseResolver.__init__(self)

        # libyaml calls these back for every node. With no implicit or path resolvers each
        # untagged node gets its kind's default tag, as BaseResolver would give it after
        # looking through its empty tables.
        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            return _DEFAULT_TAGS[kind]

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass
else:  # pragma: no cover
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Composer(Reader, Scanner, Parser, Composer, BaseResolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            BaseResolver.__init__(self)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, 1-based line and column."""

    line: int
    column: int
    path: Path
    message: str


@dataclass
class Document:
    """A parsed file: its value, where each value stands, and what went wrong."""

    value: Any = None
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def position(self, path: Path) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that exists."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    if len(data) > MAX_FILE_BYTES:
        return None, Problem(1, 1, (), f"文件过大（{len(data)} 字节），每个文件最多 {MAX_FILE_BYTES} 字节，请拆分成多个文件")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = "（看起来是 GBK/GB18030 编码）"
        except UnicodeDecodeError:
            pass
        return None, Problem(line, column, (), f"文件不是 UTF-8 编码{hint}，请在编辑器中以 UTF-8 另存")


def parse(data: bytes) -> Document:
    """Parse one YAML file strictly; never raises for bad input."""
    doc = Document()
    text, problem = decode(data)
    if problem is not None or text is None:    # decode gives text whenever it finds no problem
        doc.problems.extend([problem] if problem is not None else [])
        return doc
    if "\x00" in text:
        doc.problems.append(Problem(1, 1, (), "文件中含有空字符（NUL），不是文本文件"))
        return doc
    composer = None
    try:
        composer = _Composer(text)
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        last = max(len(text.splitlines()), 1)
        if line > last:   # libyaml places "unexpected end" past the last line: point at that line
            line, column = last, len(text.splitlines()[-1]) + 1 if text.strip() else 1
        detail = exc.problem or exc.context or "无法解析"
        doc.problems.append(Problem(line, column, (), f"YAML 语法错误：{detail}"))
        return doc
    except yaml.reader.ReaderError as exc:
        before = text[:exc.position] if isinstance(exc.position, int) else ""
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        doc.problems.append(Problem(line, column, (), f"文件中含有不允许的控制字符 #x{exc.character:04x}"
                                    if isinstance(exc.character, int) else "文件中含有不允许的字符"))
        return doc
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        doc.problems.append(Problem(1, 1, (), f"YAML 语法错误：{exc.__class__.__name__}"))
        return doc
    finally:
        if composer is not None:
            composer.dispose()
    if node is None:
        doc.problems.append(Problem(1, 1, (), "文件是空的"))
        return doc
    doc.value = _Builder(doc).build(node, (), 0)
    if "&" in text:           # rare in Chinese text: the second pass costs only files that have one
        anchors = _anchors(text, doc)
        if anchors:
            doc.problems = sorted(doc.problems + anchors, key=lambda p: (p.line, p.column))
    return doc


def _anchors(text: str, doc: Document) -> list[Problem]:
    """Every anchor (`&a`), used or not. The composed nodes do not keep their anchors, so the
    parser's events are read once more; an alias is reported where it is used, by `_Builder`."""
    found: list[Problem] = []
    parser = _Parser(text) if LIBYAML else yaml.SafeLoader(text)
    try:
        while (event := parser.get_event()) is not None:
            anchor = getattr(event, "anchor", None)
            if anchor and not isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                found.append(Problem(mark.line + 1, mark.column + 1, _path_at(doc, mark.line + 1, mark.column + 1),
                                     f"不允许使用锚点 &{anchor}（锚点和别名都不允许），请把内容直接写出"))
    except yaml.YAMLError:
        pass                  # the file composed already; nothing more to learn here
    finally:
        parser.dispose()
    return found


def _path_at(doc: Document, line: int, column: int) -> Path:
    """The deepest path whose value starts at or before (line, column): where the anchor sits."""
    best: Path = ()
    for path, at in doc.positions.items():
        if at <= (line, column) and (not best or doc.positions[best] <= at):
            best = path
    return best


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[int] = set()

    def problem(self, node: yaml.Node, path: Path, message: str) -> None:
        mark = node.start_mark
        self.doc.problems.append(Problem(mark.line + 1, mark.column + 1, path, message))

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        mark = node.start_mark
        self.doc.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        if id(node) in self.seen:
            line, column = self.doc.positions[path]
            self.doc.problems.append(
                Problem(line, column, path, "不允许使用锚点和别名（& 与 *），请把内容直接写出"))
            return None
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            self.problem(node, path, f"嵌套层数超过 {MAX_DEPTH} 层")
            return None
        if node.tag not in _PLAIN_TAGS:
            self.problem(node, path, f"不允许使用标签 {node.tag}")
            return None
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node)
            if isinstance(value, str) and path and (path[-1] in _SHARED_VALUES or path[-2:-1] == ("tags",)):
                return sys.intern(value)
            return value
        if isinstance(node, yaml.SequenceNode):
            return tuple(self.build(item, path + (index,), depth + 1)
                         for index, item in enumerate(node.value))
        return self.mapping(node, path, depth)

    @staticmethod
    def scalar(node: yaml.ScalarNode) -> Any:
        value = node.value
        if node.style:   # quoted or block: always text (plain is None, or "" from libyaml)
            return value
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        if value in _NULL:
            return None
        if _INT.match(value):
            return int(value)
        return value

    def mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                self.problem(key_node, path, "键必须是简单文本")
                continue
            key = sys.intern(key_node.value)   # thousands of items repeat the same few keys
            line = key_node.start_mark.line + 1
            if key == "<<" and not key_node.style:
                self.problem(key_node, path, "不允许使用合并键 <<，请把内容直接写出")
                continue
            if key in result or key in first_line:
                self.problem(key_node, path + (key,), f"重复的键 {key}（第一次出现在第 {first_line[key]} 行）")
                continue
            first_line[key] = line
            self.doc.positions[path + (key,)] = (line, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return result
