"""The bad-input cases for tests/test_deck.py: each deck text with the exact lines `deck validate` prints.

Kept apart from the tests so the table reads as a list: file content, then the
output, line by line. The file is always called ``bad.yaml``.
"""

from __future__ import annotations

HEAD = "format: 1\nid: mine\ntitle: Mine\nquestions:\n"  # lines 1-4; the first question starts on line 5
TYPED = "  - id: q1\n    type: typed\n    question: Which muscle?\n    answer: quadriceps\n"  # lines 5-8
MC = "    type: multiple_choice\n    question: Which muscle?\n    choices: [Quadriceps, Hamstrings, Calves]\n"

# name -> (file content, the exact lines `deck validate bad.yaml` prints)
CASES: dict[str, tuple[str | bytes, list[str]]] = {
    "syntax-flow": (
        "format: 1\nid: mine\ntitle: [Mine\nquestions: []\n",
        ["bad.yaml:4: yaml: did not find expected ',' or ']' (column 10); a flow sequence starts on line 3"],
    ),
    "syntax-quote": (
        HEAD + '  - id: q1\n    type: typed\n    question: "Which muscle?\n    answer: quadriceps\n',
        ["bad.yaml:9: yaml: found unexpected end of stream (column 1); a quoted scalar starts on line 7"],
    ),
    "syntax-colon": (
        "format: 1\nid: mine\ntitle Mine\nquestions: []\n",
        ["bad.yaml:4: yaml: could not find expected ':' (column 1); a simple key starts on line 3"],
    ),
    "tab": (
        HEAD + "  - id: q1\n\ttype: typed\n",
        ["bad.yaml:6: yaml: found a tab character that violates indentation (column 1); indent with spaces, not tabs"],
    ),
    "two-documents": (
        HEAD + TYPED + "---\nid: other\n",
        ["bad.yaml:9: yaml: a deck is one YAML document, but a second one ('---') starts here"],
    ),
    "wrong-type-title": (
        "format: 1\nid: mine\ntitle: 12\nquestions:\n" + TYPED,
        ["bad.yaml:3: title: must be text, not a number (put it in quotes)"],
    ),
    "wrong-type-questions": (
        "format: 1\nid: mine\ntitle: Mine\nquestions: {q1: x}\n",
        ["bad.yaml:4: questions: must be a list of questions, not a mapping"],
    ),
    "wrong-type-question-item": (
        HEAD + TYPED + "  - just text\n",
        ["bad.yaml:9: questions[1]: must be a mapping of keys to values, not text"],
    ),
    "wrong-type-choices": (
        HEAD
        + "  - id: q1\n    type: multiple_choice\n    question: Which?\n    choices: Quadriceps\n    answer: Quadriceps\n",
        ["bad.yaml:8: questions[0].choices: must be a list, not text"],
    ),
    "wrong-type-choice-item": (
        HEAD + "  - id: q1\n" + MC.replace("Hamstrings", "[Hamstrings]") + "    answer: Quadriceps\n",
        ["bad.yaml:8: questions[0].choices[1]: must be text, not a list"],
    ),
    "wrong-type-id": (
        HEAD + TYPED.replace("id: q1", "id: 5"),
        ["bad.yaml:5: questions[0].id: must be text, not a number (put it in quotes)"],
    ),
    "wrong-type-date": (
        HEAD.replace("Mine", "2024-05-01") + TYPED,
        ["bad.yaml:3: title: must be text, not a date (put it in quotes)"],
    ),
    "empty-value": (
        HEAD + TYPED.replace("answer: quadriceps", "answer:"),
        ["bad.yaml:8: questions[0].answer: must be text, not empty"],
    ),
    "missing-top": ("format: 1\nid: mine\n", ["bad.yaml:1: title: required", "bad.yaml:1: questions: required"]),
    "missing-answer": (
        HEAD + "  - id: q1\n    type: typed\n    question: Which muscle?\n",
        ["bad.yaml:5: questions[0].answer: required for typed questions"],
    ),
    "missing-type-and-id": (
        HEAD + "  - question: Which muscle?\n    answer: quadriceps\n",
        [
            "bad.yaml:5: questions[0].type: required (one of multiple_choice, true_false, typed, flashcard, cloze)",
            "bad.yaml:5: questions[0].id: required",
        ],
    ),
    "duplicate-id": (HEAD + TYPED + TYPED, ["bad.yaml:9: questions[1].id: duplicate id 'q1' (first used on line 5)"]),
    "duplicate-key": (
        HEAD.replace("title: Mine\n", "title: Mine\ntitle: Yours\n") + TYPED,
        ["bad.yaml:4: title: duplicate key (first on line 3)"],
    ),
    "duplicate-question-key": (
        HEAD + TYPED + "    answer: quads\n",
        ["bad.yaml:9: questions[0].answer: duplicate key (first on line 8)"],
    ),
    "unknown-key-top": (
        HEAD.replace("questions:", "qestions:") + TYPED,
        ["bad.yaml:1: questions: required", "bad.yaml:4: qestions: unknown key (did you mean 'questions'?)"],
    ),
    "unknown-key-question": (
        HEAD + TYPED + "    explantion: Why.\n",
        ["bad.yaml:9: questions[0].explantion: unknown key (did you mean 'explanation'?)"],
    ),
    "unknown-key-no-match": (
        HEAD + TYPED + "    zzz: 1\n",
        ["bad.yaml:9: questions[0].zzz: unknown key (custom keys must start with 'x-')"],
    ),
    "key-of-other-type": (
        HEAD + TYPED + "    choices: [a, b]\n",
        ["bad.yaml:9: questions[0].choices: not used by typed questions (only by multiple_choice)"],
    ),
    "unknown-type": (
        HEAD + TYPED.replace("type: typed", "type: multi_choice"),
        [
            "bad.yaml:6: questions[0].type: unknown type 'multi_choice'; did you mean 'multiple_choice'?"
            " use one of multiple_choice, true_false, typed, flashcard, cloze"
        ],
    ),
    "empty": ("", ["bad.yaml:1: deck: file is empty"]),
    "comments-only": ("# a deck, some day\n\n# more to come\n", ["bad.yaml:1: deck: file is empty"]),
    "document-marker-only": ("---\n...\n", ["bad.yaml:1: deck: file is empty"]),
    "not-a-mapping": ("- a\n- b\n", ["bad.yaml:1: deck: must be a mapping of keys to values, not a list"]),
    "latin-1": (
        b"format: 1\nid: mine\ntitle: Caf\xe9\nquestions: []\n",
        ["bad.yaml:3: encoding: not valid UTF-8 (byte 0xe9); save the file as UTF-8"],
    ),
    "utf-16-le": ((HEAD + TYPED).encode("utf-16"), ["bad.yaml:1: encoding: file is UTF-16; save it as UTF-8"]),
    "utf-16-be": (
        b"\xfe\xff" + (HEAD + TYPED).encode("utf-16-be"),
        ["bad.yaml:1: encoding: file is UTF-16; save it as UTF-8"],
    ),
    "nul-byte": (b"format: 1\nid: mine\x00\n", ["bad.yaml:2: encoding: binary data (NUL byte), not a YAML text file"]),
    "bom-then-error": (
        b"\xef\xbb\xbf" + (HEAD + TYPED + "    zzz: 1\n").encode(),
        ["bad.yaml:9: questions[0].zzz: unknown key (custom keys must start with 'x-')"],
    ),
    "python-tag": (
        "format: 1\nid: mine\ntitle: !!python/object/apply:os.system ['touch PWNED']\nquestions:\n" + TYPED,
        ["bad.yaml:3: title: tag !!python/object/apply:os.system is not allowed (decks are plain data)"],
    ),
    "python-tag-in-x-key": (
        HEAD + TYPED + "    x-note: !!python/object/new:os.system [touch PWNED]\n",
        ["bad.yaml:9: questions[0].x-note: tag !!python/object/new:os.system is not allowed (decks are plain data)"],
    ),
    "local-tag": (
        HEAD + TYPED.replace("answer: quadriceps", "answer: !secret quadriceps"),
        ["bad.yaml:8: questions[0].answer: tag !secret is not allowed (decks are plain data)"],
    ),
    "alias": (
        HEAD
        + "  - &first\n    id: q1\n    type: typed\n    question: Which muscle?\n    answer: quadriceps\n  - *first\n",
        [
            "bad.yaml:5: questions[1]: reuses the value on this line through a YAML alias (*name); aliases are not supported in decks"
        ],
    ),
    "merge-key": (
        HEAD + "  - id: q1\n    <<: {type: typed}\n    question: Which muscle?\n    answer: quadriceps\n",
        [
            "bad.yaml:5: questions[0].type: required (one of multiple_choice, true_false, typed, flashcard, cloze)",
            "bad.yaml:6: questions[0]: merge keys (<<) are not supported in decks; write the keys out",
        ],
    ),
    "answer-not-a-choice": (
        HEAD + "  - id: q1\n" + MC + "    answer: Glutes\n",
        ["bad.yaml:9: questions[0].answer: must be one of the choices"],
    ),
    "choice-twice": (
        HEAD + "  - id: q1\n" + MC.replace("Calves", "Hamstrings") + "    answer: Quadriceps\n",
        ["bad.yaml:8: questions[0].choices: 'Hamstrings' is listed twice"],
    ),
    "one-choice": (
        HEAD + "  - id: q1\n" + MC.replace(", Hamstrings, Calves", "") + "    answer: Quadriceps\n",
        ["bad.yaml:8: questions[0].choices: needs at least 2 entries"],
    ),
    "cloze-without-gap": (
        HEAD + "  - id: c1\n    type: cloze\n    text: Running works the quadriceps.\n",
        ["bad.yaml:7: questions[0].text: needs at least one {{hidden part}} in double braces"],
    ),
    "cloze-empty-gap": (
        HEAD + "  - id: c1\n    type: cloze\n    text: Running works the {{ }}.\n",
        ["bad.yaml:7: questions[0].text: has an empty {{ }} gap"],
    ),
    "cloze-unmatched": (
        HEAD + "  - id: c1\n    type: cloze\n    text: Running works the {{quadriceps}} and }}.\n",
        ["bad.yaml:7: questions[0].text: has an unmatched '{{' or '}}'"],
    ),
    "cloze-with-answer": (
        HEAD + "  - id: c1\n    type: cloze\n    text: Running works the {{quadriceps}}.\n    answer: quadriceps\n",
        [
            "bad.yaml:8: questions[0].answer: not used by cloze questions (only by multiple_choice, true_false, typed, flashcard)"
        ],
    ),
    "true-false-text": (
        HEAD + '  - id: t1\n    type: true_false\n    question: Jogging builds big legs.\n    answer: "false"\n',
        ["bad.yaml:8: questions[0].answer: must be true or false, not text"],
    ),
    "true-false-number": (
        HEAD + "  - id: t1\n    type: true_false\n    question: Jogging builds big legs.\n    answer: 0\n",
        ["bad.yaml:8: questions[0].answer: must be true or false, not a number"],
    ),
    "format-2": (
        HEAD.replace("format: 1", "format: 2") + TYPED,
        ["bad.yaml:1: format: version 2 is not supported (this legquiz reads format 1; a newer legquiz may read it)"],
    ),
    "format-text": (
        HEAD.replace("format: 1", "format: one") + TYPED,
        ["bad.yaml:1: format: must be the number 1, not text"],
    ),
    "deck-id-chars": (
        HEAD.replace("id: mine", "id: My_Deck") + TYPED,
        ["bad.yaml:2: id: may only contain lowercase letters, digits and '-'"],
    ),
    "question-id-chars": (
        HEAD + TYPED.replace("id: q1", "id: q 1"),
        ["bad.yaml:5: questions[0].id: may only contain letters, digits, '-', '_' and '.'"],
    ),
    "no-questions": (
        "format: 1\nid: mine\ntitle: Mine\nquestions: []\n",
        ["bad.yaml:4: questions: must have at least one question"],
    ),
    "blank-text": (
        HEAD + TYPED.replace("Which muscle?", '"   "'),
        ["bad.yaml:7: questions[0].question: must not be empty"],
    ),
    "many-problems": (
        HEAD
        + '  - id: t1\n    type: true_false\n    question: Jogging builds big legs.\n    answer: "no"\n'  # 5-8
        + "  - id: c1\n    type: cloze\n    text: No gap here.\n"  # 9-11
        + "  - id: m1\n"
        + MC
        + "    answer: Glutes\n"  # 12-16
        + "  - id: t1\n    type: flashcard\n    question: Front\n    answer: Back\n    explantion: Why.\n    x-ok: fine\n",  # 17-22
        [
            "bad.yaml:8: questions[0].answer: must be true or false, not text",
            "bad.yaml:11: questions[1].text: needs at least one {{hidden part}} in double braces",
            "bad.yaml:16: questions[2].answer: must be one of the choices",
            "bad.yaml:17: questions[3].id: duplicate id 't1' (first used on line 5)",
            "bad.yaml:21: questions[3].explantion: unknown key (did you mean 'explanation'?)",
        ],
    ),
}
# Regression tests for bugs fixed in the validator (each case failed before its fix).
REGRESSIONS: dict[str, tuple[str | bytes, list[str]]] = {
    # The duplicate went unreported when either question had another problem.
    "duplicate-id-of-broken-question": (
        HEAD + "  - id: q1\n    type: typed\n    question: Which muscle?\n" + TYPED,
        [
            "bad.yaml:5: questions[0].answer: required for typed questions",
            "bad.yaml:8: questions[1].id: duplicate id 'q1' (first used on line 5)",
        ],
    ),
    # Top-level duplicate keys were named `deck.title`, unlike every other top-level field.
    "duplicate-key-field-name": (HEAD + TYPED + "id: again\n", ["bad.yaml:9: id: duplicate key (first on line 2)"]),
    # libyaml's tab message does not contain '\t', so the hint was missing.
    "tab-hint-libyaml": (
        "format: 1\nid: mine\n\ttitle: Mine\n",
        ["bad.yaml:3: yaml: found a tab character that violates indentation (column 1); indent with spaces, not tabs"],
    ),
    # Aliases inside x- values were never looked at.
    "alias-in-x-key": (
        HEAD.replace("title: Mine", "title: &t Mine") + TYPED + "    x-copy: *t\n",
        [
            "bad.yaml:3: questions[0].x-copy: reuses the value on this line through a YAML alias (*name); aliases are not supported in decks"
        ],
    ),
    # Aliases on a multi-gap cloze were silently ignored by the session.
    "cloze-aliases-two-gaps": (
        HEAD + "  - id: c1\n    type: cloze\n    text: The {{quadriceps}} and {{calves}}.\n    aliases: [quads]\n",
        ["bad.yaml:8: questions[0].aliases: only allowed on a cloze with a single {{gap}}"],
    ),
}

