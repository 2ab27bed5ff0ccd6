"""Time the store's own operations inside one fresh process: open, one save, one compaction.

Run by benchmarks/run.py as ``python benchmarks/probe.py HOME SAVES``; prints
one JSON object of milliseconds. A save is ``Store.append``: the record is
written and fsynced before it returns, exactly as after every answer.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import review_record  # noqa: E402

from legquiz.core.cards import as_dict  # noqa: E402
from legquiz.storage.store import Store  # noqa: E402


def before(store: Store, card: str) -> dict[str, object] | None:
    """The card's state as a record's "before" holds it (the snapshot keeps it as a list)."""
    values = store.state.cards.get(card)
    return as_dict(values) if values is not None else None


def probe(home: Path, saves: int) -> dict[str, float]:
    opens = []
    for _ in range(5):  # open (and close, with nothing to write) as legquiz start does
        t0 = time.perf_counter()
        store = Store.open(home)
        opens.append(time.perf_counter() - t0)
        store.close()
    store = Store.open(home)
    try:
        card = next(iter(store.state.cards))
        times = []
        for _ in range(saves):
            rec = review_record(card, datetime.now(timezone.utc), before(store, card))
            t0 = time.perf_counter()
            store.append(rec)
            times.append(time.perf_counter() - t0)
        compactions = []
        for _ in range(3):  # the first of the day also copies the snapshot to backups/
            store.append(review_record(card, datetime.now(timezone.utc), before(store, card)))
            t0 = time.perf_counter()
            store.compact()
            compactions.append(time.perf_counter() - t0)
    finally:
        store.close()
    return {
        "open_ms": statistics.median(opens) * 1000,
        "save_ms": statistics.median(times) * 1000,
        "save_p90_ms": sorted(times)[int(len(times) * 0.9)] * 1000,
        "compact_ms": statistics.median(compactions) * 1000,
    }


if __name__ == "__main__":
    print(json.dumps(probe(Path(sys.argv[1]), int(sys.argv[2]))))
