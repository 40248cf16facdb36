"""Lesson 04: explorers (being written)."""

__all__: list[str] = []