# `sources:` (issue 17): a list of {article, text}; the article check itself needs files (test_deck.py).
SOURCES: dict[str, tuple[str | bytes, list[str]]] = {
    "sources-not-a-list": (
        HEAD + TYPED + '    sources: "A sentence."\n',
        ["bad.yaml:9: questions[0].sources: must be a list of 1 to 12 {article, text} mappings, not text"],
    ),
    "sources-empty": (
        HEAD + TYPED + "    sources: []\n",
        ["bad.yaml:9: questions[0].sources: must be a list of 1 to 12 {article, text} mappings, not 0 entries"],
    ),
    "sources-item-not-a-mapping": (
        HEAD + TYPED + "    sources:\n      - A sentence.\n",
        ["bad.yaml:10: questions[0].sources[0]: must be a mapping of keys to values, not text"],
    ),
    "sources-item-without-text": (
        HEAD + TYPED + "    sources:\n      - {article: a.txt}\n",
        ["bad.yaml:10: questions[0].sources[0].text: required (the sentence quoted, copied exactly from the article)"],
    ),
    "sources-item-typo": (
        HEAD + TYPED + "    sources:\n      - {article: a.txt, txt: A sentence.}\n",
        [
            "bad.yaml:10: questions[0].sources[0].txt: unknown key (did you mean 'text'?)",
            "bad.yaml:10: questions[0].sources[0].text: required (the sentence quoted, copied exactly from the article)",
        ],
    ),
    "sources-text-not-text": (
        HEAD + TYPED + "    sources:\n      - {article: a.txt, text: 12}\n",
        ["bad.yaml:10: questions[0].sources[0].text: must be text, not a number (put it in quotes)"],
    ),
}
ALL = {**CASES, **REGRESSIONS, **SOURCES}
