"""``legquiz deck new``: build a deck by answering questions, or entirely from flags.

The wizard asks only what the flags left open: ``--id``, ``--title`` and
``--question JSON`` (one per question, keys as in the deck format) make it ask
nothing at all, for scripts. It talks through the same Prompter interface as
the study session (questionary in real use, a script in tests), and checks
every question with the real deck validator before accepting it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from legquiz.core.model import CLOZE_GAP, Deck, QType, Question
from legquiz.deckfile import validate as deckmod
from legquiz.deckfile.limits import MAX_CHOICES
from legquiz.deckfile.read import compose
from legquiz.deckfile.write import problems, slug, unique
from legquiz.errors import DeckError, DeckErrors, UsageError
from legquiz.ui.ask import UNDO, Ask, Choice, Prompter, Quit
from legquiz.ui.render import visible_len, width, wrap

TYPE_TITLES = {
    QType.MULTIPLE_CHOICE: "Multiple choice",
    QType.TRUE_FALSE: "True or false",
    QType.TYPED: "Typed answer",
    QType.FLASHCARD: "Flashcard (front and back, graded by you)",
    QType.CLOZE: "Cloze (a sentence with {{hidden}} words)",
}
DONE = "done"


class Stopped(Exception):
    """Ctrl-C or Ctrl-D in the wizard; ``deck`` holds the questions finished so far (None: none yet)."""

    def __init__(self, deck: Deck | None) -> None:
        super().__init__("stopped")
        self.deck = deck


@dataclass(frozen=True)
class Preset:
    """Answers given as flags; ``None`` (or no questions) means ask."""

    deck_id: str | None = None
    title: str | None = None
    article: str | None = None
    questions: tuple[Question, ...] = ()

    def complete(self) -> bool:
        return bool(self.deck_id and self.title and self.questions)


def parse_questions(raw: Sequence[str]) -> tuple[Question, ...]:
    """``--question`` values (JSON objects with the deck format's keys) as checked Questions.

    A missing ``id`` is made from the question's words. Problems are one-line
    usage errors naming the flag: ``--question 2: answer: must be one of the choices``.
    """
    import yaml

    out: list[Question] = []
    taken: set[str] = set()
    for n, text in enumerate(raw, 1):
        where = f"--question {n}"
        try:
            obj = json.loads(text)
        except ValueError as e:
            raise UsageError(f"{where}: not valid JSON ({e})") from None
        if not isinstance(obj, dict):
            raise UsageError(f'{where}: must be a JSON object like {{"type": "flashcard", ...}}')
        if "id" not in obj:
            words = obj.get("question") or obj.get("text") or ""
            obj = {"id": unique(slug(str(words)) or f"q{n}", taken), **obj}
        elif isinstance(obj["id"], str):
            if obj["id"] in taken:
                raise UsageError(f"{where}: id: '{obj['id']}' is used by an earlier --question")
            taken.add(obj["id"])
        doc = yaml.safe_dump({"format": 1, "id": "x", "title": "x", "questions": [obj]}, sort_keys=False)
        try:
            d = deckmod.build(compose(doc, where), where)
        except (DeckErrors, DeckError) as e:
            errs = e.errors if isinstance(e, DeckErrors) else [e]
            said = "; ".join(f"{err.field.removeprefix('questions[0].')}: {err.detail}" for err in errs)
            raise UsageError(f"{where}: {said}") from None
        out.append(d.questions[0])
    return tuple(out)


class Wizard:
    """Asks for what the preset lacks and returns the finished Deck."""

    def __init__(self, prompter: Prompter, taken: dict[str, str]) -> None:
        self.p = prompter
        self.taken = taken  # deck id -> why it cannot be used ("shipped with legquiz", ...)

    def run(self, preset: Preset) -> Deck:
        """The finished deck; on Ctrl-C, :class:`Stopped` with the questions finished so far."""
        title = deck_id = ""
        questions = list(preset.questions)
        try:
            title = preset.title or self._text("Deck title:", required=True)
            deck_id = preset.deck_id or self._text(
                "Deck id (lowercase letters, digits, '-'; your progress is kept under it):",
                default=slug(title),
                check=self._check_id,
            )
            if not questions:
                self._questions(questions)
        except Quit:
            kept = bool(title and deck_id and questions)
            raise Stopped(self._deck(deck_id, title, questions, preset) if kept else None) from None
        return self._deck(deck_id, title, questions, preset)

    @staticmethod
    def _deck(deck_id: str, title: str, questions: list[Question], preset: Preset) -> Deck:
        return Deck(id=deck_id, title=title, questions=tuple(questions), article=preset.article, origin="user")

    # -- questions ---------------------------------------------------------
    def _questions(self, out: list[Question]) -> None:
        """Add questions to ``out`` (the caller keeps it, so Ctrl-C loses only the one being typed)."""
        ids: set[str] = set()
        while True:
            choices = [Choice(t, k.value) for k, t in TYPE_TITLES.items()]
            if out:
                choices.append(
                    Choice(f"Done: write the deck ({len(out)} question{'s' if len(out) != 1 else ''})", DONE)
                )
            label = "Add a question:" if not out else f"Add question {len(out) + 1}, or finish:"
            kind = self.p.ask(Ask("select", label, tuple(choices)))
            if kind == DONE:
                return
            if kind == UNDO or not kind:
                continue
            q = self._question(QType(kind), ids)
            out.append(q)
            self.p.say(self.p.style(f"Added question '{q.id}'.", "good"))

    def _question(self, qtype: QType, ids: set[str]) -> Question:
        """Ask each field of one question, then let the person fix whatever the validator still refuses."""
        fields: dict[str, object] = {}
        askers: dict[str, Callable[[str], object]] = {}
        if qtype is QType.CLOZE:
            askers["text"] = lambda d: self._text(
                "Sentence, with each hidden part in double braces (e.g. Jogging targets the {{aerobic}} system):",
                required=True, default=d, check=lambda t: self._fits(qtype, fields, "text", t),
            )  # fmt: skip
        else:
            prompt = {
                QType.TRUE_FALSE: "Statement (the learner says whether it is true):",
                QType.FLASHCARD: "Front of the card:",
            }.get(qtype, "Question:")
            askers["question"] = lambda d: self._text(
                prompt, required=True, default=d, check=lambda t: self._fits(qtype, fields, "question", t)
            )
        if qtype is QType.MULTIPLE_CHOICE:
            askers["choices"] = lambda d: tuple(self._choices())
            askers["answer"] = lambda d: self.p.ask(
                Ask("select", "Which choice is correct?", tuple(Choice(c, c) for c in fields["choices"]))  # type: ignore[attr-defined]
            )
        elif qtype is QType.TRUE_FALSE:
            askers["answer"] = lambda d: self.p.ask(
                Ask("select", "Is the statement true?", (Choice("True", "true"), Choice("False", "false")))
            ) == "true"  # fmt: skip
        elif qtype in (QType.TYPED, QType.FLASHCARD):
            message = "Correct answer:" if qtype is QType.TYPED else "Back of the card:"
            askers["answer"] = lambda d: self._text(
                message, required=True, default=d, check=lambda t: self._fits(qtype, fields, "answer", t)
            )
        if qtype in (QType.TYPED, QType.CLOZE):
            askers["aliases"] = lambda d: self._list(
                "Other accepted answers, separated by ';' (optional):",
                d,
                lambda v: self._fits(qtype, fields, "aliases", v),
            )
        askers["explanation"] = lambda d: self._text(
            "Why is that the answer? (optional):", default=d,
            check=lambda t: self._fits(qtype, fields, "explanation", t),
        )  # fmt: skip
        askers["source"] = lambda d: self._text(
            "The sentence of your source it comes from (optional):", default=d,
            check=lambda t: self._fits(qtype, fields, "source", t),
        )  # fmt: skip
        for name, asker in askers.items():
            if name == "aliases" and qtype is QType.CLOZE and len(CLOZE_GAP.findall(str(fields["text"]))) > 1:
                self.p.say(
                    self.p.style("  (Several gaps: each takes only its own words, small typos forgiven.)", "dim")
                )
                continue  # the format allows aliases only on a single gap: asking would waste the answer
            fields[name] = asker("")
        words = str(fields.get("question") or CLOZE_GAP.sub(r"\1", str(fields.get("text", ""))))
        qid = self._qid(unique(slug(words) or "q", set(ids)), ids)
        while True:
            q = Question(id=qid, type=qtype, **fields)  # type: ignore[arg-type]
            issues = problems(q)
            if not issues:
                ids.add(qid)
                return q
            field, _, detail = issues[0].partition(": ")
            name = re.split(r"[\[.]", field, maxsplit=1)[0]
            self.p.say(self.p.style(f"  {name}: {detail}; change it, please.", "bad"))
            if name == "id":
                qid = self._qid(qid, ids)
            elif name in askers:
                current = fields.get(name, "")
                shown = "; ".join(current) if isinstance(current, tuple) else str(current)
                fields[name] = askers[name]("" if name in ("choices", "answer") else shown)
                if name == "choices":
                    fields["answer"] = askers["answer"]("")
            else:  # a rule the wizard has no field for (should not happen): the question cannot be kept
                raise AssertionError(f"wizard: no field to fix for '{issues[0]}'")

    def _qid(self, default: str, ids: set[str]) -> str:
        return self._text(
            "Question id (your progress on it is kept under this id):",
            default=default,
            check=lambda v: self._check_qid(v, ids),
        )

    def _fits(self, qtype: QType, fields: dict[str, object], name: str, value: object) -> str | None:
        """What the validator says of field ``name`` if it were ``value`` (None: nothing), other fields as given so far."""
        stand_in: dict[str, object] = {"question": "x", "text": "{{x}}", "answer": "x", "choices": ("x", "y")}
        if qtype is QType.TRUE_FALSE:
            stand_in["answer"] = True
        keys = [k for k in ("question", "text", "answer", "choices") if k in deckmod.TYPE_KEYS[qtype]]
        given = {k: stand_in[k] for k in keys} | fields
        if name == "aliases":
            value = tuple(a.strip() for a in str(value).split(";") if a.strip())
        given[name] = value
        if qtype is QType.MULTIPLE_CHOICE and name != "answer":
            given["answer"] = given["choices"][0]  # type: ignore[index]
        return self._check_field(Question(id="q", type=qtype, **given), name)  # type: ignore[arg-type]

    def _choices(self) -> list[str]:
        out: list[str] = []
        while len(out) < MAX_CHOICES:
            more = "" if len(out) < 2 else " (empty to finish)"
            got = self._text(f"Choice {len(out) + 1}{more}:", required=len(out) < 2)
            if not got:
                break
            if got in out:
                self.p.say(self.p.style(f"'{got}' is already a choice.", "bad"))
                continue
            out.append(got)
        return out

    def _list(self, message: str, default: str = "", check: object = None) -> tuple[str, ...]:
        raw = self._text(message, default=default, check=check)
        return tuple(dict.fromkeys(a.strip() for a in raw.split(";") if a.strip()))

    # -- asking ------------------------------------------------------------
    def _text(self, message: str, required: bool = False, default: str = "", check: object = None) -> str:
        """Ask until the answer passes: empty when not required, else non-empty and ``check`` (error or None)."""
        message = _room_for_answer(message, default)
        while True:
            got = self.p.ask(Ask("text", message, default=default or None))
            got = "" if got == UNDO else got.strip()
            error = None
            if not got and required:
                error = "an answer is needed here"
            elif got and callable(check):
                error = check(got)
            if error is None:
                return got
            self.p.say(self.p.style(f"  {error}", "bad"))

    def _check_id(self, value: str) -> str | None:
        if not deckmod.DECK_ID.fullmatch(value):
            return "use only lowercase letters, digits and '-'"
        if value in self.taken:
            return f"'{value}' is {self.taken[value]}; pick another id"
        return None

    def _check_qid(self, value: str, ids: set[str]) -> str | None:
        if not deckmod.QUESTION_ID.fullmatch(value):
            return "use only letters, digits, '-', '_' and '.'"
        if value in ids:
            return f"'{value}' is already used in this deck"
        return None

    @staticmethod
    def _check_field(q: Question, name: str) -> str | None:
        mine = [p.split(": ", 1)[1] for p in problems(q) if re.match(rf"{name}[\[.:]", p)]
        return mine[0] if mine else None


ANSWER_ROOM = 24  # columns an answer needs after its prompt before it is better on a line of its own


def _room_for_answer(message: str, default: str) -> str:
    """``message``, ending in a line break when what is typed would not fit after it on the same line.

    Otherwise the terminal splits the answer (or the suggested id) mid-word at the edge.
    """
    last = wrap(message, width(), first=2).rsplit("\n", 1)
    used = visible_len(last[-1]) + (2 if len(last) == 1 else 0) + 1
    return message + "\n" if used + max(len(default), ANSWER_ROOM) > width() else message
