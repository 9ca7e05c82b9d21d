"""Banks made the way Moodle and gift-pegjs make theirs (tests/fixtures/transfer/thirdparty/,
README there): every item compared field by field with what Moodle's own importer makes of
it, every element we cannot carry listed with its place, and pictures carried both ways."""
from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import pytest

from test_transfer_helpers import FIXTURES, loads_cleanly
from tutor.content.transfer import (export_gift, export_moodle_xml, import_data, import_file, import_gift,
                                    import_moodle_xml, to_model)
from tutor.content.transfer.limits import MAX_PICTURE_BYTES
from tutor.content.transfer.richtext import Pictures, html_to_markdown, picture_type

THIRDPARTY = FIXTURES / "thirdparty"
PLACEHOLDER = "（导入时未提供解析，请补充）"


def imported(name: str) -> Any:
    return import_file(THIRDPARTY / name, topic="survey", knowledge_point="survey.steps")


def items(result: Any) -> list[dict[str, Any]]:
    """The kept questions without the generated id, in file order."""
    return [{k: v for k, v in q.items() if k != "id"} for q in result.questions]


def said(result: Any) -> list[str]:
    return [str(w) for w in result.warnings] + [str(p) for p in result.problems]


# ---------------------------------------------------------------- Moodle XML

def test_moodle_xml_export_item_by_item(tmp_path: Path) -> None:
    result = imported("moodle_export.xml")
    kp = "survey.content"       # from the category's last level
    assert items(result) == [
        {"type": "single", "knowledge_point": kp,
         "stem": "下图是哪一种单据？\n![单据样张](images/invoice-scan-805924e65d.png)",
         "options": ["商业发票", "装箱单", "提单"], "answer": "A",
         "explanation": "见 [Moodle 文档](https://docs.moodle.org/en/Multiple_Choice_question_type)。\n\n"
                        "提示1：看单据上有没有**单价和总金额**。\n\n提示2：发票由卖方开出。",
         "tags": ["单据"]},
        {"type": "truefalse", "knowledge_point": kp,
         "stem": "FOB ![船](images/ship.gif) 条件下，风险在目的港转移给买方。", "answer": False,
         "explanation": "![说明](images/info.png)FOB 的风险在*装运港*货物装上船时转移。"},
        {"type": "fill", "knowledge_point": kp, "stem": "“装运港船上交货”的英文缩写是 {{1}}。",
         "blanks": [["FOB", "Free*Board"]], "case_sensitive": True, "explanation": "Free On Board，缩写 FOB。"},
        {"type": "fill", "knowledge_point": kp, "stem": "客户调查的第一个阶段是{{1}}阶段。",
         "blanks": [["预备调查"]], "explanation": PLACEHOLDER},
        {"type": "single", "knowledge_point": kp,
         "stem": "Listen to this greeting:\n\nWhat language is being spoken?\n\n点我",
         "options": ["French", "Spanish"], "answer": "A", "explanation": PLACEHOLDER},
        {"type": "matching", "knowledge_point": kp,
         "stem": "把调查方法与特点配对：\n\n- 每种方法只对应一个特点\n- 有一个干扰项",
         "pairs": [{"left": "邮件调查", "right": "费用最低"}, {"left": "人员走访", "right": "可靠性最高"}],
         "distractors": ["不需要费用"], "explanation": PLACEHOLDER},
        {"type": "single", "knowledge_point": kp,
         "stem": 'This is a multichoice question with an image in the old "image" field that was used in '
                 "Moodle 1.9\n\n![](images/info.png)",
         "options": ["wrong answer", "right answer"], "answer": "B", "explanation": PLACEHOLDER},
    ]
    # The pictures shown, by their safe names; the old-style picture has the bytes of info.png
    # and is carried once. The thumb in a per-answer feedback left out is not carried.
    assert sorted(result.media) == ["info.png", "invoice-scan-805924e65d.png", "ship.gif"]
    assert picture_type(result.media["ship.gif"]) == "gif" and picture_type(result.media["info.png"]) == "png"
    loads_cleanly(result, tmp_path)


