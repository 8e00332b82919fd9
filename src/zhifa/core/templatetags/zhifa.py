"""Template helpers shared by every app."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()


@lru_cache(maxsize=1024)
def _reverse(name: str, args: tuple, prefix: str) -> str:
    return reverse(name, args=args)


@register.simple_tag
def fixed_url(name: str, *args) -> str:
    """`{% url %}` for the page shell's links, remembered per process: URL patterns do not
    change while it runs, and the shell renders on every page."""
    return _reverse(name, tuple(args), get_script_prefix())
