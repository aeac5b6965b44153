"""paused_gc: the collector is off inside, back as it was outside, even on errors."""

from __future__ import annotations

import gc

import pytest

from schemaspec.util.gcpause import paused_gc


def test_pauses_and_resumes() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resumes_after_an_error() -> None:
    with pytest.raises(ValueError, match="boom"), paused_gc():
        raise ValueError("boom")
    assert gc.isenabled()


def test_nested_pause_resumes_only_at_the_outer_end() -> None:
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_leaves_a_collector_the_application_disabled_alone() -> None:
    gc.disable()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_as_a_decorator_keeps_the_result() -> None:
    @paused_gc()
    def enabled_inside() -> bool:
        return gc.isenabled()

    assert enabled_inside() is False
    assert gc.isenabled()
