"""The collector is paused while a command loads, and left exactly as it was afterwards."""

from __future__ import annotations

import gc

import pytest

from legquiz.speed.gcpause import loaded, loading, paused


@pytest.fixture(autouse=True)
def clean_collector() -> None:
    """Start from a plain collector: in-process CLI runs (cli.main freezes on exit) leave objects frozen."""
    gc.unfreeze()
    gc.enable()


def test_loading_pauses_until_loaded_then_restores_everything() -> None:
    seen: list[tuple[bool, int]] = []

    @loading
    def command() -> str:
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        keep = [[i] for i in range(1000)]  # noqa: F841  (something to freeze)
        loaded()
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        return "done"

    assert gc.isenabled()
    assert command() == "done"
    assert seen[0] == (False, 0)
    assert seen[1][0] is True and seen[1][1] > 0  # what was loaded is out of the collector's way
    assert gc.isenabled() and gc.get_freeze_count() == 0  # a test process gets its collector back


def test_loading_restores_the_collector_when_the_command_fails() -> None:
    @loading
    def command() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        command()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_loading_leaves_a_disabled_collector_disabled() -> None:
    @loading
    def command() -> bool:
        loaded()
        return gc.isenabled()

    gc.disable()
    try:
        assert command() is False
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_paused_is_a_plain_pause() -> None:
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0
