"""行政执法公示 API: the public feed of publications and withdrawals for other systems (政务服务
平台, the provincial platform). Public like the portal (no authentication): only published,
masked content; a withdrawn or expired item's content is never served."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from zhifa.publicity import selectors
from zhifa.publicity.models import FeedEntry, Publication

from ..schemas import ErrorOut

router = Router(tags=["行政执法公示"])

MAX_LIMIT = 500


class PublicationOut(Schema):
    id: int
    body_id: int
    body_name: str
    category: str = Field(
        description="penalty 行政处罚 / licensing 行政许可 / coercion / inspection / other"
    )
    title: str
    document_number: str
    party: str = Field(description="当事人（自然人已遮蔽为“张某”）")
    party_code: str = Field(description="法人或其他组织的统一社会信用代码；自然人为空")
    conclusion: str
    facts: str
    legal_basis: str
    penalty: str
    decided_on: datetime.date
    published_at: datetime.datetime
    url: str


class WithdrawalOut(Schema):
    id: int
    body_id: int
    body_name: str
    document_number: str
    reason: str
    withdrawn_at: datetime.datetime


class FeedItemOut(Schema):
    seq: int = Field(description="游标：下一次以 since=seq 续取")
    kind: str = Field(description="published 公示 / withdrawn 撤回")
    at: datetime.datetime
    publication_id: int
    publication: PublicationOut | None = Field(
        None, description="公示内容；已撤回或已过公示期的条目为空"
    )
    withdrawal: WithdrawalOut | None = None


class FeedPageOut(Schema):
    items: list[FeedItemOut]
    next_since: int = Field(description="下一页的 since 参数")
    more: bool


def publication_out(p: Publication) -> dict:
    return {
        "id": p.pk,
        "body_id": p.organization_id,
        "body_name": p.organization.name,
        "category": p.category,
        "title": p.title,
        "document_number": p.document_number,
        "party": p.party_display,
        "party_code": p.party_code,
        "conclusion": p.conclusion,
        "facts": p.facts,
        "legal_basis": p.legal_basis,
        "penalty": p.penalty,
        "decided_on": p.decided_on,
        "published_at": p.published_at,
        "url": p.get_absolute_url(),
    }


def _item(entry: FeedEntry) -> dict:
    pub = entry.publication
    item = {
        "seq": entry.pk,
        "kind": entry.kind,
        "at": entry.at,
        "publication_id": pub.pk,
        "publication": publication_out(pub) if entry.visible else None,
        "withdrawal": None,
    }
    if entry.kind == "withdrawn":
        item["withdrawal"] = {
            "id": pub.pk,
            "body_id": pub.organization_id,
            "body_name": pub.organization.name,
            "document_number": pub.document_number,
            "reason": pub.withdrawal_reason,
            "withdrawn_at": pub.withdrawn_at or entry.at,
        }
    return item


@router.get("/publicity/feed", response=FeedPageOut, auth=None)
def feed(request: HttpRequest, since: int = 0, limit: int = 100):
    """公示与撤回动态，按发生顺序。从 since=0 开始，每次以返回的 next_since 续取；收到 withdrawn
    条目时应从本系统撤下对应公示。"""
    limit = max(1, min(limit, MAX_LIMIT))
    since = max(0, since)
    entries = selectors.feed_entries(since=since, limit=limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    return {
        "items": [_item(e) for e in entries],
        "next_since": entries[-1].pk if entries else since,
        "more": more,
    }


@router.get(
    "/publicity/publications/{int:publication_id}",
    response={200: PublicationOut, 404: ErrorOut},
    auth=None,
)
def get_publication(request: HttpRequest, publication_id: int):
    """一条公示（仅限公示期内、未撤回的）。"""
    return publication_out(selectors.get_public_publication(publication_id))
