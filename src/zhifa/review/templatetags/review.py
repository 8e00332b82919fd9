"""`{% load review %}{% review_summary case %}`: the review history block for the case page
(determination and why, each round with its opinion and 意见书, deliberations, and what still
blocks the decision). The case page has already checked the user may read the case."""

from __future__ import annotations

from django import template

from zhifa.review import catalogue as cat
from zhifa.review import selectors, services
from zhifa.review.models import ReviewRequest

register = template.Library()


@register.inclusion_tag("review/_case_summary.html")
def review_summary(case) -> dict:
    determination = selectors.determination_of(case)
    review = ReviewRequest.objects.filter(case=case).first()
    return {
        "case": case,
        "determination": determination,
        "text": cat.describe(determination or cat.evaluate(case)),
        "review": review,
        "rounds": list(selectors.rounds_of(review)) if review else [],
        "deliberations": list(selectors.deliberations_of(case)),
        "gate": services.decision_gate(case),
    }
