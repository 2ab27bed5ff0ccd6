"""How good are the drafts of `legquiz generate`? Figures per article of the evaluation set, against the targets.

    python benchmarks/generate_quality.py [ARTICLE ...] [--sample N] [--seed S]

Per article: drafts and drafts per 100 words; the share of false among the
true/false statements (target 35-65 %); how often "has a negation, so false"
gives the answer (target at most 70 %); number gaps; multiple-choice drafts
(target at least one per 150 words) and the share of their choices that
occur in the article; whether every source is verbatim in the article; and
whether a hard-wrapped copy of the article gives the same sentences as the
same article with every paragraph on one line. ``--sample N`` also prints N
random drafts per article, for reading them one by one. Exit status 1 when
a target is missed.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from legquiz.convert.generate import NEGATION, Draft, Generator  # noqa: E402
from legquiz.convert.textprep import ATX, FENCE, ITEM, QUOTE, TABLE, UNDERLINE, prepare, read_article  # noqa: E402
from legquiz.core.model import QType  # noqa: E402

ARTICLES = ROOT / "tests" / "data" / "articles"
BLOCK_START = (ATX, FENCE, ITEM, QUOTE, TABLE, UNDERLINE)


def unwrap(text: str) -> str:
    """Every paragraph (and list item) on one line; headings, code and tables as they are."""
    out: list[str] = []
    code = False
    for line in text.split("\n"):
        if FENCE.match(line):
            code = not code
        joinable = out and out[-1].strip() and line.strip() and not code and not FENCE.match(out[-1])
        if joinable and not any(p.match(line) for p in BLOCK_START) and not ATX.match(out[-1]):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def wrap(text: str, width: int = 72) -> str:
    """Every long line of ``text`` hard-wrapped at ``width`` columns, list items with a hanging indent."""
    out: list[str] = []
    code = False
    for line in unwrap(text).split("\n"):
        if FENCE.match(line):
            code = not code
        if code or len(line) <= width or ATX.match(line) or TABLE.match(line):
            out.append(line)
            continue
        item = ITEM.match(line)
        indent = " " * len(item.group(0)) if item else ""
        out.append(textwrap.fill(line, width, subsequent_indent=indent, break_on_hyphens=False, break_long_words=False))
    return "\n".join(out)


def describe(d: Draft) -> str:
    q = d.question
    if q.type is QType.CLOZE:
        extra = f"   (also: {', '.join(q.aliases)})" if q.aliases else ""
        return f"cloze: {q.text}{extra}"
    if q.type is QType.MULTIPLE_CHOICE:
        return f"choice: {q.question}  [{' | '.join(q.choices)}] -> {q.answer}"
    why = f"   ({q.explanation})" if q.explanation else ""
    return f"{'TRUE ' if q.answer else 'FALSE'} [{d.kind}]: {q.question}{why}"


def measure(path: Path, sample: int, rng: random.Random) -> bool:
    article = read_article(path)
    t0 = time.perf_counter()
    drafts = Generator(article).drafts()
    seconds = time.perf_counter() - t0
    words = article.words
    tf = [d for d in drafts if d.question.type is QType.TRUE_FALSE]
    false = [d for d in tf if d.question.answer is False]
    predicted = sum((NEGATION.search(d.question.question) is not None) == (d.question.answer is False) for d in tf)
    gaps = [d for d in drafts if d.question.type in (QType.CLOZE, QType.MULTIPLE_CHOICE)]
    numbers = [d for d in gaps if d.number]
    mc = [d for d in drafts if d.question.type is QType.MULTIPLE_CHOICE]
    plain = " ".join(s.text for s in article.sentences).lower()
    choices = [c for d in mc for c in d.question.choices]
    in_article = sum(re.search(rf"(?<![\w-]){re.escape(c.lower())}(?![\w-])", plain) is not None for c in choices)
    raw = " ".join(article.text.split())
    verbatim = all(d.question.source in raw for d in drafts)
    flat = [s.text for s in prepare(path.name, unwrap(article.text)).sentences]
    wrapped_same = flat == [s.text for s in prepare(path.name, wrap(article.text)).sentences]
    share_false = len(false) / len(tf) if tf else 0.0
    negation = predicted / len(tf) if tf else 1.0
    mc_per_150 = len(mc) * 150 / words if words else 0.0
    checks = {
        "35-65% false": 0.35 <= share_false <= 0.65,
        "negation <= 70%": negation <= 0.70,
        ">= 1 MC/150 words": mc_per_150 >= 1.0,
        "sources verbatim": verbatim,
        "wrapped == unwrapped": wrapped_same,
    }
    print(f"\n{path.name}: {words} words, {len(article.sentences)} sentences, drafted in {seconds:.2f} s")
    print(f"  drafts             {len(drafts)} ({len(drafts) * 100 / words:.1f} per 100 words)")
    print(f"  true/false         {len(tf)}, false {len(false)} ({share_false:.0%}) by "
          + ", ".join(f"{k} {sum(d.kind == k for d in false)}" for k in ("swap", "number", "order", "antonym", "negation")))  # fmt: skip
    print(f"  negation predicts  {predicted}/{len(tf)} ({negation:.0%}); true with a 'not': "
          f"{sum(d.question.answer is True and NEGATION.search(d.question.question) is not None for d in tf)}")  # fmt: skip
    print(f"  gaps               {len(gaps)}, of which numbers {len(numbers)}")
    print(
        f"  multiple choice    {len(mc)} ({mc_per_150:.2f} per 150 words); choices in the article {in_article}/{len(choices)}"
    )
    print(f"  sources verbatim   {verbatim}")
    print(f"  wrapped == unwrapped {wrapped_same} ({len(flat)} sentences)")
    print("  targets            " + "; ".join(f"{k}: {'ok' if v else 'MISSED'}" for k, v in checks.items()))
    if sample:
        print(f"  {min(sample, len(drafts))} random drafts:")
        for n, d in enumerate(sorted(rng.sample(drafts, min(sample, len(drafts))), key=drafts.index), 1):
            print(f"   {n:2}. {describe(d)}")
    return all(checks.values())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("articles", nargs="*", type=Path, help="articles to measure (default: tests/data/articles/)")
    ap.add_argument("--sample", type=int, default=0, metavar="N", help="print N random drafts per article")
    ap.add_argument("--seed", type=int, default=17, help="seed of the random sample (default 17)")
    args = ap.parse_args()
    paths = args.articles or sorted(
        p for p in ARTICLES.iterdir() if p.suffix in (".txt", ".md", ".rst") and p.stem != "README"
    )
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    read_article(paths[0])
    Generator(read_article(paths[0])).drafts()  # first load: the tagger's lexicon, pysbd's rules
    print(f"first load (tagger lexicon, sentence splitter): {time.perf_counter() - t0:.2f} s")
    ok = [measure(p, args.sample, rng) for p in paths]
    print(f"\n{sum(ok)}/{len(ok)} articles meet every target")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
