"""cached_attribute computes a value once per instance, as functools.cached_property does."""

from __future__ import annotations

from chorus_tui.cached import cached_attribute


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    @cached_attribute
    def value(self) -> int:
        """The number of calls when first read."""
        self.calls += 1
        return self.calls


def test_cached_attribute_computes_once():
    counter = Counter()

    assert counter.value == 1
    assert counter.value == 1
    assert counter.calls == 1


def test_cached_attribute_per_instance():
    first, second = Counter(), Counter()
    first.value

    assert second.calls == 0
    assert second.value == 1


def test_cached_attribute_can_be_reset():
    counter = Counter()
    counter.value
    del counter.value

    assert counter.value == 2


def test_cached_attribute_on_class():
    assert isinstance(Counter.value, cached_attribute)
    assert Counter.value.__doc__ == "The number of calls when first read."
