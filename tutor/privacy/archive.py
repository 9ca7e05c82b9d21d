"""The download's two forms: one JSON file, and the same rows as CSV files in one ZIP."""
from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from tutor.privacy.data import tables
from tutor.spreadsheet import csv_bytes

README = """个人信息导出 / Personal data export

每个 CSV 文件是一类数据（UTF-8，可用 Excel 打开）；data.json 是同样内容的 JSON。
时间均为 UTC（协调世界时，北京时间 = UTC + 8 小时）。
Each CSV file holds one kind of row; data.json holds the same. Times are UTC.

account.csv        账号信息 / account
classes.csv        所在班级 / classes
answers.csv        每一次作答（题目、作答、得分、时间）/ every scored answer
practice_sets.csv  练习记录 / practice sets
deliveries.csv     每次出题的选项顺序 / how each question was shown
question_standing.csv 每道题的作答统计 / per-question summary
notebook.csv       错题本 / wrong-answer notebook
favourites.csv     收藏 / starred questions
review_cards.csv   智能复习卡片 / review cards
sequence_cursors.csv 顺序练习进度 / sequential practice position
settings.csv       设置（一键作答、字号、每日目标、考试日期）/ settings
exam_papers.csv    模拟考试试卷 / mock exam papers
exam_answers.csv   试卷上的作答 / answers on those papers
submissions.csv    作业提交与老师评语 / assignment submissions with teacher comments
notes.csv          题目笔记 / notes on questions
question_reports.csv 纠错及老师回复 / reported problems in questions, with the replies
"""


def to_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def cell(value: Any) -> Any:
    """A JSON value in one CSV cell: lists and objects (a response, a card) as JSON text."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def to_zip(data: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr("data.json", to_json(data))
        for name, (header, rows) in tables(data).items():
            archive.writestr(f"{name}.csv", csv_bytes(header, ([cell(row.get(h)) for h in header] for row in rows)))
    return buffer.getvalue()
