"""Short-answer grading (简答) on the real chapter 8 bank: a held-out set of right and wrong answers,
not in the YAML calibration, and the rules behind it, each shown on a real question."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tutor.content.loader import load
from tutor.questions import GradingSettings, grade
from tutor.questions.case import Case

ROOT = Path(__file__).resolve().parents[1]
COURSE = load(ROOT / "content").course()
QUESTIONS = {q.id: q for q in COURSE.questions}
SHORT_IDS = sorted(q.id for q in COURSE.questions if q.type == "short")

# Right answers (full marks) and wrong ones (at most 40%) written for this test only.
HELD_OUT: dict[str, tuple[list[str], list[str]]] = {
    "churn.loyalty_types-s01": (
        ["按教材，客户忠诚包括：垄断忠诚，亲缘忠诚，利益忠诚，方便忠诚，信赖忠诚。",
         "(1)壟斷忠誠 (2)親緣忠誠 (3)利益忠誠 (4)方便忠誠 (5)信賴忠誠"],
        ["客户忠诚分为信用度忠诚、满意度忠诚和价值忠诚。",
         "垄断 亲缘 利益 方便 信赖 价值 满意 信用 关系 VIP"]),
    "churn.loyalty_methods-s01": (
        ["①树立双赢观念，真诚对待客户；②建立完善的客户信息数据库；③提高客户的兴趣，有意接触客户并发现商机；④建立反馈机制，倾听客户的意见；⑤妥善处理客户的抱怨。"],
        ["没有必要追求双赢，不用建客户信息数据库，无需倾听客户的意见，也不必处理客户的抱怨。",
         "双赢 档案 兴趣 反馈 抱怨"]),
    "churn.causes-s01": (
        ["一、商品价格（主要原因）\n二、业务操作中微妙事件处理不当（常见原因）\n三、商品品质达不到要求\n四、消极的服务接触\n五、竞争对手的行动\n六、搬迁、死亡等非自愿原因"],
        ["客户流失与商品价格无关，也不是因为微妙事件或商品品质，更不是竞争对手的行动。",
         "价格 事件 品质 服务接触 对手 死亡"]),
    "churn.handling-s01": (
        ["第一，自然流失要以平和心态对待，认识其必然性；第二，竞争流失要有计划地处理，选用进攻、防守或撤退策略；第三，过失流失要高度重视，找出根源，维护信誉和形象。"],
        ["1.自然流失：有计划地采取进攻、防守、撤退策略。\n2.竞争流失：高度重视，查明根源，维护信誉形象。\n3.过失流失：保持平和心态，认识必然性。",
         "自然流失 平和 竞争流失 进攻 过失流失 根源"]),
    "churn.competitive_strategies-s01": (
        ["进攻策略——集中力量发挥优势，改进商品品质，与对手正面竞争；\n防守策略——自身能力有限时，实行优惠价格，巩固现有市场；\n撤退策略——前景不利时放弃这种产品，开辟新市场。"],
        ["撤退策略要集中力量、改进商品品质，正面竞争；进攻策略是能力有限时实行优惠价格；防守策略是前景不利时放弃产品、开辟新市场。",
         "三种策略为进攻、防守、撤退：集中力量，正面竞争，能力有限，优惠价格，前景不利，腾出资源"]),
    "overview.definition-s01": (
        ["进出口贸易客户管理，就是进出口商对现有客户与潜在客户的科学管理，它源自客户管理理论，是科学管理的重要组成部分，以客户开发和客户维护为重要内容，和贸易操作共同保障企业发展。"],
        ["它不是针对现有客户或潜在客户的管理，并非源于客户管理理论，也无需客户开发与客户维护。",
         "现有客户 潜在客户 理论 组成部分 开发 维护"]),
    "overview.principles-s01": (
        ["一是加强与客户的沟通、建立良好的合作关系；二是深化内涵建设，以高质量的商品占领市场；三是关注客户的特点，提供人性化服务；四是合理规避客户流失。"],
        ["原则是：不必与客户沟通，不用搞内涵建设，无需人性化服务，不用防止客户流失。",
         "沟通 高质量 人性化 规避"]),
    "overview.process-s01": (
        ["客户调查→客户细分→客户流失分析。客户调查：收集客户资源信息，打下管理工作的基础；客户细分：依不同特征分类，采取有针对性的措施；客户流失分析：先分析流失的原因。"],
        ["客户调查：分析流失原因。客户细分：收集客户资源信息。客户流失分析：按特征分类，有针对性地维护。",
         "客户调查 收集 客户细分 分类 客户流失分析 原因"]),
    "segmentation.necessity-s01": (
        ["细分以后，企业便于选择目标客户、制定有针对性的营销策略，便于发掘市场机会、开拓新市场，也便于集中人力物力跟踪重点客户。"],
        ["细分并不能帮助选择目标客户，无法发掘市场机会，也没有办法跟踪重点客户。",
         "目标客户 市场机会 人力物力"]),
    "segmentation.standards-s01": (
        ["标准一：按客户与企业的关系，有现有客户、潜在客户、历史客户、竞争者客户；标准二：按客户对企业的价值，有VIP客户、主要客户、普通客户、小客户；标准三：按评价客户的指标，有信用度、满意度、忠诚度三种细分。"],
        ["按客户对企业的价值，可分为现有客户、潜在客户、历史客户；按评价客户的指标，可分为VIP客户、普通客户、小客户；按客户与企业的关系，可分为信用度、满意度、忠诚度。",
         "关系 价值 指标：现有客户、VIP客户、信用度"]),
    "survey.content-s01": (
        ["包括：客户基础材料；客户特征；客户业务状况；客户交易现状。"],
        ["客户调查的内容是预备调查、正式调查和结果处理。",
         "基础材料 特征 业务状况 交易现状 地址 法人代表 销售能力 主打产品 信用状况"]),
    "survey.steps-s01": (
        ["分三个阶段：预备调查阶段、正式调查阶段、结果处理阶段。\n正式调查阶段：\n（1）决定收集资料的方法\n（2）准备调查表格\n（3）抽样设计与调查"],
        ["客户调查分预备调查、正式调查、结果处理三个阶段。结果处理阶段：决定搜集资料的方法、准备调查表格、抽样设计与调查。",
         "预备调查 正式调查 结果处理 表格 抽样"]),
    "survey.steps-s02": (
        ["要检查并评定前期搜集的资料：是否充分，是否详实、完整，能否满足调查目的的需要；不够的，在统计分析前补充收集。"],
        ["无需检查资料，不必评定，不用管是否充分、是否完整，不必满足调查目的，不需要补充。",
         "检查 评定 充分 完整 补充"]),
    "survey.methods-s01": (
        ["优点有二：简便快捷；耗费的人力物力较人员走访少。缺点有四：无法广泛交流；调查面较窄；有时受语种影响；可靠性不及人员走访。"],
        ["电话调查的优点是可靠性比人员走访高，能广泛交流，调查面宽，不受语种影响；缺点是不简便。",
         "简便快捷 人力物力 交流 语种 可靠性"]),
}


def pasted_lesson(question) -> str:
    """The lesson section of the question's knowledge point, pasted as an answer."""
    section = COURSE.section(question.knowledge_point) if hasattr(COURSE, "section") else None
    if section is None:
        section = next(s for lesson in COURSE.lessons for s in lesson.sections
                       if s.knowledge_point == question.knowledge_point)
    return "\n".join((section.title, *section.key_points, section.explanation))


