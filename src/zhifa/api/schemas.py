from __future__ import annotations

import datetime

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class BodyProfileOut(Schema):
    uscc: str
    kind: str
    head_name: str
    address: str
    phone: str
    supervision_phone: str
    categories: list[str]
    area: str


class ReviewerRatioOut(Schema):
    """法制审核人员 ≥ 5 % of the in-post officers and ≥ 1 (zhifa.registry.rules)."""

    ok: bool
    reviewers: int
    officers: int
    required: int
    message: str


class BodyOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    region_code: str
    region_name: str
    parent_id: int | None
    registered: bool
    profile: BodyProfileOut | None
    reviewer_ratio: ReviewerRatioOut | None


class BodyIn(Schema):
    """The body profile: all fields to register it, those to change for an update."""

    uscc: str | None = None
    kind: str | None = None
    head_name: str | None = None
    address: str | None = None
    phone: str | None = None
    supervision_phone: str | None = None
    categories: list[str] | None = None
    area: str | None = None


class AdviserIn(Schema):
    name: str
    law_firm_id: int
    practising_certificate_no: str


class AdviserPatch(Schema):
    name: str | None = None
    law_firm_id: int | None = None
    practising_certificate_no: str | None = None
    active: bool | None = None


class AdviserOut(Schema):
    id: int
    body_id: int
    name: str
    law_firm_id: int
    law_firm_name: str
    practising_certificate_no: str
    active: bool


class ReviewerIn(Schema):
    officer_id: int | None = None
    adviser_id: int | None = None
    appointed_on: datetime.date
    first_time: bool


class ReviewerWithdrawIn(Schema):
    withdrawn_on: datetime.date
    reason: str = ""


class ReviewerOut(Schema):
    id: int
    body_id: int
    officer_id: int | None
    adviser_id: int | None
    name: str
    appointed_on: datetime.date
    first_time: bool
    active: bool
    withdrawn_on: datetime.date | None


class OfficerOut(Schema):
    id: int
    name: str
    gender: str
    post: str
    citizen_id: str  # masked
    body_id: int  # the body's organisation id (as in /bodies/{org_id})
    body_name: str
    unit_id: int
    unit_name: str
    certificate_no: str
    certificate_categories: list[str]
    certificate_issued_on: datetime.date
    certificate_expires_on: datetime.date
    status: str
    has_legal_qualification: bool


class OfficerIn(Schema):
    organization_id: int
    name: str
    gender: str
    citizen_id: str
    certificate_no: str
    certificate_issued_on: datetime.date
    certificate_expires_on: datetime.date
    post: str = ""
    certificate_categories: list[str] = []
    status: str = "active"
    has_legal_qualification: bool = False
    legal_qualification_no: str = ""


class OfficerPatch(Schema):
    organization_id: int | None = None
    name: str | None = None
    gender: str | None = None
    citizen_id: str | None = None
    certificate_no: str | None = None
    certificate_issued_on: datetime.date | None = None
    certificate_expires_on: datetime.date | None = None
    post: str | None = None
    certificate_categories: list[str] | None = None
    status: str | None = None
    has_legal_qualification: bool | None = None
    legal_qualification_no: str | None = None


class TrainingIn(Schema):
    date: datetime.date
    title: str
    hours: str  # decimal, at most one decimal place


class TrainingOut(Schema):
    id: int
    officer_id: int
    date: datetime.date
    title: str
    hours: str


class TrainingsOut(Schema):
    items: list[TrainingOut]
    hours_by_year: dict[str, str]  # {"2026": "12.5"}, most recent year first


class LawOut(Schema):
    id: int
    title: str
    short_title: str
    level: str
    issuing_body: str
    version_date: datetime.date | None
    in_force: bool
    article_count: int


class LawDetailOut(LawOut):
    history: str


class ArticleOut(Schema):
    id: int
    law_id: int
    label: str
    number: int
    suffix: int
    part: str
    subpart: str
    chapter: str
    section: str
    text: str


class SearchHitOut(Schema):
    article: ArticleOut
    law_title: str
    snippet_html: str