def test_moodle_xml_export_lists_everything_it_does_not_carry() -> None:
    result = imported("moodle_export.xml")
    assert result.skipped == ["第 218 行 数值题「2 + 2 = ?」", "第 233 行 问答题（essay）「谈谈你对客户忠诚的理解。」"]
    listed = said(result)
    for expected in (
        "第 15 行：各选项的单独反馈没有导入（本系统只有一段解析，已使用总反馈）",
        "第 15 行：Moodle 的 2 条提示（hint）已并入解析",
        "第 15 行：答对时的反馈（correctfeedback）没有导入：本系统只有一段解析",
        "第 15 行：选项文字前的字母（如“A. 商业发”）已去掉：选项字母由系统自动显示",
        "第 74 行：各选项的单独反馈没有导入（本系统只有一段解析，已使用总反馈）",
        "第 106 行：答案“Free*Board”中的 * 在 Moodle 中是通配符，本系统按原文匹配：请把可接受的说法逐一列出",
        "第 162 行：题干中的链接的附件 bonjour.mp3 没有导入（只保留了链接文字）",
        "第 162 行：题干中的音频没有导入：本系统不支持",
        "第 162 行：题干中的图片 https://moodle.org/logo.png 没有导入：只能导入文件中自带的图片，不会从网上下载",
        "第 162 行：题干中的图片 shape.svg 没有导入：不是 PNG、JPEG、GIF 或 WebP 图片（按文件内容判断）",
        "第 162 行：题干中的图片 missing.png 没有导入：文件中没有它的内容（<file> 元素）",
        "第 162 行：题干中的嵌入网页（iframe）（https://www.youtube.com/embed/x）没有导入：本系统不支持",
        "第 162 行：题干中的链接 javascript:alert(1) 没有导入（只导入 http、https 和 mailto 链接，保留了链接文字）",
        "第 218 行：Moodle 的数值题本系统无法表示，没有导入",
    ):
        assert expected in listed, expected


def test_usecase_and_case_sensitive_gaps_are_kept_and_written_back() -> None:
    result = imported("moodle_export.xml")
    exact = next(q for q in result.questions if q.get("case_sensitive"))
    text, skipped = export_moodle_xml([to_model(exact)])
    assert skipped == [] and "<usecase>1</usecase>" in text
    assert import_moodle_xml(text, topic="survey").questions[0]["case_sensitive"] is True
    cloze = """<quiz><question type="cloze"><questiontext format="html"><text>{1:SAC:=FOB} 与 {1:SHORTANSWER_C:=CIF}</text>
      </questiontext></question><question type="cloze"><questiontext format="html"><text>{1:SA:=FOB} 与 {1:SAC:=CIF}</text>
      </questiontext></question></quiz>"""
    both, mixed = import_moodle_xml(cloze, topic="survey", knowledge_point="survey.steps").questions
    assert both["case_sensitive"] is True and "case_sensitive" not in mixed
    assert "{1:SHORTANSWER_C:=FOB}" in export_moodle_xml([to_model(both)])[0]


# ---------------------------------------------------------------- GIFT

def test_moodle_gift_fixture_item_by_item() -> None:
    result = imported("moodle_questions.gift")
    kp = "survey.steps"
    assert items(result) == [
        {"type": "matching", "knowledge_point": kp, "stem": "把**调查方法**与特点配对。",
         "pairs": [{"left": "邮件调查", "right": "费用最低"}, {"left": "人员走访", "right": "可靠性最高"},
                   {"left": "电话调查", "right": "速度最快"}, {"left": "网络调查", "right": "覆盖面最广"}],
         "distractors": ["不需要费用"], "explanation": PLACEHOLDER},
        {"type": "single", "knowledge_point": kp, "stem": "客户调查的第一个阶段是什么阶段？",
         "options": ["预备调查阶段", "正式调查阶段", "结果处理阶段"], "answer": "A",
         "explanation": "预备调查阶段：对，先做预备调查。\n正式调查阶段：错，*正式调查*在第二阶段。\n"
                        "结果处理阶段：错，这是最后一个阶段。"},
        {"type": "multiple", "knowledge_point": kp, "stem": "下列属于客户调查方法的是：",
         "options": ["邮件调查", "客户细分", "人员走访", "客户流失分析"], "answer": ["A", "C"],
         "explanation": "邮件调查：对\n客户细分：错\n人员走访：对\n客户流失分析：错"},
        {"type": "fill", "knowledge_point": kp, "stem": "费用最低的调查方法是？{{1}}", "blanks": [["邮件调查"]],
         "explanation": "邮件调查：对！\n邮寄：差不多。\n*：完全错误。"},
        {"type": "truefalse", "knowledge_point": kp, "stem": "客户调查只针对现有客户进行。", "answer": False,
         "explanation": "潜在客户同样是客户调查的对象。"},
        {"type": "truefalse", "knowledge_point": kp, "stem": "客户调查分为三个阶段。", "answer": True,
         "explanation": PLACEHOLDER},
        {"type": "truefalse", "knowledge_point": kp, "stem": "客户调查分为三个阶段。", "answer": True,
         "explanation": PLACEHOLDER},
    ]
    assert result.skipped == ["第 5 行 问答题（essay）「谈谈你对客户忠诚的理解。」",
                              "第 34 行 数值题（numerical）「1 到 5 之间的一个数是？」"]
    listed = said(result)
    assert "第 37 行：部分得分的答案“邮寄”（50%）没有导入：本系统填空题的答案只有对错" in listed
    assert "第 44 行：各选项的单独反馈没有导入（本系统只有一段解析，已使用总反馈）" in listed


