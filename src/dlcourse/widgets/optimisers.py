"""Lesson 05: explorers (being written)."""

__all__: list[str] = []
