"""Lesson 07: explorers (being written)."""

__all__: list[str] = []