def test_gift_pegjs_style_cases_item_by_item() -> None:
    result = imported("giftpegjs_cases.gift")
    kp = "survey.methods"        # $CATEGORY
    placeholder = {"knowledge_point": kp, "explanation": PLACEHOLDER}
    assert items(result) == [
        {"type": "fill", "stem": "中国的首都是哪座城市？{{1}}", "blanks": [["北京"]], **placeholder},
        {"type": "fill", "knowledge_point": kp, "stem": "“客户关系管理”的英文缩写是{{1}}。",
         "blanks": [["CRM", "customer relationship management"]],
         "explanation": "CRM：对\ncustomer relationship management：对，全称也算"},
        {"type": "truefalse", "knowledge_point": kp, "stem": "邮件调查的费用最低。", "answer": True,
         "explanation": "答对时：对。\n答错时：错了，邮件调查费用最低。"},
        {"type": "single", "stem": "公式 {a} = b 中的 ~、# 和 : 都是文字。", "options": ["是", "否"], "answer": "A",
         **placeholder},
        {"type": "single", "stem": "费用最低的调查方法是（ ）。", "options": ["人员走访", "邮件调查", "电话调查"],
         "answer": "B", **placeholder},
        {"type": "single", "stem": "下列哪项是**最重要**的客户资料？", "options": ["基础材料", "兴趣爱好"],
         "answer": "A", **placeholder},
        {"type": "single", "stem": "看图回答：![样张](images/image-805924e65d.png)", "options": ["发票", "提单"],
         "answer": "A", **placeholder},
        {"type": "truefalse", "stem": "参考 [GIFT 说明](https://docs.moodle.org/en/GIFT_format)。", "answer": True,
         **placeholder},
    ]
    assert list(result.media) == ["image-805924e65d.png"]
    assert result.skipped == ["第 35 行 描述「这是一段说明文字，不是题目。」", "第 38 行 数值题（numerical）「2 + 2 =」"]
    listed = said(result)
    for expected in ("第 19 行：选项文字前的字母（如“A、人员走访”）已去掉：选项字母由系统自动显示",
                     "第 29 行：题干中的图片 chart.png 没有导入：GIFT 文件不带图片文件（请改用 Moodle XML 导出，"
                     "或把图片放进课程的 images 文件夹）",
                     "第 32 行：题干中的视频（x.mp4）没有导入：本系统不支持"):
        assert expected in listed, expected


# ---------------------------------------------------------------- export with pictures and Markdown

def _course(tmp_path: Path, media: dict[str, bytes]) -> Path:
    folder = tmp_path / "course"
    (folder / "images").mkdir(parents=True)
    for name, data in media.items():
        (folder / "images" / name).write_bytes(data)
    return folder


