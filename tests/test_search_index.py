"""The search core (tutor/search) on the real chapter: segmentation, the chapter's terms, ranking,
odd queries, highlighting. Pure: no app, no database."""
from __future__ import annotations

from pathlib import Path

import pytest

from tutor.content.loader import load
from tutor.search import LESSON, QUESTION, SearchIndex, highlight, index_for
from tutor.search.index import question_fields, section_fields
from tutor.search.segment import MAX_QUERY_CHARS, Segmenter, fold, normalise_query, terms_from

pytestmark = pytest.mark.storeless

CONTENT = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture(scope="module")
def course():
    return load(CONTENT).course("chapter8")


@pytest.fixture(scope="module")
def index(course) -> SearchIndex:
    return index_for(course)


def text_of(index: SearchIndex, hit) -> str:
    return "\n".join(text for _, _, text in index.fields(hit.doc))


# ------------------------------------------------------------------ segmentation and terms


def test_the_chapters_terms_come_from_the_lessons_bold_text(index) -> None:
    terms = index.segmenter.terms
    assert {"垄断忠诚", "信赖忠诚", "防守策略", "客户调查", "焦点人群法", "竞争流失"} <= terms
    # sentences set in bold are not terms; nor are two-character words (jieba has those)
    assert not any("的" in t or len(t) < 3 or len(t) > 7 for t in terms)


def test_terms_from_takes_off_list_numbers_and_colons() -> None:
    assert terms_from(["**4. 焦点人群法**：选定", "**信赖忠诚：**", "**这是什么意思**", "**信赖**"]) == {
        "焦点人群法", "信赖忠诚"}


def test_a_term_is_one_query_word_not_jiebas_pieces(index) -> None:
    for term in ("垄断忠诚", "防守策略", "客户调查", "信赖忠诚", "焦点人群法"):
        assert index.segmenter.query_words(term) == [term]
    # without the chapter's terms jieba cuts them up
    assert Segmenter().query_words("垄断忠诚") == ["垄断", "忠诚"]


def test_document_words_hold_the_term_and_its_parts() -> None:
    segmenter = Segmenter(["垄断忠诚", "正式调查阶段", "调查阶段"])
    words = list(segmenter.document_words("属于垄断忠诚的客户进入正式调查阶段"))
    assert {"垄断忠诚", "垄断", "忠诚", "正式调查阶段", "调查阶段", "客户"} <= set(words)
    assert not any(len(w) == 1 for w in words)


def test_query_words_drop_stop_words_and_punctuation(index) -> None:
    assert index.segmenter.query_words("客户流失的原因是什么？") == ["客户", "流失", "原因"]
    assert index.segmenter.query_words("的") == ["的"]         # nothing else asked: kept
    assert index.segmenter.query_words("！？。，") == []


def test_normalise_query() -> None:
    assert normalise_query("  客戶調查  ") == ("客户调查", False)          # Traditional finds Simplified
    assert normalise_query("ＣＲＭ　系统") == ("crm 系统", False)           # full-width, ideographic space
    assert normalise_query("a\x00b\u200bc") == ("abc", False)
    text, cut = normalise_query("忠" * 500)
    assert cut and len(text) == MAX_QUERY_CHARS
    assert normalise_query("忠" * MAX_QUERY_CHARS) == ("忠" * MAX_QUERY_CHARS, False)


def test_fold_keeps_every_position() -> None:
    text = "ＡＢＣ客户ABC　調查"
    assert len(fold(text)) == len(text) and fold(text) == "abc客户abc 調查"


# ------------------------------------------------------------------ finding and ranking


@pytest.mark.parametrize("query", ["垄断忠诚", "防守策略", "客户调查", "信赖忠诚", "焦点人群法"])
def test_a_term_is_found_whole_and_exact_matches_come_first(index, query) -> None:
    results = index.search(query)
    hits = results.lessons + results.questions
    assert results.lessons and results.questions and not results.partial
    for hit in hits:        # every result has the term itself, not its two halves apart
        assert query in fold(text_of(index, hit))
    assert all(h.exact >= 1 for h in hits)


def test_lesson_sections_that_teach_the_term_lead(index) -> None:
    assert index.search("焦点人群法").lessons[0].doc.key == "survey.methods"
    assert index.search("信赖忠诚").lessons[0].doc.key == "churn.loyalty_types"
    assert index.search("防守策略").lessons[0].doc.key == "churn.competitive_strategies"


def test_a_match_in_the_title_or_stem_ranks_above_one_in_the_body(index) -> None:
    results = index.search("客户调查")
    places = [h.exact for h in results.lessons]
    assert places == sorted(places, reverse=True) and places[0] == 2
    first = index.fields(results.lessons[0].doc)[0][2]
    assert "客户调查" in first


def test_several_words_all_have_to_be_there(index) -> None:
    results = index.search("人员走访 电话调查")
    assert results.lessons and not results.partial
    for hit in results.lessons + results.questions:
        text = fold(text_of(index, hit))
        assert "人员走访" in text and "电话调查" in text


