"""What a session has left to ask: the day's queue, and questions waiting for their learning step.

Anki's order: a learning question whose step is due comes first; then the
queue (reviews, then new questions); then, when nothing else is left, a
learning question due within the learn-ahead window. Counts of what is left
are kept per kind, as the header shows them (new · learning · review).
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from legquiz.core.queue import Item

KINDS = ("new", "learning", "review")


class StudyQueue:
    def __init__(self, items: list[Item], kind_of: Callable[[str], str], learn_ahead: timedelta) -> None:
        self.queue: deque[Item] = deque(items)
        self.learn_ahead = learn_ahead
        self.kind_of = kind_of
        self._learning: list[tuple[datetime, int, Item]] = []  # a heap by due time
        self._order = itertools.count()
        self._kind = {it.key: kind_of(it.key) for it in items}
        self.left = {k: 0 for k in KINDS}
        for kind in self._kind.values():
            self.left[kind] += 1

    def next(self, now: datetime) -> tuple[Item, str] | None:
        """The next question and its kind: a learning step that is due, else the queue, else learning ahead."""
        if self._learning:
            due, _, item = self._learning[0]
            if due <= now or (not self.queue and due <= now + self.learn_ahead):
                heapq.heappop(self._learning)
                return item, "learning"
        if self.queue:
            item = self.queue.popleft()
            kind = self._kind.get(item.key, "new")
            self.left[kind] -= 1
            return item, kind
        return None

    def put_back(self, item: Item, kind: str) -> None:
        """Ask ``item`` again next (it was taken back, or a newer answer was)."""
        self._kind[item.key] = kind
        self.left[kind] += 1
        self.queue.appendleft(item)

    def again_later(self, item: Item) -> None:
        """Cram: a miss is asked again after the rest."""
        self.left[self._kind.setdefault(item.key, "new")] += 1
        self.queue.append(item)

    def drop_again_later(self, item: Item) -> None:
        """Take out the copy ``again_later`` put at the back (its answer was taken back)."""
        if item in self.queue:
            self.queue.reverse()
            self.queue.remove(item)
            self.queue.reverse()
            self.left[self._kind[item.key]] -= 1

    def relearn(self, item: Item, due: datetime) -> None:
        heapq.heappush(self._learning, (due, next(self._order), item))

    def forget_learning(self, key: str) -> None:
        self._learning = [e for e in self._learning if e[2].key != key]
        heapq.heapify(self._learning)

    def kind(self, key: str, default: str) -> str:
        return self._kind.get(key, default)

    @property
    def next_learning(self) -> datetime | None:
        return self._learning[0][0] if self._learning else None

    @property
    def learning(self) -> int:
        return len(self._learning)

    def counts(self, asking: str) -> dict[str, int]:
        """What is left per kind, the question on screen included (as Anki counts it)."""
        counts = dict(self.left)
        counts["learning"] += len(self._learning)
        counts[asking] += 1
        return counts
