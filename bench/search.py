"""搜索 at scale: the search index (tutor/search) over a 10,000-question bank.

    python bench/search.py                        # 10,000 questions, every query 30 times
    python bench/search.py --questions 50 --repeat 2 --json out.json     # the smoke test

The bank is made in memory, not in files: the chapter's real questions (336) replicated and
varied until there are --questions of them. Each copy has its own id, its options in another
order, a phrase of the chapter swapped into its stem and its 解析 (so its words are not all
the original's), and a serial number in its stem. The 13 real lesson sections stay as they are.

It reports:
- index build time, cold (jieba's dictionary loaded first, timed apart) and after a reload that
  changed one question (the words of unchanged texts are kept from the last build);
- memory the index holds (the growth of the process's resident memory over the build);
- per query p50/p95/max (wall clock, and CPU time, which other processes on a shared machine
  do not inflate) over realistic queries: terms, several words, one character, a pasted
  stem, Traditional characters, an English word, nothing found; each with the snippets and
  highlights of a page of 20 questions and 8 lessons, as the search page makes them.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from types import MappingProxyType
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.content.course import Course  # noqa: E402
from tutor.content.loader import load  # noqa: E402
from tutor.search.index import SearchIndex, best_field, highlight  # noqa: E402
from tutor.questions.shorttext import _jieba  # noqa: E402

TARGET_MS = 50.0
# What students type: the chapter's terms, words of a question, a pasted stem, one character, Traditional
# characters, an English word, a typo that finds nothing.
QUERIES = ["垄断忠诚", "信赖忠诚", "防守策略", "客户调查", "焦点人群法", "客户流失的原因", "竞争流失 撤退策略",
           "人员走访 电话调查 邮件调查", "客户细分的标准", "忠诚", "法", "客戶調查的方法", "CRM",
           "下列哪一项不属于客户调查的方法", "客户管理的四项原则是什么", "价格", "抽样设计与调查", "xyzzy 不存在的说法"]
# Phrases of the chapter swapped into copies of the stems, so that words spread over the bank.
PHRASES = ["展会期间", "新兴市场", "老客户", "大宗订单", "付款条件", "售后服务", "交货期", "样品", "询盘",
           "报价单", "中东地区", "东南亚市场", "欧洲进口商", "长期合作", "首次合作", "竞争对手", "价格谈判"]


def bank(size: int, seed: int = 8) -> Course:
    """The real chapter with its questions replicated and varied to `size` questions."""
    course = load(ROOT / "content").course("chapter8")
    assert course is not None
    rng = random.Random(seed)
    real = list(course.questions)
    questions = []
    for n in range(size):
        q = real[n % len(real)]
        if n < len(real):
            questions.append(q)
            continue
        phrase = rng.choice(PHRASES)
        update: dict[str, Any] = {"id": f"{q.id}-v{n}",
                                  "stem": f"（{n}）{phrase}：{q.stem}" if q.type != "fill" else q.stem + f"（{phrase}）"}
        if getattr(q, "explanation", None):
            update["explanation"] = q.explanation + f"\n\n例如在{rng.choice(PHRASES)}的情形下。"
        if q.type == "single":
            order = list(range(len(q.options)))
            rng.shuffle(order)
            letters = "ABCDEFGH"
            update["options"] = tuple(q.options[i] for i in order)
            update["answer"] = letters[order.index(letters.index(q.answer))]
        questions.append(q.model_copy(update=update))
    return Course(course.manifest, course.lessons, tuple(questions),
                  MappingProxyType({q.id: str(i) for i, q in enumerate(questions)}), MappingProxyType({}))


def resident_bytes() -> int:
    """The process's resident memory now (Linux /proc; tracemalloc would slow the build fivefold)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def one_search(index: SearchIndex, query: str) -> int:
    """A query as the search page answers it: the ranking, then the snippets of one page."""
    results = index.search(query)
    for hit in results.lessons[:8] + results.questions[:20]:
        fields = index.fields(hit.doc)
        highlight(fields[0][2], results.highlight, 160)
        best = best_field(fields, results.highlight)
        if best is not None:
            highlight(best[1], results.highlight, 90)
    return len(results.lessons) + len(results.questions)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30, help="times each query is run")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    _jieba()
    jieba_seconds = time.perf_counter() - started
    course = bank(args.questions)
    gc.collect()
    before = resident_bytes()
    started = time.perf_counter()
    index = SearchIndex(course)
    build_seconds = time.perf_counter() - started
    gc.collect()
    held = resident_bytes() - before

    # A reload that changed one question: a new Course object, the old index handed over.
    changed = course.questions[0].model_copy(update={"stem": course.questions[0].stem + "（已修订）"})
    reloaded = Course(course.manifest, course.lessons, (changed, *course.questions[1:]), course.versions, course.sources)
    started = time.perf_counter()
    SearchIndex(reloaded, previous=index)
    rebuild_seconds = time.perf_counter() - started

    rows = []
    every: list[float] = []
    every_cpu: list[float] = []
    for query in QUERIES:
        found = one_search(index, query)          # a first run outside the timing
        times, cpu = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            one_search(index, query)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        every += times
        every_cpu += cpu
        rows.append({"query": query, "results": found, "p50_ms": round(statistics.median(times), 2),
                     "p95_ms": round(percentile(times, 0.95), 2), "max_ms": round(max(times), 2),
                     "cpu_p50_ms": round(statistics.median(cpu), 2)})

    figures = {
        "questions": len(course.questions), "sections": sum(len(lesson.sections) for lesson in course.lessons),
        "documents": len(index), "words": len(index.postings), "corpus_chars": len(index.corpus),
        "jieba_load_s": round(jieba_seconds, 2), "build_s": round(build_seconds, 2),
        "rebuild_after_reload_s": round(rebuild_seconds, 2), "index_memory_mb": round(held / 2**20, 1),
        "query_p50_ms": round(statistics.median(every), 2), "query_p95_ms": round(percentile(every, 0.95), 2),
        "query_max_ms": round(max(every), 2), "query_cpu_p50_ms": round(statistics.median(every_cpu), 2),
        "query_cpu_p95_ms": round(percentile(every_cpu, 0.95), 2), "load_average": os.getloadavg()[0],
        "target_ms": TARGET_MS, "queries": rows,
    }
    print(f"search index over {figures['questions']:,} questions and {figures['sections']} lesson sections "
          f"({figures['corpus_chars']:,} characters, {figures['words']:,} distinct words)")
    print(f"  jieba dictionary load  {jieba_seconds:6.2f} s (once per process)")
    print(f"  index build, cold      {build_seconds:6.2f} s")
    print(f"  rebuild after reload   {rebuild_seconds:6.2f} s (one question changed)")
    print(f"  memory held by index   {figures['index_memory_mb']:6.1f} MB")
    print(f"\n  {'query':<34}{'results':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'CPU p50':>9}")
    for row in rows:
        print(f"  {row['query']:<34}{row['results']:>8}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['max_ms']:>9.2f}"
              f"{row['cpu_p50_ms']:>9.2f}")
    verdict = "within" if figures["query_p95_ms"] < TARGET_MS else "OVER"
    print(f"\n  all queries: p50 {figures['query_p50_ms']:.2f} ms, p95 {figures['query_p95_ms']:.2f} ms, "
          f"max {figures['query_max_ms']:.2f} ms ({verdict} the {TARGET_MS:.0f} ms target)")
    # On a shared machine the wall clock counts other processes' turns too: CPU time does not.
    print(f"  CPU time per query: p50 {figures['query_cpu_p50_ms']:.2f} ms, p95 {figures['query_cpu_p95_ms']:.2f} ms"
          f" (load average {figures['load_average']:.1f} on {os.cpu_count()} cores)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
