from django import template

from zhifa.laws.citations import linkify

register = template.Library()


@register.filter
def cite_links(text):
    """{% load laws %}{{ text|cite_links }}: escape the text and link article citations."""
    return linkify(str(text) if text is not None else "")
