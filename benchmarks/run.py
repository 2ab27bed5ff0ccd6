"""legquiz at scale: 10,000 questions and 1,000,000 reviews, measured against same-run baselines.

    python benchmarks/run.py           # the full benchmark (about a minute or two on 2 cores)
    python benchmarks/run.py --quick   # small sizes, no thresholds: a smoke test for CI

Generates, in a temporary LEGQUIZ_HOME, a user deck of 10,000 questions (all
five types) and a store of 1,000,000 answers spread over three years, then
prints one table. Each row is a ratio of two medians measured in this run,
so the targets hold on any machine; see docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import anki_package  # noqa: E402
import anki_text  # noqa: E402
import answer_step  # noqa: E402
import fit_bench  # noqa: E402
import measure  # noqa: E402
import recovery  # noqa: E402
import scale  # noqa: E402
import sync_scale  # noqa: E402
from measure import PY  # noqa: E402

FIRST_QUESTION = r"BQ-\d{5}"  # every generated question's text starts with it
BARE_PROMPT = (
    "import questionary; questionary.select('BQ-00000 Which word goes with stride?', "
    "choices=['cadence', 'tempo', 'glutes', 'fibres']).ask()"
)


@dataclass(frozen=True)
class Sizes:
    questions: int
    reviews: int
    small_reviews: int  # the short history a save is compared with
    same_cards_reviews: int  # a short history over the same cards (store open/compaction)
    runs: int  # rounds of whole-process timings
    pty_runs: int  # rounds of time-to-first-question
    rss_runs: int
    saves: int
    probe_runs: int  # rounds of store probes (each: 5 opens, `saves` saves, 3 compactions)
    answer_steps: int  # answers timed in one `legquiz start` (end to end, in a pseudo-terminal)
    answer_runs: int  # such sessions per store, run alternately


FULL = Sizes(
    10_000, 1_000_000, 1_000, 10_000, runs=21, pty_runs=21, rss_runs=3, saves=200, probe_runs=5,
    answer_steps=30, answer_runs=2,
)  # fmt: skip
QUICK = Sizes(
    200, 5_000, 1_000, 200, runs=1, pty_runs=1, rss_runs=1, saves=20, probe_runs=1, answer_steps=4, answer_runs=1
)


@dataclass
class Row:
    num: str
    what: str
    legquiz: str
    baseline: str
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None  # None: reported, not judged


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def judged(ratio: float, limit: float, quick: bool) -> tuple[str, bool | None]:
    return f"≤ {limit:g}", None if quick else ratio <= limit


def _homes(root: Path) -> dict[str, Path]:
    return {"big": root / "home", "small": root / "home-small", "same": root / "home-same-cards"}


def generate(root: Path, sizes: Sizes) -> dict[str, Path]:
    homes = _homes(root)
    t0 = time.perf_counter()
    deck_bytes = scale.write_deck(homes["big"] / "decks" / f"{scale.DECK_ID}.yaml", sizes.questions)
    info = scale.write_store(homes["big"], sizes.reviews, sizes.questions)
    scale.write_store(homes["small"], sizes.small_reviews, sizes.questions)
    scale.write_store(homes["same"], sizes.same_cards_reviews, sizes.questions)
    print(
        f"generated in {time.perf_counter() - t0:.1f} s: deck of {sizes.questions:,} questions ({deck_bytes / 1e6:.1f} MB), "
        f"store of {info.reviews:,} reviews over {info.days:,} days across {info.cards:,} cards "
        f"(log {info.log_bytes / 1e6:.0f} MB)",
        flush=True,
    )
    return homes


def has_command(lq: list[str], env: dict[str, str], *words: str) -> bool:
    proc = subprocess.run([*lq, *words, "--help"], env=env, capture_output=True)
    return proc.returncode == 0


def command_rows(lq: list[str], env: dict[str, str], sizes: Sizes, quick: bool) -> list[Row]:
    click = [PY, "-c", "import click"]
    rows = []
    cases = [
        ("1", "legquiz --help / python -c 'import click'", [*lq, "--help"], 1.3, ()),
        ("2", "legquiz stats --json / python -c 'import click'", [*lq, "stats", "--json"], 2.0, ("stats",)),
        ("i1", "legquiz deck list / python -c 'import click'", [*lq, "deck", "list"], None, ("deck", "list")),
    ]
    for num, what, argv, limit, needs in cases:
        if needs and not has_command(lq, env, *needs):
            rows.append(Row(num, what, "n/a", "n/a", target=f"≤ {limit:g}" if limit else "", ok=None))
            continue
        measure.run_ok(argv, env)  # once first: a failure says why
        mine, base = measure.alternate(
            [lambda a=argv: measure.timed(a, env), lambda: measure.timed(click, env)], sizes.runs
        )
        target, ok = judged(mine / base, limit, quick) if limit else ("", None)
        rows.append(Row(num, what, fmt_s(mine), fmt_s(base), mine / base, target, ok))
    return rows


def start_rows(lq: list[str], env: dict[str, str], home: Path, sizes: Sizes, quick: bool) -> list[Row]:
    start = [*lq, "start"]
    bare = [PY, "-c", BARE_PROMPT]
    shutil.rmtree(home / "cache", ignore_errors=True)
    cold = measure.first_screen(start, env, FIRST_QUESTION)  # also fills the parsed-deck cache
    mine, base = measure.alternate(
        [lambda: measure.first_screen(start, env, FIRST_QUESTION), lambda: measure.first_screen(bare, env, "BQ-")],
        sizes.pty_runs,
    )
    rss_mine = statistics.median(measure.peak_rss_kb(start, env, FIRST_QUESTION) for _ in range(sizes.rss_runs))
    rss_base = statistics.median(measure.peak_rss_kb(bare, env, "BQ-") for _ in range(sizes.rss_runs))
    rows = [
        Row("3", "first question on screen: legquiz start / bare questionary.select", fmt_s(mine), fmt_s(base),
            mine / base, *judged(mine / base, 1.3, quick)),
        Row("3b", "  the same with no parsed-deck cache (first start after a deck changed)", fmt_s(cold), fmt_s(base),
            cold / base),
        Row("5", "peak memory: legquiz start / bare questionary.select", f"{rss_mine / 1024:.1f} MB",
            f"{rss_base / 1024:.1f} MB", rss_mine / rss_base, *judged(rss_mine / rss_base, 1.5, quick)),
    ]  # fmt: skip
    return rows


def probe(home: Path, saves: int, env: dict[str, str]) -> dict[str, float]:
    proc = measure.run_ok([PY, str(HERE / "probe.py"), str(home), str(saves)], env)
    return dict(json.loads(proc.stdout))


def store_rows(homes: dict[str, Path], env: dict[str, str], sizes: Sizes, quick: bool) -> list[Row]:
    names = ("big", "small", "same")
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in names}
    for _ in range(sizes.probe_runs):  # fresh processes, alternately, like every other row
        for k in names:
            runs[k].append(probe(homes[k], sizes.saves, env))
    big, small, same = ({m: statistics.median(r[m] for r in runs[k]) for m in runs[k][0]} for k in names)
    ms = "{:.2f} ms".format
    big_n, small_n, same_n = (f"{n:,}" for n in (sizes.reviews, sizes.small_reviews, sizes.same_cards_reviews))
    save_ratio = big["save_ms"] / small["save_ms"]
    return [
        Row("4", f"one durable save (Store.append): {big_n} reviews / {small_n}", ms(big["save_ms"]),
            ms(small["save_ms"]), save_ratio, *judged(save_ratio, 1.5, quick)),
        Row("4b", f"  the save at {big_n} reviews, absolute (90th percentile {ms(big['save_p90_ms'])})",
            ms(big["save_ms"]), "", None, "< 10 ms", None if quick else big["save_ms"] < 10),
        Row("i2", f"Store.open: {big_n} reviews / {same_n} on the same {sizes.questions:,} cards",
            ms(big["open_ms"]), ms(same["open_ms"]), big["open_ms"] / same["open_ms"]),
        Row("i3", f"snapshot compaction: {big_n} reviews / {same_n} on the same cards",
            ms(big["compact_ms"]), ms(same["compact_ms"]), big["compact_ms"] / same["compact_ms"]),
    ]  # fmt: skip


def answer_rows(lq: list[str], homes: dict[str, Path], sizes: Sizes, quick: bool) -> list[Row]:
    """One answer end to end (answer key to rating menu, rating key to the next question), long history / short.

    The short history gets the same deck (a copy keeps its mtime, so both use the parsed-deck cache);
    sessions on the two stores run alternately, and each step is timed as benchmarks/answer_step.py says.
    """
    deck = homes["big"] / "decks" / f"{scale.DECK_ID}.yaml"
    small_deck = homes["small"] / "decks" / deck.name
    if not small_deck.exists():
        small_deck.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(deck, small_deck)
    steps: dict[str, list[tuple[float, float]]] = {"big": [], "small": []}
    for _ in range(sizes.answer_runs):
        for k in steps:
            steps[k] += answer_step.steps([*lq, "start"], measure.clean_env(homes[k]), sizes.answer_steps)
    big, small = (statistics.median(a + r for a, r in steps[k]) for k in ("big", "small"))
    answer, rated = (statistics.median(s[i] for s in steps["big"]) for i in (0, 1))

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f} ms"

    big_n, small_n = f"{sizes.reviews:,}", f"{sizes.small_reviews:,}"
    n = len(steps["big"])
    return [
        Row("9", f"one answer on screen, end to end (pty, {n} answers each): {big_n} reviews / {small_n}", ms(big),
            ms(small), big / small, *judged(big / small, 1.5, quick)),
        Row("9b", f"  at {big_n}: answer key to rating menu {ms(answer)}, rating key to next question {ms(rated)}",
            ms(big), ""),
    ]  # fmt: skip


def validate_rows(lq: list[str], env: dict[str, str], home: Path, sizes: Sizes) -> list[Row]:
    deck = str(home / "decks" / f"{scale.DECK_ID}.yaml")
    # One run each: seconds, not milliseconds, and only reported.
    with_c = measure.timed([*lq, "deck", "validate", deck], env)
    pure = measure.timed([*lq, "deck", "validate", deck], {**env, "LEGQUIZ_NO_LIBYAML": "1"})
    n = f"{sizes.questions:,}"
    return [
        Row("6", f"legquiz deck validate, {n} questions: with libyaml / pure Python", fmt_s(with_c), fmt_s(pure),
            with_c / pure),
    ]  # fmt: skip


def anki_rows(lq: list[str], root: Path, sizes: Sizes, quick: bool) -> list[Row]:
    """`legquiz import anki` of a package written by the real anki library: absolute, and against validating the deck it makes."""
    n = f"{sizes.questions:,}"
    what = f"legquiz import anki, {n}-note .apkg with history / legquiz deck validate of the deck it makes"
    try:
        apkg, _txt = anki_package.make(root / "anki", sizes.questions)
    except ImportError:  # the anki library (a test dependency) is not installed
        return [Row("8", what, "n/a", "n/a", target="", ok=None)]
    times, base = [], []
    for i in range(3 if not quick else 1):
        home = root / f"anki-home-{i}"
        env = measure.clean_env(home)
        times.append(measure.timed([*lq, "import", "anki", str(apkg)], env))
        deck = next((home / "decks").glob("*.yaml"))
        base.append(measure.timed([*lq, "deck", "validate", str(deck)], env))
    mine, ref = statistics.median(times), statistics.median(base)
    return [
        Row("8", what, fmt_s(mine), fmt_s(ref), mine / ref),
        Row("8b", f"  the import of {n} notes, absolute", fmt_s(mine), "", None, "< 5 s", None if quick else mine < 5),
    ]


def anki_text_rows(lq: list[str], root: Path, sizes: Sizes, quick: bool) -> list[Row]:
    """`legquiz import anki` of a "Notes in Plain Text" export, against validating the deck it makes (issue 15).

    The import reads and converts every note, writes the deck and validates it
    once; the baseline is that validation alone, as `deck validate` does it.
    """
    n = f"{sizes.questions:,}"
    what = f"legquiz import anki, {n}-note text export / legquiz deck validate of the deck it makes"
    txt = anki_text.make(root / "anki-text" / "Bench.txt", sizes.questions)
    times, base = [], []
    for i in range(3 if not quick else 1):
        home = root / f"anki-text-home-{i}"
        env = measure.clean_env(home)
        times.append(measure.timed([*lq, "import", "anki", str(txt)], env))
        base.append(measure.timed([*lq, "deck", "validate", str(home / "decks" / "text.yaml")], env))
    mine, ref = statistics.median(times), statistics.median(base)
    return [
        Row("10", what, fmt_s(mine), fmt_s(ref), mine / ref, *judged(mine / ref, 2.0, quick)),
        Row("10b", f"  the import of {n} notes from text, absolute", fmt_s(mine), "", None, "< 3 s",
            None if quick else mine < 3),
    ]  # fmt: skip


def fit_rows(quick: bool) -> list[Row]:
    """Rows 7 and 7b: the optimizer's fit, in absolute seconds (issue 18's limits), and how it scales."""
    (num, what, small_s, limit, ok), (num_b, what_b, big_s, limit_b, ok_b) = fit_bench.rows(quick)
    return [
        Row(num, what, fmt_s(small_s), "-", None, f"≤ {limit:g} s", ok),
        Row(num_b, what_b, fmt_s(big_s), fmt_s(small_s), big_s / small_s, f"≤ {limit_b:g} s", ok_b),
    ]


def table(rows: list[Row]) -> str:
    head = ("#", "measure", "legquiz", "baseline", "ratio", "target", "result")
    cells = [
        (
            r.num, r.what, r.legquiz, r.baseline, "" if r.ratio is None else f"{r.ratio:.2f}", r.target,
            "-" if r.ok is None else ("pass" if r.ok else "FAIL"),
        )
        for r in rows
    ]  # fmt: skip
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(len(head))]

    def line(c: tuple[str, ...]) -> str:
        return "| " + " | ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), sep, *(line(c) for c in cells)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes and no thresholds (CI smoke test)")
    ap.add_argument("--keep", action="store_true", help="keep the generated data (its path is printed)")
    ap.add_argument("--data", type=Path, help="reuse data kept by an earlier --keep run of the same size")
    ap.add_argument(
        "--only",
        action="append",
        choices=(
            "commands",
            "start",
            "store",
            "answer",
            "validate",
            "anki",
            "anki-text",
            "optimize",
            "recovery",
            "sync",
        ),  # fmt: skip
        help="measure only these rows",
    )
    args = ap.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    load = os.getloadavg()
    root = args.data or Path(tempfile.mkdtemp(prefix="legquiz-bench-"))
    try:
        homes = generate(root, sizes) if args.data is None else _homes(root)
        env = measure.clean_env(homes["big"])
        measure.warm_bytecode(env)
        lq = measure.legquiz_argv()
        steps: dict[str, Callable[[], list[Row]]] = {
            "commands": lambda: command_rows(lq, env, sizes, args.quick),
            "start": lambda: start_rows(lq, env, homes["big"], sizes, args.quick),
            "store": lambda: store_rows(homes, env, sizes, args.quick),
            "answer": lambda: answer_rows(lq, homes, sizes, args.quick),
            "validate": lambda: validate_rows(lq, env, homes["big"], sizes),
            "anki": lambda: anki_rows(lq, root, sizes, args.quick),
            "anki-text": lambda: anki_text_rows(lq, root, sizes, args.quick),
            "optimize": lambda: fit_rows(args.quick),
            "recovery": lambda: recovery.rows(lq, homes["big"], root, env, sizes.reviews, Row, args.quick),
            "sync": lambda: sync_scale.rows(lq, root, sizes.reviews, Row, args.quick),
        }
        rows = [row for name, step in steps.items() if not args.only or name in args.only for row in step()]
    finally:
        if args.keep or args.data:
            print(f"data kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    rows.sort(key=lambda r: (r.num.startswith("i"), r.num))
    print()
    print(table(rows))
    print()
    end_load = os.getloadavg()
    print(
        f"{'quick run (no thresholds)' if args.quick else 'full run'}: {time.perf_counter() - started:.0f} s on "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} at start and {end_load[0]:.1f} at end; "
        f"Python {sys.version.split()[0]}; medians of {sizes.runs} runs ({sizes.pty_runs} in a pseudo-terminal)"
    )
    failed = [r.num for r in rows if r.ok is False]
    if failed:
        print(f"targets missed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
