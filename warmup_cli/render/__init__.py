"""Renderers: turn a series into text. Each takes rows and returns or writes text; none of
them computes a schedule."""
