"""The public JSON feed: since-cursor paging, withdrawals, masked content only, in OpenAPI."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from zhifa.publicity import services

from .conftest import secrets

pytestmark = pytest.mark.django_db


def test_feed_pages_with_a_since_cursor(daxing, facts):
    for n in range(1, 4):
        pub = services.draft_from_facts(None, facts(n))
        services.review(None, pub)
        services.publish(None, pub)
    client = Client()
    page = client.get("/api/v1/publicity/feed?since=0&limit=2").json()
    assert len(page["items"]) == 2 and page["more"] is True
    rest = client.get(f"/api/v1/publicity/feed?since={page['next_since']}&limit=2").json()
    assert len(rest["items"]) == 1 and rest["more"] is False
    seqs = [i["seq"] for i in page["items"] + rest["items"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    empty = client.get(f"/api/v1/publicity/feed?since={rest['next_since']}").json()
    assert empty["items"] == [] and empty["next_since"] == rest["next_since"]


def test_withdrawal_in_the_feed_and_content_gone(daxing, published):
    services.withdraw(daxing.users["bodyhead"], published, "行政复议决定撤销")
    items = Client().get("/api/v1/publicity/feed").json()["items"]
    assert [i["kind"] for i in items] == ["published", "withdrawn"]
    assert items[0]["publication"] is None  # withdrawn content is not served any more
    assert items[1]["withdrawal"]["reason"] == "行政复议决定撤销"
    assert Client().get(f"/api/v1/publicity/publications/{published.pk}").status_code == 404


def test_masked_fields_never_in_json_or_atom(published):
    client = Client()
    # JSON escapes non-ASCII: compare the decoded values, not the raw bytes.
    texts = [
        json.dumps(client.get("/api/v1/publicity/feed").json(), ensure_ascii=False),
        json.dumps(
            client.get(f"/api/v1/publicity/publications/{published.pk}").json(),
            ensure_ascii=False,
        ),
        client.get("/public/feed.atom").content.decode(),
    ]
    assert "岩某" in texts[1]
    for text in texts:
        for secret in secrets():
            assert secret not in text


def test_unpublished_not_in_api(daxing, facts):
    draft = services.draft_from_facts(None, facts(9))
    assert Client().get(f"/api/v1/publicity/publications/{draft.pk}").status_code == 404
    assert Client().get("/api/v1/publicity/feed").json()["items"] == []


def test_bad_parameters_are_clean_errors(published):
    client = Client()
    assert client.get("/api/v1/publicity/feed?since=abc").status_code == 400
    assert client.get("/api/v1/publicity/feed?since=-5&limit=100000").status_code == 200


def test_atom_feed_lists_publications_and_withdrawals(daxing, published):
    services.withdraw(daxing.users["bodyhead"], published, "行政复议决定撤销")
    xml = Client().get("/public/feed.atom")
    assert xml["Content-Type"].startswith("application/atom+xml")
    body = xml.content.decode()
    assert "【撤回】" in body and "行政复议决定撤销" in body
    # The withdrawn decision's own entry (its content) is no longer in the feed.
    assert "决定给予罚款" not in body


def test_feed_is_in_openapi():
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/publicity/feed" in schema["paths"]
    assert "/api/v1/publicity/publications/{publication_id}" in schema["paths"]