def test_the_held_out_set_covers_every_chapter_short_question() -> None:
    assert sorted(HELD_OUT) == SHORT_IDS and len(SHORT_IDS) == 14


@pytest.mark.parametrize("question_id", SHORT_IDS)
def test_held_out_right_answers_earn_full_marks(question_id: str) -> None:
    for answer in HELD_OUT[question_id][0]:
        result = grade(QUESTIONS[question_id], answer)
        assert result.correct, (answer, result)


@pytest.mark.parametrize("question_id", SHORT_IDS)
def test_held_out_wrong_answers_and_the_pasted_lesson_earn_at_most_40_percent(question_id: str) -> None:
    question = QUESTIONS[question_id]
    for answer in HELD_OUT[question_id][1] + [pasted_lesson(question)]:
        result = grade(question, answer)
        assert result.fraction <= 0.4, (answer[:60], result)


@pytest.mark.parametrize("question_id", SHORT_IDS)
def test_the_model_answer_and_every_calibration_answer_grade_as_the_yaml_says(question_id: str) -> None:
    question = QUESTIONS[question_id]
    assert grade(question, question.model_answer).correct
    assert len(question.calibration) >= 6
    total = sum(item.points for item in question.rubric)
    assert sum(c.score == total for c in question.calibration) >= 3
    assert sum(c.score <= 0.4 * total for c in question.calibration) >= 3
    for case in question.calibration:
        assert grade(question, case.answer).score == case.score


