"""Anki packages for the import tests, written by the real ``anki`` library (never committed binaries).

One collection holds every stock note type, answered and scheduled by Anki's
own scheduler, plus awkward notes (empty fields, sides that are only markup
or media, SQL-looking text); it is exported as a legacy ``.apkg``
(collection.anki21 beside a collection.anki2 placeholder), a current
``.apkg`` (zstd collection.anki21b) and a ``.colpkg``. ``expected`` records
what Anki itself reports for each card, for the tests to compare with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class CardFacts:
    """What Anki reports for one card."""

    guid: str
    ord: int
    deck: str
    type: int
    queue: int
    due: int
    ivl: int
    reviews: list[int]  # revlog ids, oldest first
    filtered: bool = False  # in a filtered deck: Anki's deck packages leave it out, a collection package has it


def cards_in(corpus: Corpus, kind: str) -> dict[int, CardFacts]:
    """The cards a package of this kind holds ("legacy", "current": deck packages; "colpkg": everything)."""
    return {cid: f for cid, f in corpus.cards.items() if kind == "colpkg" or not f.filtered}


@dataclass
class Corpus:
    legacy: Path
    current: Path
    colpkg: Path
    crt: int  # the collection's creation time (seconds)
    cards: dict[int, CardFacts] = field(default_factory=dict)  # Anki card id -> facts
    notes: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> note fields, by guid in `guids`
    guids: dict[str, str] = field(default_factory=dict)  # name -> guid


SQLISH = "Robert'); DROP TABLE notes;-- \" OR 1=1"


def build(folder: Path) -> Corpus:
    """Make the collection, answer some cards with Anki's scheduler, and export it three ways."""
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions
    from anki.scheduler.v3 import CardAnswer

    col = Collection(str(folder / "collection.anki2"))
    col.media.write_data("thigh.png", b"\x89PNG\r\n\x1a\n not really a picture")
    col.media.write_data("quad.mp3", b"ID3 not really a sound")
    muscles = col.decks.id("Legs::Muscles")
    legs = col.decks.id("Legs")
    assert muscles is not None and legs is not None
    guids: dict[str, str] = {}

    def add(name: str, notetype: str, deck: int, **fields: str) -> None:
        model = col.models.by_name(notetype)
        assert model is not None
        note = col.new_note(model)
        for key, value in fields.items():
            note[key.replace("_", " ")] = value
        col.add_note(note, deck)
        guids[name] = note.guid

    add(
        "basic",
        "Basic",
        muscles,
        Front="What is the <b>largest</b> muscle&nbsp;group of the thigh?",
        Back="The quadriceps<br>(four heads)",
    )
    add("reversed", "Basic (and reversed card)", muscles, Front="Soleus", Back="A calf muscle under the gastrocnemius")
    add(
        "optional-yes",
        "Basic (optional reversed card)",
        muscles,
        Front="Gluteus maximus",
        Back="The largest hip muscle",
        Add_Reverse="y",
    )
    add(
        "optional-no",
        "Basic (optional reversed card)",
        muscles,
        Front="Sartorius",
        Back="The longest muscle",
        Add_Reverse="",
    )
    add("typed", "Basic (type in the answer)", muscles, Front="How many heads has the quadriceps?", Back="four")
    add(
        "cloze",
        "Cloze",
        muscles,
        Text="{{c1::Squats}} and {{c2::lunges::an exercise}} train the {{c3::legs}}.",
        Back_Extra="From <i>the article</i>",
    )
    vocab = col.models.new("Vocab")  # a note type of one's own: its template decides front and back
    for name in ("Word", "Example", "Meaning"):
        col.models.add_field(vocab, col.models.new_field(name))
    template = col.models.new_template("Recognise")
    template["qfmt"] = "{{Word}}<br>{{hint:Example}}"
    template["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}"
    col.models.add_template(vocab, template)
    col.models.add(vocab)
    add("vocab", "Vocab", muscles, Word="Quadriceps", Example="Quads burn on hills", Meaning="Four muscles")
    add("sql", "Basic", legs, Front=SQLISH, Back="'; SELECT * FROM revlog; --")
    add("empty-back", "Basic", legs, Front="A front with no back", Back="")
    add("media-front", "Basic", legs, Front='<img src="thigh.png">', Back="The thigh")
    add("markup-back", "Basic", legs, Front="Only markup behind", Back="<div><br></div>")
    add("sound", "Basic", legs, Front="Hear it [sound:quad.mp3]", Back="Quadriceps")

    def answer(card_id: int, *ratings: int) -> None:
        for rating in ratings:
            card = col.get_card(card_id)
            card.start_timer()
            card.timer_started -= 7.5  # seven and a half seconds to answer
            states = col._backend.get_scheduling_states(card.id)
            col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=_rating(CardAnswer, rating)))

    def card_of(name: str, ord_: int = 0) -> int:
        nid = col.db.scalar("select id from notes where guid = ?", guids[name])
        return int(col.db.scalar("select id from cards where nid = ? and ord = ?", nid, ord_))

    answer(card_of("basic"), 3, 3, 3)  # graduated, then reviewed: a review card due in some days
    answer(card_of("reversed", 1), 1)  # learning: due in a minute
    answer(card_of("typed"), 3, 3, 1)  # lapsed: relearning
    answer(card_of("cloze", 1), 4)  # Easy at once: a review card
    answer(card_of("optional-yes"), 3, 3)
    col.sched.suspend_cards([card_of("optional-yes")])
    answer(card_of("sql"), 3, 3)
    col.sched.bury_cards([card_of("sql")])
    answer(card_of("vocab"), 3, 3)
    cram = col.decks.new_filtered("Cram")  # a review card studied in a filtered deck: its home due is in odue
    col.db.execute(
        "update cards set odid = did, odue = due, did = ?, due = -100000 where id = ?", cram, card_of("vocab")
    )

    corpus = Corpus(folder / "legacy.apkg", folder / "current.apkg", folder / "whole.colpkg", int(col.crt))
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        reviews = [int(r) for r in col.db.list("select id from revlog where cid = ? order by id", cid)]
        deck = col.decks.name(card.odid or card.did)
        guid = str(col.db.scalar("select guid from notes where id = ?", card.nid))
        due = card.odue if card.odid else card.due
        corpus.cards[cid] = CardFacts(
            guid, card.ord, deck, int(card.type), int(card.queue), int(due), int(card.ivl), reviews, bool(card.odid)
        )
    corpus.guids = guids
    for legacy, out in ((True, corpus.legacy), (False, corpus.current)):
        options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=True, legacy=legacy)
        col.export_anki_package(out_path=str(out), options=options, limit=DeckIdLimit(legs))
    col.export_collection_package(str(corpus.colpkg), include_media=True, legacy=False)  # closes the collection
    return corpus


def _rating(answer: Any, n: int) -> Any:
    return {1: answer.AGAIN, 2: answer.HARD, 3: answer.GOOD, 4: answer.EASY}[n]
