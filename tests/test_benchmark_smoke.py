"""The benchmark keeps running: ``benchmarks/run.py --quick`` (small sizes, no thresholds) prints its table.

The full run (10,000 questions, 1,000,000 reviews) is for people, not CI: see
docs/performance.md. This only proves every measurement still works end to
end, in a pseudo-terminal too, so the benchmark cannot rot unnoticed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(180)
def test_quick_benchmark_prints_the_table() -> None:
    pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGQUIZ_")}
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=150,
        env=env,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert re.search(r"^\| # +\| measure +\| legquiz +\| baseline +\| ratio +\| target +\| result +\|$", out, re.M)
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| (\w+) +\|.*\|$", out, re.M)}
    for num in ("1", "2", "3", "3b", "4", "4b", "5", "6", "7", "7b", "9", "9b", "10", "10b", "i2", "i3"):
        assert num in rows, f"row {num} missing:\n{out}"
    for num in ("1", "3", "4", "5", "6", "9", "10"):  # measured, not n/a: a number and a ratio
        assert re.search(r"\| \d+(\.\d+)? (ms|s|MB) +\|.*\| \d+\.\d\d +\|", rows[num]), rows[num]
    assert "quick run (no thresholds)" in out
    assert "FAIL" not in out  # quick mode judges nothing
