"""A big Anki package for the import benchmark, written by the real ``anki`` library.

Notes, cards and review history are inserted in bulk through the collection's
own database (adding 10,000 notes one by one through Anki's API takes longer
than the import being measured), then Anki exports the package in the current
format (zstd ``collection.anki21b``) and, for the baseline, the same notes as
a "Notes in Plain Text" file.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

DAY_MS = 86_400_000


def make(folder: Path, notes: int, seed: int = 7) -> tuple[Path, Path]:
    """``folder/big.apkg`` and ``folder/big.txt``: ``notes`` Basic notes, half of them with a history."""
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions, NoteIdsLimit

    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "bench.anki2"))
    did = col.decks.id("Bench::Big")
    model = col.models.by_name("Basic")
    assert did is not None and model is not None
    mid = model["id"]
    base = 1_600_000_000_000
    day0 = col.crt * 1000
    note_rows, card_rows, rev_rows = [], [], []
    for i in range(notes):
        nid = base + i
        front, back = f"BQ-{i:05d} What does muscle {i} do?", f"It moves joint {i % 97}"
        note_rows.append((nid, f"g{i:07d}", mid, 0, -1, "", f"{front}\x1f{back}", front, 0, 0, 0, ""))
        history = rnd.random() < 0.5
        ivl = rnd.randint(1, 60) if history else 0
        card_rows.append(
            (
                nid,
                nid,
                did,
                0,
                0,
                -1,
                2 if history else 0,
                2 if history else 0,
                rnd.randint(0, 30) if history else i,
                ivl,
                2500 if history else 0,
                3 if history else 0,
            )
        )
        if history:
            t = day0 - 90 * DAY_MS + rnd.randint(0, 30) * DAY_MS + i
            for n, ease in enumerate((3, rnd.choice((1, 3, 3, 4)), 3)):
                t += (n + 1) * 3 * DAY_MS
                rev_rows.append((t, nid, -1, ease, ivl, 0, 2500, 8000, 1 if n else 0))
    col.db.executemany("insert into notes values (?,?,?,?,?,?,?,?,?,?,?)", [r[:11] for r in note_rows])
    col.db.executemany(
        "insert into cards (id,nid,did,ord,mod,usn,type,queue,due,ivl,factor,reps,lapses,left,odue,odid,flags,data)"
        " values (?,?,?,?,?,?,?,?,?,?,?,?,0,0,0,0,0,'')",
        card_rows,
    )
    col.db.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", rev_rows)
    apkg, txt = folder / "big.apkg", folder / "big.txt"
    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False)
    col.export_anki_package(out_path=str(apkg), options=options, limit=DeckIdLimit(did))
    col.export_note_csv(
        out_path=str(txt), limit=NoteIdsLimit([r[0] for r in note_rows]), with_html=True, with_tags=True,
        with_deck=True, with_notetype=True, with_guid=True,
    )  # fmt: skip
    col.close()
    return apkg, txt


if __name__ == "__main__":
    print(*make(Path(sys.argv[1]), int(sys.argv[2])))
