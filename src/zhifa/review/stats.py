"""Statistics for supervision (issue 6 item 7): per body, the reviews and rounds, the share
passed on the first round, the average duration (working days from the first submission to the
passing opinion), problems by checklist item, and the rounds past their time limit."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from zhifa.core.calendar import working_days_between
from zhifa.core.models import User

from .checklist import CHECKLIST
from .models import Finding, FindingResult, Opinion, RequestStatus, ReviewRound
from .selectors import requests_for


@dataclass
class BodyStats:
    organization_id: int
    name: str
    requests: int = 0
    rounds: int = 0
    passed: int = 0
    returned_now: int = 0
    first_round_decided: int = 0
    first_round_passed: int = 0
    durations: list[int] = field(default_factory=list)
    open_rounds: int = 0
    overdue: int = 0
    problems: Counter = field(default_factory=Counter)

    @property
    def first_round_pass_rate(self) -> float | None:
        if not self.first_round_decided:
            return None
        return round(100 * self.first_round_passed / self.first_round_decided, 1)

    @property
    def average_days(self) -> float | None:
        if not self.durations:
            return None
        return round(sum(self.durations) / len(self.durations), 1)


@dataclass
class Statistics:
    bodies: list[BodyStats]
    problems: list[tuple[str, str, int]]  # (code, label, count)
    overdue_rounds: list[ReviewRound]
    totals: BodyStats


def review_statistics(
    user: User,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Statistics:
    """Over the reviews first submitted in [date_from, date_to] that the user may read."""
    today = today or timezone.localdate()
    requests = requests_for(user)
    if date_from:
        requests = requests.filter(created_at__date__gte=date_from)
    if date_to:
        requests = requests.filter(created_at__date__lte=date_to)
    requests = list(requests.annotate(n_rounds=Count("rounds")))
    by_body: dict[int, BodyStats] = {}
    totals = BodyStats(0, "合计")
    rounds = defaultdict(list)
    for r in ReviewRound.objects.filter(request__in=[q.pk for q in requests]).order_by("number"):
        rounds[r.request_id].append(r)
    overdue_rounds = []
    for request in requests:
        body = by_body.setdefault(
            request.organization_id,
            BodyStats(request.organization_id, request.organization.name),
        )
        for stats in (body, totals):
            stats.requests += 1
            stats.rounds += request.n_rounds
            stats.passed += request.status == RequestStatus.PASSED
            stats.returned_now += request.status == RequestStatus.RETURNED
        its_rounds = rounds[request.pk]
        first = its_rounds[0] if its_rounds else None
        if first is not None and first.opinion:
            for stats in (body, totals):
                stats.first_round_decided += 1
                stats.first_round_passed += first.opinion == Opinion.AGREE
        if request.status == RequestStatus.PASSED and first is not None and request.passed_at:
            days = working_days_between(
                first.clock_started_on, timezone.localtime(request.passed_at).date()
            ).count
            body.durations.append(days)
            totals.durations.append(days)
        for r in its_rounds:
            if r.opinion:
                continue
            for stats in (body, totals):
                stats.open_rounds += 1
            if r.due_on < today:
                for stats in (body, totals):
                    stats.overdue += 1
                r.request = request
                overdue_rounds.append(r)
    problem_counts = Counter(
        dict(
            Finding.objects.filter(
                round__request__in=[q.pk for q in requests], result=FindingResult.PROBLEM
            )
            .values_list("item")
            .annotate(n=Count("id"))
            .values_list("item", "n")
        )
    )
    for org_id, item, n in (
        Finding.objects.filter(
            round__request__in=[q.pk for q in requests], result=FindingResult.PROBLEM
        )
        .values_list("round__request__organization", "item")
        .annotate(n=Count("id"))
        .values_list("round__request__organization", "item", "n")
    ):
        by_body[org_id].problems[item] += n
    totals.problems = problem_counts
    problems = [(code, label, problem_counts.get(code, 0)) for code, label in CHECKLIST]
    bodies = sorted(by_body.values(), key=lambda b: b.name)
    overdue_rounds.sort(key=lambda r: r.due_on)
    return Statistics(bodies, problems, overdue_rounds, totals)