def test_words_apart_rank_below_the_phrase(index) -> None:
    results = index.search("客户流失原因")
    exact = [h for h in results.questions if h.exact]
    apart = [h for h in results.questions if not h.exact]
    assert apart, "客户/流失/原因 apart are found too"
    if exact:
        assert results.questions.index(exact[-1]) < results.questions.index(apart[0])


def test_a_word_jieba_cuts_differently_is_found_by_its_characters(index) -> None:
    results = index.search("调查者")           # inside 被调查者
    assert results.lessons and all("调查者" in fold(text_of(index, h)) for h in results.lessons)
    single = index.search("法")                 # one character: by substring
    assert single.lessons and all("法" in text_of(index, h) for h in single.lessons)


def test_questions_are_found_by_options_and_explanations(index, course) -> None:
    q = next(q for q in course.questions if q.type == "single")
    option = q.options[1]
    results = index.search(option[:12])
    assert q.id in [h.doc.key for h in results.questions]


def test_excluded_questions_are_left_out_and_counted(index) -> None:
    everything = index.search("垄断忠诚")
    hidden = {h.doc.key for h in everything.questions[:3]}
    results = index.search("垄断忠诚", exclude=hidden)
    assert not hidden & {h.doc.key for h in results.questions}
    assert results.withheld == 3 and len(results.questions) == len(everything.questions) - 3
    assert results.lessons == everything.lessons


@pytest.mark.parametrize("query", ["", "   ", "\x00\x01", "！？。，", "xyzzy不存在的词qqq", "<script>alert(1)</script>",
                                   "' OR 1=1 --", ".*(a+)+$", "🙂🙂", "\ud800", "忠" * 5000, "的 的 的"])
def test_odd_queries_never_fail(index, query) -> None:
    results = index.search(query)
    assert len(results.query) <= MAX_QUERY_CHARS
    assert results.cut == (len(query) > MAX_QUERY_CHARS)


def test_an_empty_query_finds_nothing(index) -> None:
    for query in ("", "   ", "！？"):
        results = index.search(query)
        assert results.empty and not results.partial


def test_nothing_shared_is_a_partial_result_only_with_half_the_words(index) -> None:
    assert index.search("<script>alert(1)</script>").empty       # script, alert, 1: no half of them
    results = index.search("信赖忠诚 xyzzy")
    assert results.partial and results.lessons


def test_two_hundred_characters_at_most(index) -> None:
    long_query = "客户调查" + "啊" * 400
    results = index.search(long_query)
    assert results.cut and len(results.query) == MAX_QUERY_CHARS


# ------------------------------------------------------------------ highlighting


def test_highlight_marks_the_words_on_the_text_as_written() -> None:
    segments = highlight("ＣＲＭ与信赖忠诚", ["信赖忠诚", "crm"])
    assert segments == [("ＣＲＭ", True), ("与", False), ("信赖忠诚", True)]


def test_highlight_merges_overlaps_and_clips_to_a_window() -> None:
    assert highlight("客户调查表", ["客户调查", "调查表"]) == [("客户调查表", True)]
    text = "甲" * 100 + "垄断忠诚" + "乙" * 100
    segments = highlight(text, ["垄断忠诚"], width=40)
    assert segments[0] == ("…", False) and segments[-1] == ("…", False)
    assert ("垄断忠诚", True) in segments
    assert sum(len(t) for t, _ in segments[1:-1]) == 40


def test_highlight_leaves_markup_as_text_for_the_page_to_escape() -> None:
    segments = highlight("<b>信赖</b>", ["<b>"])
    assert segments == [("<b>", True), ("信赖</b>", False)]


# ------------------------------------------------------------------ the index follows the content


def test_the_index_is_rebuilt_for_a_reloaded_course(course, tmp_path) -> None:
    import shutil
    shutil.copytree(CONTENT, tmp_path / "content")
    first = load(tmp_path / "content").course("chapter8")
    before = index_for(first)
    assert index_for(first) is before
    lesson_file = tmp_path / "content" / "chapter8" / "lessons" / "survey.yaml"
    lesson_file.write_text(lesson_file.read_text(encoding="utf-8").replace("焦点人群法", "焦点访谈法"),
                           encoding="utf-8")
    second = load(tmp_path / "content").course("chapter8")
    after = index_for(second)
    assert after is not before and after.course is second
    assert after.search("焦点访谈法").lessons[0].exact
    assert not any(hit.exact for hit in before.search("焦点访谈法").lessons)
    index_for(course)         # leave the real course's index for the other tests


def test_every_document_of_the_chapter_is_indexed(index, course) -> None:
    kinds = [d.kind for d in index.docs]
    assert kinds.count(LESSON) == sum(len(lesson.sections) for lesson in course.lessons)
    assert kinds.count(QUESTION) == len(course.questions)
    for q in course.questions:           # every type gives a stem and something more to read
        fields = question_fields(q)
        assert fields[0][0] == "题干" and len(fields) > 1
    section = course.lessons[0].sections[0]
    assert [label for label, _, _ in section_fields(section)][:2] == ["标题", "要点"]