STRATEGIES = QUESTIONS["churn.competitive_strategies-s01"]


def test_a_method_counts_only_under_its_own_label() -> None:
    right = grade(STRATEGIES, "进攻策略：集中力量，正面竞争")
    swapped = grade(STRATEGIES, "撤退策略：集中力量，正面竞争")
    assert right.parts[:2] == (True, True) and right.score == 2
    assert swapped.score == 0


def test_a_clause_naming_two_categories_ties_its_phrases_to_neither() -> None:
    assert grade(STRATEGIES, "进攻和防守策略都要改进商品品质、实行优惠价格").score == 0
    assert grade(STRATEGIES, "防守策略要实行优惠价格").score == 1


def test_a_negation_just_before_a_phrase_cancels_it_and_unless_phrases_cancel_the_point() -> None:
    methods = QUESTIONS["survey.methods-s01"]
    assert grade(methods, "优点：简便快捷").score == 1
    assert grade(methods, "优点：并不简便快捷").score == 0
    assert grade(methods, "缺点：可靠性不及人员走访").score == 1
    assert grade(methods, "缺点：可靠性不及人员走访，其实比人员走访可靠").score == 0
    necessity = QUESTIONS["segmentation.necessity-s01"]
    assert grade(necessity, "不仅有利于选择目标客户").score == 1      # 不仅 denies nothing


def test_list_markers_full_width_forms_and_traditional_characters_are_read_alike() -> None:
    plain = grade(STRATEGIES, "1.进攻策略：正面竞争，发挥优势 2.防守策略：能力有限，优惠价格 3.撤退策略：前景不利，腾出资源")
    for layout in ("（１）進攻策略：正面競爭，發揮優勢（２）防守策略：能力有限，優惠價格（３）撤退策略：前景不利，騰出資源",
                   "①进攻策略:正面竞争,发挥优势②防守策略:能力有限,优惠价格③撤退策略:前景不利,腾出资源"):
        assert grade(STRATEGIES, layout) == plain and plain.correct


