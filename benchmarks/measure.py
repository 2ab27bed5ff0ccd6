"""How the benchmarks measure: whole processes, medians, pseudo-terminals, peak memory.

Every figure is a median of whole-process runs, and legquiz and its baseline
are run alternately (A B A B ...) so a burst of load from something else on
the machine hits both sides alike. The ratio of the two medians is what the
targets are about; absolute times are printed only to make the ratios readable.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PY = sys.executable
PTY_SIZE = (24, 100)
PROMPT_TIMEOUT = 120.0

# A tiny parent that runs a command and reports its peak RSS (KB) from wait4().
# It exists because the peak RSS Linux reports for a child includes the image it
# was forked from: pexpect forks from this (large) benchmark process, this
# wrapper forks the command from a small interpreter started with -S -I.
_RSS_WRAPPER = """\
import os, signal, sys
out, cmd = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
signal.signal(signal.SIGINT, signal.SIG_IGN)
_, status, usage = os.wait4(pid, 0)
with open(out, "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
"""


def legquiz_argv() -> list[str]:
    """How to run the installed ``legquiz`` without a shim (pyenv's adds ~100 ms of bash).

    The console script next to this interpreter, run by this interpreter: the
    same thing its shebang does, so legquiz and ``python -c`` start alike.
    """
    script = Path(sysconfig.get_path("scripts")) / "legquiz"
    if not script.is_file():
        found = shutil.which("legquiz")
        if found is None:
            return [PY, "-m", "legquiz"]
        script = Path(found)
    with open(script, "rb") as f:
        first = f.readline()
    if first.startswith(b"#!") and b"python" in first:
        return [PY, str(script)]
    return [PY, "-m", "legquiz"]


def run_ok(argv: Sequence[str], env: dict[str, str], timeout: float = 600.0) -> subprocess.CompletedProcess[bytes]:
    """Run to completion; a failure stops the benchmark with the command's own message."""
    proc = subprocess.run(list(argv), env=env, capture_output=True, timeout=timeout)
    if proc.returncode != 0:
        msg = proc.stderr.decode(errors="replace").strip() or proc.stdout.decode(errors="replace").strip()
        raise SystemExit(f"benchmark: {' '.join(argv)} failed (exit {proc.returncode}):\n{msg[-2000:]}")
    return proc


def timed(argv: Sequence[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one whole process, output discarded."""
    t0 = time.perf_counter()
    proc = subprocess.run(list(argv), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(
            f"benchmark: {' '.join(argv)} failed (exit {proc.returncode}):\n{proc.stderr.decode(errors='replace')[-2000:]}"
        )
    return elapsed


def alternate(measures: Sequence[Callable[[], float]], runs: int, warmup: int = 1) -> list[float]:
    """Median of each measure over ``runs`` rounds, run alternately after ``warmup`` unrecorded rounds."""
    samples: list[list[float]] = [[] for _ in measures]
    for r in range(warmup + runs):
        for i, m in enumerate(measures):
            value = m()
            if r >= warmup:
                samples[i].append(value)
    return [statistics.median(s) for s in samples]


def _spawn(argv: Sequence[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    import pexpect

    return pexpect.spawn(argv[0], list(argv[1:]), env=env, dimensions=PTY_SIZE, timeout=PROMPT_TIMEOUT)


def first_screen(argv: Sequence[str], env: dict[str, str], pattern: str) -> float:
    """Seconds from starting ``argv`` in a pseudo-terminal until ``pattern`` is on screen; then Ctrl-C."""
    import pexpect

    t0 = time.perf_counter()
    child = _spawn(argv, env)
    try:
        child.expect(re.compile(pattern.encode()))
        elapsed = time.perf_counter() - t0
        child.sendcontrol("c")
        child.expect(pexpect.EOF, timeout=30)
    except pexpect.ExceptionPexpect as e:
        tail = (child.before or b"")[-1500:].decode(errors="replace")
        raise SystemExit(
            f"benchmark: {' '.join(argv)}: {e.__class__.__name__} waiting for {pattern!r}; screen:\n{tail}"
        )
    finally:
        child.close(force=True)
    return elapsed


def peak_rss_kb(argv: Sequence[str], env: dict[str, str], pattern: str) -> int:
    """Peak RSS (KB) of ``argv`` run in a pseudo-terminal until ``pattern`` is on screen, then Ctrl-C."""
    with tempfile.TemporaryDirectory(prefix="legquiz-rss-") as tmp:
        out = Path(tmp) / "rss"
        first_screen([PY, "-S", "-I", "-c", _RSS_WRAPPER, str(out), *argv], env, pattern)
        for _ in range(100):  # the wrapper writes the figure just after the child exits
            if out.exists() and out.read_text():
                return int(out.read_text())
            time.sleep(0.05)
    raise SystemExit(f"benchmark: no peak memory figure for {' '.join(argv)}")


def peak_rss_run_kb(argv: Sequence[str], env: dict[str, str]) -> int:
    """Peak RSS (KB) of ``argv`` run to completion (no terminal), through the same small wrapper."""
    with tempfile.TemporaryDirectory(prefix="legquiz-rss-") as tmp:
        out = Path(tmp) / "rss"
        run_ok([PY, "-S", "-I", "-c", _RSS_WRAPPER, str(out), *argv], env)
        return int(out.read_text())


_SLOW_PYTHON = (
    "PYTHONDEVMODE", "PYTHONPROFILEIMPORTTIME", "PYTHONTRACEMALLOC", "PYTHONMALLOC", "PYTHONSTARTUP",
    "PYTHONDONTWRITEBYTECODE",
)  # fmt: skip


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment every measured process gets: its own LEGQUIZ_HOME, a real terminal type, bytecode.

    PYTHONDONTWRITEBYTECODE is dropped: an installed legquiz has its modules
    compiled (pip does it, as it did for click and questionary), but in a
    development shell that sets it, every measured legquiz process would
    compile its own source again (~20 ms). See :func:`warm_bytecode`.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGQUIZ_") and k not in _SLOW_PYTHON}
    env.update(LEGQUIZ_HOME=str(home), TERM="xterm-256color", COLUMNS=str(PTY_SIZE[1]), LINES=str(PTY_SIZE[0]))
    # A real terminal answers prompt_toolkit's cursor-position request at once; nobody answers it in a
    # pseudo-terminal, and prompt_toolkit then waits a second at exit. Not asking costs both sides the same.
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env


def warm_bytecode(env: dict[str, str]) -> None:
    """Compile legquiz's modules (an editable install has no bytecode yet), as pip does on install."""
    import legquiz

    # Best effort: where the package folder is not writable, it was installed, and compiled, by pip.
    subprocess.run([PY, "-m", "compileall", "-q", str(Path(legquiz.__file__).parent)], env=env, capture_output=True)
