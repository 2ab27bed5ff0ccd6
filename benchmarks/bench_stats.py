"""``legquiz stats --json`` on 10, 10,000 and 1,000,000 reviews, against ``python -c "import click"``.

    python benchmarks/bench_stats.py [--reviews 1000000] [--runs 10]

Builds the stores with make_store.py in a temporary directory, then times
whole-process runs (median of ``--runs``, baseline measured in the same run,
runs interleaved so machine load hits all commands alike) and prints a table.
Stats reads only the snapshot, whose size follows the number of questions
and study days, not of reviews: 10,000 and 1,000,000 reviews over the same
three years should cost the same.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_store import make  # noqa: E402


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reviews", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        now = datetime.now(timezone.utc)
        stores = {  # name: (reviews, days, cards of a removed deck)
            "10 reviews": (10, 5, 0),
            "10,000 reviews, 3 years": (10_000, 3 * 365, 2000),  # the same snapshot shape as the big one
            f"{args.reviews:,} reviews, 3 years": (args.reviews, 3 * 365, 2000),
        }
        cmds = {'python -c "import click"': ([py, "-c", "import click"], dict(os.environ))}
        for i, (name, (reviews, days, extra)) in enumerate(stores.items()):
            home = Path(tmp) / str(i)
            t = time.perf_counter()
            info = make(home, reviews, days, extra, 1, now)
            print(
                f"{name}: {info['days']} study days, {info['cards']:,} cards, log {info['log_bytes'] / 1e6:.1f} MB, "
                f"snapshot {(home / 'store.json').stat().st_size / 1e3:.0f} kB (built in {time.perf_counter() - t:.1f} s)"
            )
            cmds[f"legquiz stats --json ({name})"] = (
                [py, "-m", "legquiz", "stats", "--json"],
                {**os.environ, "LEGQUIZ_HOME": str(home)},
            )
        for cmd, e in cmds.values():  # warm the file cache
            timed(cmd, e)
        times: dict[str, list[float]] = {k: [] for k in cmds}
        for _ in range(args.runs):
            for name, (cmd, e) in cmds.items():
                times[name].append(timed(cmd, e))
    base = statistics.median(times['python -c "import click"'])
    w = max(map(len, times))
    print(f"{'command':<{w}} {'median':>9} {'ratio':>6}")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"{name:<{w}} {m * 1000:6.0f} ms {m / base:6.2f}")


if __name__ == "__main__":
    main()
