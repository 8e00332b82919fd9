"""Word segmentation with rjieba: the index holds the fine cut (cut_for_search), a query word
matches either itself or the phrase of its parts, so 行政处罚 finds 行政处罚法 and back."""

from __future__ import annotations

import rjieba


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def segment(text: str) -> str:
    """Space-joined search tokens of `text` (punctuation dropped)."""
    return " ".join(t for t in rjieba.cut_for_search(text) if _is_word(t) and not t.isspace())


def query_terms(query: str) -> list[list[list[str]]]:
    """For each query word, the alternatives that match it: [[word], [part, part, ...]]."""
    terms = []
    for word in rjieba.cut(query):
        word = "".join(ch for ch in word if ch.isalnum())
        if not word:
            continue
        alternatives = [[word]]
        parts = [p for p in rjieba.cut_for_search(word) if p != word and _is_word(p)]
        # The index lists a word's parts before the word, adjacent: 行政 处罚 处罚法 行政处罚法.
        # So the phrase of the parts finds the word inside a longer one (行政处罚 in 行政处罚法).
        if parts:
            alternatives.append(parts)
        terms.append(alternatives)
    return terms


def fts5_match(terms: list[list[list[str]]]) -> str:
    """SQLite FTS5 MATCH text for ``query_terms``: every word, each as any of its phrases."""
    groups = []
    for alternatives in terms:
        phrases = ['"' + " ".join(alt) + '"' for alt in alternatives]
        groups.append("(" + " OR ".join(phrases) + ")")
    return " AND ".join(groups)


def pg_tsquery(terms: list[list[list[str]]]) -> str:
    """PostgreSQL ``to_tsquery('simple', ...)`` text for ``query_terms`` (phrases with <->)."""
    groups = []
    for alternatives in terms:
        phrases = [" <-> ".join(alt) for alt in alternatives]
        groups.append("(" + " | ".join(f"({p})" for p in phrases) + ")")
    return " & ".join(groups)


def highlight_words(query: str) -> list[str]:
    """The strings to mark in a snippet: the query's words, longest first."""
    words = {"".join(ch for ch in w if ch.isalnum()) for w in rjieba.cut(query)}
    return sorted((w for w in words if w), key=len, reverse=True)
