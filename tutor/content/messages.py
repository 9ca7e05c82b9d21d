"""Pydantic's validation errors, told to an instructor in Chinese."""
from __future__ import annotations

from typing import Any, Mapping

_QUOTE_HINT = "；如果要写成文本，请加引号，例如 \"{value}\""
_QUOTED_CHARS = 40     # how much of an author's value an error message repeats


def clip(text: str, limit: int) -> str:
    """At most `limit` characters and a note of the full length: a value can be a megabyte long."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 个字符）"


def pydantic_message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if kind == "missing":
        return "缺少必填字段"
    if kind == "extra_forbidden":
        return "未知字段（是否拼写错误？）"
    if kind == "string_type":
        hint = _QUOTE_HINT.format(value=_yaml_text(value)) if isinstance(value, (bool, int)) else ""
        return f"应为文本，而不是 {_describe(value)}{hint}"
    if kind in ("int_type", "int_parsing"):
        return f"应为整数，而不是 {_describe(value)}"
    if kind == "bool_type":
        return f"应为 true 或 false，而不是 {_describe(value)}"
    if kind in ("tuple_type", "list_type"):
        return f"应为列表（每项以“- ”开头），而不是 {_describe(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"应为“键: 值”映射，而不是 {_describe(value)}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == r"\S":
            return "不能为空"
        if "A-H" in str(ctx.get("pattern")):
            return f"应为 A 到 H 之间的一个大写字母，而不是 {clip(repr(value), _QUOTED_CHARS)}"
        return f"格式不对：只能用小写字母、数字、点、下划线和连字符，且以字母或数字开头（{clip(repr(value), _QUOTED_CHARS)}）"
    if kind == "string_too_long":
        return f"太长了，最多 {ctx.get('max_length')} 个字符"
    if kind == "too_short":
        return f"至少需要 {ctx.get('min_length')} 项"
    if kind == "too_long":
        return f"最多只能有 {ctx.get('max_length')} 项"
    if kind == "greater_than_equal":
        return f"应不小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"应不大于 {ctx.get('le')}"
    if kind == "union_tag_invalid":
        return f"未知题型 {clip(repr(ctx.get('tag')), _QUOTED_CHARS)}，这里可用的题型：{ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "缺少 type（题型）"
    if kind == "literal_error":
        return f"只能是 {ctx.get('expected')}"
    return str(err.get("msg"))


def _describe(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"布尔值 {str(value).lower()}"
    if isinstance(value, int):
        return f"数字 {value}"
    if isinstance(value, tuple):
        return "列表"
    if isinstance(value, dict):
        return "映射"
    return f"文本 {str(value)[:_QUOTED_CHARS]!r}"


def _yaml_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