def test_moodle_xml_round_trip_carries_pictures_and_markdown(tmp_path: Path) -> None:
    first = imported("moodle_export.xml")
    folder = _course(tmp_path, first.media)
    questions = [to_model(q) for q in first.questions]
    notes: list[str] = []
    text, skipped = export_moodle_xml(questions, course_folder=folder, notes=notes)
    assert skipped == [] and notes == []
    assert '<img src="@@PLUGINFILE@@/ship.gif" alt="船"' in text.replace("&lt;", "<").replace("&gt;", ">") \
        or "@@PLUGINFILE@@/ship.gif" in text
    assert '<file name="ship.gif" path="/" encoding="base64">' in text
    assert "&lt;strong&gt;单价和总金额&lt;/strong&gt;" in text              # Markdown written as HTML
    again = import_moodle_xml(text, topic="survey")
    assert [{k: v for k, v in q.items() if k != "tags"} for q in again.questions] == \
        [{k: v for k, v in q.items() if k != "tags"} for q in first.questions]
    assert again.media == first.media
    # without the course folder the picture cannot be written, and that is said
    notes = []
    export_moodle_xml(questions[:1], notes=notes)
    assert notes == [f"{questions[0].id}：图片 images/invoice-scan-805924e65d.png 没有写入文件"
                     "（导出时没有提供课程文件夹，无法读取图片文件），Moodle 中将显示不出"]


def test_gift_round_trip_writes_markdown_as_html_and_pictures_inline(tmp_path: Path) -> None:
    first = imported("giftpegjs_cases.gift")
    folder = _course(tmp_path, first.media)
    questions = [to_model(q) for q in first.questions]
    notes: list[str] = []
    text, skipped = export_gift(questions, course_folder=folder, notes=notes)
    assert skipped == []
    assert "[html]" in text and "data\\:image/png;base64," in text
    assert any("以 data: 形式写在 HTML 中" in note for note in notes)
    again = import_gift(text, topic="survey", knowledge_point="survey.steps")
    assert again.problems == []
    assert [q["stem"] for q in again.questions] == [q["stem"] for q in first.questions]
    assert [q.get("options") for q in again.questions] == [q.get("options") for q in first.questions]
    assert again.media == first.media        # the same bytes come back under the same hash name


# ---------------------------------------------------------------- pictures: kinds, sizes, names

def _xml_with_picture(name: str, data: bytes) -> str:
    return (f'<quiz><question type="truefalse"><questiontext format="html"><text>&lt;img src="@@PLUGINFILE@@/{name}"'
            f' alt="图"&gt;对吗？</text><file name="{name}" path="/" encoding="base64">'
            f'{base64.b64encode(data).decode()}</file></questiontext><answer fraction="100"><text>true</text>'
            '</answer><answer fraction="0"><text>false</text></answer></question></quiz>')


def test_pictures_are_judged_by_their_bytes_and_size() -> None:
    webp = b"RIFF\x1a\x00\x00\x00WEBPVP8L" + b"\x00" * 14
    ok = import_moodle_xml(_xml_with_picture("Chart 1.WEBP", webp), topic="survey", knowledge_point="survey.steps")
    assert ok.questions[0]["stem"].startswith("![图](images/chart-1-") and list(ok.media.values()) == [webp]
    named_png = import_moodle_xml(_xml_with_picture("../../etc/x.png", webp), topic="survey", knowledge_point="survey.steps")
    assert all("/" not in name and name.endswith(".webp") for name in named_png.media)   # the bytes decide
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_PICTURE_BYTES
    refused = import_moodle_xml(_xml_with_picture("big.png", big), topic="survey", knowledge_point="survey.steps")
    assert refused.media == {} and "图片 big.png 没有导入：大于 2 MB" in refused.warnings[0].message
    html = import_moodle_xml(_xml_with_picture("a.png", b"<html>not a picture</html>"), topic="survey",
                             knowledge_point="survey.steps")
    assert html.media == {} and "不是 PNG、JPEG、GIF 或 WebP 图片" in html.warnings[0].message


def test_hostile_markup_converts_in_linear_time() -> None:
    for hostile in ("<" * 200_000, "<a " * 100_000, "<b>" * 100_000, "</" * 100_000, "<!--" * 50_000,
                    "<img src=x>" * 20_000, "<ul><li>" * 20_000, "&#" * 100_000):
        start = time.perf_counter()
        html_to_markdown(hostile, {}, Pictures(), "题干")
        assert time.perf_counter() - start < 2.0, hostile[:10]


def test_web_upload_carries_the_pictures_too() -> None:
    data = (THIRDPARTY / "moodle_export.xml").read_bytes()
    result = import_data("bank.xml", data, topic="survey", knowledge_point="survey.steps")
    assert sorted(result.media) == ["info.png", "invoice-scan-805924e65d.png", "ship.gif"]