def test_a_bare_keyword_list_and_an_overlong_answer_are_capped_at_40_percent() -> None:
    causes = QUESTIONS["churn.causes-s01"]
    sentence = "客户流失的原因有商品价格、微妙事件的不良处理、商品品质差、消极的服务接触、竞争对手的行动和非自愿的原因。"
    assert grade(causes, sentence).correct
    assert grade(causes, "价格 微妙事件 品质 服务接触 竞争对手 非自愿").score == 2
    overlong = sentence * (2 * len(causes.model_answer) // len(sentence) + 1)
    assert grade(causes, overlong).score == 2


def test_a_short_phrase_must_end_where_a_word_ends() -> None:
    methods = QUESTIONS["survey.methods-s01"]
    # 语言 is a word in 受语言影响, but only part of 语言学 (a different word): jieba decides
    assert grade(methods, "缺点：有时受语言影响").parts[4]
    assert not grade(methods, "缺点：要懂语言学").parts[4]


def test_grading_is_fast_and_jieba_loads_lazily() -> None:
    code = ("import sys, tutor.questions, tutor.content.loader; "
            "print('jieba' in sys.modules, 'opencc' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "False"]
    answers = [a for rights, wrongs in HELD_OUT.values() for a in rights + wrongs]
    grade(STRATEGIES, answers[0])           # the dictionary loads once, outside the timing
    start = time.perf_counter()
    for question_id, (rights, wrongs) in HELD_OUT.items():
        for answer in rights + wrongs:
            grade(QUESTIONS[question_id], answer + "。")   # not cached: a new text
    per_answer = (time.perf_counter() - start) / len(answers)
    assert per_answer < 0.005, per_answer


def test_content_check_reports_a_wrong_calibration_score_with_its_position(tmp_path: Path) -> None:
    tree = tmp_path / "content"
    shutil.copytree(ROOT / "content", tree)
    path = tree / "chapter8" / "questions" / "churn-more.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("        score: 0\n", text.index("id: churn.causes-s01"))
    line = text.count("\n", 0, first)       # the line of `- answer:` before the score (1-based)
    path.write_text(text[:first] + "        score: 4\n" + text[first + 17:], encoding="utf-8")
    errors = [str(e) for e in load(tree).errors]
    assert len(errors) == 1
    assert errors[0].startswith(f"content/chapter8/questions/churn-more.yaml:{line}:9: questions[")
    assert errors[0].endswith(".calibration[4]: 期望 4 分，实际 0 分")


def test_a_case_checks_the_calibration_of_its_short_sub_question_and_passes_its_settings() -> None:
    case = Case.model_validate({
        "id": "c", "type": "case", "knowledge_point": "churn.causes", "stem": "案例", "questions": [
            {"type": "multiple", "stem": "多选", "options": ["甲", "乙", "丙"], "answer": ["A", "B"],
             "explanation": "解析"},
            {"type": "short", "stem": "简答", "model_answer": "商品价格是主要原因", "explanation": "解析",
             "rubric": [{"point": "价格", "accept": ["价格"]}],
             "calibration": [{"answer": "与价格无关", "score": 1}]}]}, strict=False)
    from tutor.questions.case import check_case
    assert list(check_case(case)) == [(("questions", 1, "calibration", 0), "期望 1 分，实际 0 分")]
    partial = GradingSettings(multiple_choice_scoring="partial")
    assert grade(case, [["A"], "商品价格"], partial).score == 1.5
    assert grade(case, [["A"], "商品价格"]).score == 1.0


def test_a_hostile_answer_of_the_maximum_length_grades_quickly() -> None:
    causes = QUESTIONS["churn.causes-s01"]
    grade(causes, "价格")
    start = time.perf_counter()
    for answer in ("不价格" * 1666, "不价格，" * 1250):       # every phrase negated: all are read
        assert grade(causes, answer).score == 0
    # about 0.13 s (mostly jieba on 5,000 characters); 0.6 s when each phrase re-scanned the sentence
    assert time.perf_counter() - start < 0.3


def test_blank_labels_and_phrases_are_content_errors() -> None:
    from tutor.questions.short import check_short
    steps = QUESTIONS["survey.steps-s01"]
    broken = steps.model_copy(update={"labels": (("。",),), "calibration": ()})
    assert list(check_short(broken)) == [(("labels", 0, 0), "标签不能只有标点或空白")]


def test_phrases_and_labels_cut_by_punctuation_are_content_errors() -> None:
    """Answers are cut into clauses at ，：；。 and the like, so a phrase holding one could never
    be found: the content check says so instead of the point silently never scoring."""
    from tutor.questions.short import CUT_INSIDE, check_short
    steps = QUESTIONS["survey.steps-s01"]
    first = steps.rubric[0].model_copy(update={"accept": ("确定调查目的，制定计划",), "with_": ("准备。阶段",)})
    broken = steps.model_copy(update={"rubric": (first, *steps.rubric[1:]), "labels": (("准备：阶段",),),
                                      "calibration": ()})
    assert list(check_short(broken)) == [(("rubric", 0, "accept", 0), CUT_INSIDE), (("rubric", 0, "with", 0), CUT_INSIDE),
                                         (("labels", 0, 0), CUT_INSIDE)]
    assert grade(broken, "确定调查目的，制定计划").parts[0] is False     # why it is an error
    assert list(check_short(steps.model_copy(update={"calibration": ()}))) == []
