"""Lesson 06: explorers (being written)."""

__all__: list[str] = []
