"""Moodle's formats, GIFT and Moodle XML: import of every type each maps, refusal (reported,
never silent) of what we cannot represent, errors with their lines, round trips over the real
chapter bank, and 1,000-question files within the time budget."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from test_transfer_helpers import FIXTURES, loads_cleanly, message_at
from tutor.content.loader import load
from tutor.content.transfer import (export_gift, export_moodle_xml, import_data, import_file,
                                    import_gift, import_moodle_xml, looks_like_gift, to_model)
from tutor.content.transfer.gift import escape

ROOT = Path(__file__).resolve().parent.parent
# What a round trip must keep: the question as the student sees and is scored on it.
CORE = ("type", "knowledge_point", "stem", "options", "answer", "explanation", "blanks", "items",
        "partial_credit", "pairs", "distractors", "rubric", "model_answer")


@pytest.fixture(scope="module")
def bank() -> tuple[Any, ...]:
    catalog = load(ROOT / "content")
    assert catalog.ok, catalog.errors
    return catalog.course("chapter8").questions


def by_stem(result: Any) -> dict[str, dict[str, Any]]:
    return {q["stem"]: q for q in result.questions}


def core(question: Any, keys: tuple[str, ...] = CORE) -> dict[str, Any]:
    """The fields a round trip keeps, with text trimmed (YAML `|` blocks end in a line break)."""
    def trim(value: Any) -> Any:
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, (list, tuple)):
            return [trim(v) for v in value]
        if isinstance(value, dict):
            return {k: trim(v) for k, v in value.items()}
        return value
    dumped = question.model_dump(mode="json")
    return {key: trim(dumped[key]) for key in keys if key in dumped}


# ---------------------------------------------------------------- GIFT import

def test_gift_fixture_maps_every_type(tmp_path: Path) -> None:
    result = import_file(FIXTURES / "examples.gift", topic="survey", knowledge_point="survey.steps")
    assert result.problems == [] and result.skipped == []
    q = by_stem(result)
    single = q["企业客户的名称、地址和电话属于客户调查内容中的（ ）。"]
    assert single["type"] == "single" and single["answer"] == "A"
    assert single["knowledge_point"] == "survey.content"           # from $CATEGORY: .../survey.content
    assert single["explanation"] == "名称、地址、电话是客户最基本的档案信息，属于客户基础材料。"
    multiple = q["按照教材，客户调查的内容包括（ ）。"]
    assert multiple["type"] == "multiple" and multiple["answer"] == ["A", "B", "D"]
    assert q["客户的服务区域和经营观念属于客户特征的调查内容。"]["answer"] is True
    false = q["客户调查只针对现有客户进行。"]
    assert false["answer"] is False
    assert false["explanation"] == "答对时：答对了。\n答错时：错了，潜在客户也要调查。"
    missing_word = q["邮件调查的费用{{1}}，但可靠性较差。"]
    assert missing_word["type"] == "fill" and missing_word["blanks"] == [["最低", "最少"]]
    assert missing_word["knowledge_point"] == "survey.methods"
    at_end = q["我国外贸业务员考试中，客户调查的第一个阶段叫什么阶段？{{1}}"]
    assert at_end["blanks"] == [["预备调查", "预备"]] and at_end["explanation"] == "第一阶段是预备调查阶段。"
    mw_choice = q["客户调查中，邮件调查的可靠性（ ），但费用最低。"]
    assert mw_choice["type"] == "single" and mw_choice["answer"] == "B"
    assert mw_choice["options"] == ["最高", "最小", "居中"]
    matching = q["请把调查方法与其特点配对。"]                      # [markdown] prefix stripped
    assert matching["pairs"][0] == {"left": "邮件调查", "right": "费用最低，可靠性最小"}
    assert matching["distractors"] == ["完全不需要费用"]
    escaped = next(v for k, v in q.items() if k.startswith("公式"))
    assert escaped["stem"].startswith("公式 a = b {c} 中的 ~ 和 # 都是文字。")   # [html] and escapes
    assert escaped["stem"].endswith("第二行。") and escaped["options"][0] == "对: 是文字"
    loads_cleanly(result, tmp_path)


def test_gift_weights_and_feedback_are_noted_not_lost() -> None:
    result = import_file(FIXTURES / "examples.gift", topic="survey", knowledge_point="survey.steps")
    warnings = {str(w) for w in result.warnings}
    assert "第 7 行：各选项的单独反馈没有导入（本系统只有一段解析，已使用总反馈）" in warnings
    partial = [w for w in result.warnings if "-50%" in w.message]
    assert partial and partial[0].where == "第 57 行"
    assert by_stem(result)["多选（部分扣分）：以下属于客户调查方法的是（ ）。"]["answer"] == ["A", "B"]


def test_gift_refusals_and_errors_are_reported_with_their_lines() -> None:
    result = import_file(FIXTURES / "broken.gift", topic="survey", knowledge_point="survey.methods")
    expected = {
        3: "数值题（numerical）", 5: "问答题（essay）", 7: "“描述”条目", 9: "花括号 { } 不配对",
        11: "有多个满分（100%）的正确答案", 13: "缺少 ->", 15: "没有正确答案",
        20: "一道题只能有一个答案块",
    }
    for line, text in expected.items():
        assert text in message_at(result, f"第 {line} 行"), line
    assert {p.where for p in result.problems} == {f"第 {n} 行" for n in expected}
    assert [s.split(" ")[1] for s in result.skipped] == ["3", "5", "7", "9", "11", "13", "15", "19"]
    assert [q["stem"] for q in result.questions] == ["这一题没有问题（ ）。"]


@pytest.mark.parametrize("text, kind, answer", [
    ("甲是乙。{T}", "truefalse", True),
    ("甲是乙。{FALSE}", "truefalse", False),
    ("甲是（ ）。{=乙 ~丙 ~丁}", "single", "A"),
    ("甲是（ ）。{~%100%乙 ~丙}", "single", "A"),
    ("甲是（ ）。{~%50%乙 ~%50%丙 ~丁}", "multiple", ["A", "B"]),
    ("甲是（ ）。{~%-100%乙 ~%25%丙 ~%75%丁}", "multiple", ["B", "C"]),
    ("甲是{=乙 =%50%丙}。", "fill", None),
])
def test_gift_answer_blocks(text: str, kind: str, answer: Any) -> None:
    result = import_gift(text, topic="survey", knowledge_point="survey.methods")
    assert result.problems == [] and result.questions[0]["type"] == kind
    if answer is not None:
        assert result.questions[0]["answer"] == answer


def test_gift_partial_short_answers_and_unequal_weights_warn() -> None:
    result = import_gift("甲是{=乙 =%50%丙}。\n\n甲是（ ）。{~%25%乙 ~%75%丙 ~丁}", topic="survey",
                         knowledge_point="survey.methods")
    assert result.questions[0]["blanks"] == [["乙"]]
    messages = " ".join(w.message for w in result.warnings)
    assert "部分得分的答案“丙”（50%）没有导入" in messages and "不是平分 100%" in messages


def test_gift_category_that_is_not_a_knowledge_point() -> None:
    result = import_gift("$CATEGORY: $course$/top/客户调查\n\n甲是乙。{T####对。}", topic="survey")
    assert result.questions == [] and "没有知识点" in message_at(result, "第 3 行")
    assert "不是知识点 id" in str(result.warnings[0]) and result.warnings[0].where == "第 1 行"
    result = import_gift("$CATEGORY: $course$/top/客户调查\n\n甲是乙。{T####对。}", topic="survey",
                         knowledge_point="survey.methods")
    assert result.questions[0]["knowledge_point"] == "survey.methods"


def test_txt_is_told_apart_by_its_content() -> None:
    assert looks_like_gift((FIXTURES / "examples.gift").read_text(encoding="utf-8"))
    assert not looks_like_gift((FIXTURES / "tagged.txt").read_text(encoding="utf-8"))
    gift = import_data("bank.txt", (FIXTURES / "examples.gift").read_bytes(), topic="survey",
                       knowledge_point="survey.methods")
    tagged = import_data("bank.txt", (FIXTURES / "tagged.txt").read_bytes(), topic="survey",
                         knowledge_point="survey.methods")
    assert len(gift.questions) == 10 and len(tagged.questions) == 6


def test_gift_escape_covers_every_reserved_character() -> None:
    text = "a\\b ~ = # { } : 换\n行"
    assert escape(text) == "a\\\\b \\~ \\= \\# \\{ \\} \\: 换\\n行"
    result = import_gift(f"{escape(text)}{{=x ~y}}", topic="t", knowledge_point="t.k")
    assert result.questions[0]["stem"] == text


# ---------------------------------------------------------------- Moodle XML import

def test_moodle_xml_fixture_maps_every_type(tmp_path: Path) -> None:
    result = import_file(FIXTURES / "moodle.xml", topic="survey")
    q = by_stem(result)
    single = q["企业客户的名称、地址和电话属于客户调查内容中的（ ）。"]     # HTML and &nbsp; turned to text
    assert single["answer"] == "A" and single["options"][0] == "客户基础材料"
    assert single["difficulty"] == 1 and single["section"] == "二(一)1"
    assert single["knowledge_point"] == "survey.content"
    assert q["按照教材，客户调查的内容包括（ ）。"]["answer"] == ["A", "C"]
    assert q["客户的服务区域属于客户特征的调查内容。"]["answer"] is True
    assert q["邮件调查的费用{{1}}，但可靠性较差。"]["blanks"] == [["最低", "最少"]]
    assert q["邮件调查的费用{{1}}，但可靠性{{2}}。"]["blanks"] == [["最低", "最少"], ["最小"]]
    matching = q["请把调查方法与其特点配对。"]
    assert len(matching["pairs"]) == 2 and matching["distractors"] == ["完全免费"]
    ordering = q["请将客户调查的三个阶段按先后顺序排列。"]
    assert ordering["items"] == ["预备调查阶段", "正式调查阶段", "结果处理阶段"]   # by fraction
    assert "partial_credit" not in ordering                                   # ALL_OR_NOTHING
    short = q["客户调查的内容可分为哪几类？"]
    assert short["rubric"][1] == {"point": "客户特征", "accept": ["客户特征"], "points": 2}
    assert short["model_answer"] == "客户调查的内容分为四类。"
    assert sorted(x["type"] for x in result.questions) == ["fill", "fill", "matching", "multiple",
                                                           "ordering", "short", "single", "truefalse"]
    loads_cleanly(result, tmp_path)


def test_moodle_xml_refusals_are_reported_with_their_lines() -> None:
    result = import_file(FIXTURES / "moodle.xml", topic="survey")
    assert "描述条目不是题目" in message_at(result, "第 102 行")
    assert "数值题" in message_at(result, "第 107 行")
    assert "没有评分要点" in message_at(result, "第 113 行")
    assert "MULTICHOICE 空无法导入" in message_at(result, "第 119 行")
    assert len(result.problems) == 4 and len(result.skipped) == 4
    assert any(w.where == "第 54 行" and "“低”（50%）" in w.message for w in result.warnings)


def test_broken_xml_is_reported_with_its_line() -> None:
    result = import_file(FIXTURES / "broken.xml", topic="survey")
    assert result.questions == [] and "开始标签和结束标签不匹配" in message_at(result, "第 6 行")
    result = import_file(FIXTURES / "entities.xml", topic="survey")   # no entity expansion
    assert result.questions == [] and "DOCTYPE" in message_at(result, "第 2 行")
    result = import_moodle_xml("<html><body/></html>", topic="survey")
    assert "这不是 Moodle XML 题目文件" in message_at(result, "第 1 行")


# ---------------------------------------------------------------- round trips over the real bank

def carried(bank: tuple[Any, ...], skipped: list[str]) -> list[Any]:
    left_out = {line.split("（")[0] for line in skipped}
    return [q for q in bank if q.id not in left_out]


def test_gift_round_trip_keeps_every_carried_question(bank: tuple[Any, ...], tmp_path: Path) -> None:
    text, skipped = export_gift(bank)
    expected_skips = {q.id for q in bank if q.type in ("ordering", "case", "short")
                      or (q.type == "fill" and len(q.blanks) != 1)}
    assert {line.split("（")[0] for line in skipped} == expected_skips
    kept = carried(bank, skipped)
    assert {q.type for q in kept} == {"single", "multiple", "truefalse", "fill", "matching"}
    result = import_gift(text, topic="survey")
    assert result.problems == [] and result.warnings == []
    assert len(result.questions) == len(kept)
    for original, imported in zip(kept, result.questions):
        assert core(to_model(imported)) == core(original), original.id
    loads_cleanly(result, tmp_path)


def test_moodle_xml_round_trip_keeps_every_carried_question(bank: tuple[Any, ...], tmp_path: Path) -> None:
    text, skipped = export_moodle_xml(bank)
    # a short question whose rubric ties phrases to labels (with) or cancels them (unless) is left out too
    assert {line.split("（")[0] for line in skipped} == {q.id for q in bank if q.type == "case" or (
        q.type == "short" and any(item.with_ or item.unless for item in q.rubric))}
    kept = carried(bank, skipped)
    assert {q.type for q in kept} == {"single", "multiple", "truefalse", "fill", "matching",
                                      "ordering", "short"}
    result = import_moodle_xml(text.encode("utf-8"), topic="survey")
    assert result.problems == [] and result.warnings == []
    assert len(result.questions) == len(kept)
    extra = ("difficulty", "section", "tags")          # Moodle tags carry these too
    for original, imported in zip(kept, result.questions):
        assert core(to_model(imported), CORE + extra) == core(original, CORE + extra), original.id
    loads_cleanly(result, tmp_path)


def test_exports_name_their_categories_and_skips(bank: tuple[Any, ...]) -> None:
    gift, skipped = export_gift(bank)
    assert "$CATEGORY: $course$/top/survey.methods" in gift
    assert any("GIFT 没有排序题" in line for line in skipped)
    assert any("有 2 个空" in line for line in skipped)
    xml, skipped = export_moodle_xml(bank, category_root="$course$/top/第八章")
    assert "<text>$course$/top/第八章/survey.methods</text>" in xml
    assert all("案例分析" in line or "with/unless" in line for line in skipped)


# ---------------------------------------------------------------- 1,000 questions

def _thousand() -> list[Any]:
    questions = []
    for i in range(1000):
        base = {"id": f"t.k-{i}", "knowledge_point": "t.k", "stem": f"第 {i} 题（ ）。", "explanation": "解析。"}
        kind = i % 5
        if kind == 0:
            base.update(type="single", options=("甲", "乙", "丙"), answer="B")
        elif kind == 1:
            base.update(type="multiple", options=("甲", "乙", "丙"), answer=("A", "C"))
        elif kind == 2:
            base.update(type="truefalse", answer=True)
        elif kind == 3:
            base.update(type="fill", stem=f"第 {i} 题：{{{{1}}}}。", blanks=(("甲", "乙"),))
        else:
            base.update(type="matching", pairs=({"left": "甲", "right": "一"}, {"left": "乙", "right": "二"}))
        questions.append(to_model(base))
    return questions


@pytest.mark.parametrize("export, read", [(export_gift, import_gift), (export_moodle_xml, import_moodle_xml)])
def test_a_thousand_questions_import_in_under_five_seconds(export: Any, read: Any) -> None:
    text, skipped = export(_thousand())
    assert skipped == []
    start = time.perf_counter()
    result = read(text, topic="t")
    elapsed = time.perf_counter() - start
    assert result.problems == [] and len(result.questions) == 1000
    assert elapsed < 5, f"{elapsed:.2f} s"


def test_gift_refuses_text_it_would_misread() -> None:
    weight = to_model({"id": "t.k-1", "type": "single", "knowledge_point": "t.k", "stem": "甲（ ）。",
                       "options": ["%50%的客户", "乙"], "answer": "A", "explanation": "……"})
    text, skipped = export_gift([weight])
    assert "t.k-1" not in text and skipped and "误读" in skipped[0]
