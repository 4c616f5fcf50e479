"""/feeds/batches.atom: the published batches."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from batches.models import Batch

pytestmark = pytest.mark.django_db
NS = {"a": "http://www.w3.org/2005/Atom"}


def test_atom_feed(client, demo):
    root = ET.fromstring(client.get("/feeds/batches.atom").content)
    titles = [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert titles == ["2022年第二批优化营商环境典型经验做法"]


def test_a_lead_with_markup_is_text_in_the_feed(client, demo):
    batch = Batch.objects.get(year=2022, sequence=2)
    batch.lead = '各市：<img src=x onerror="alert(1)">现将经验做法印发给你们。'
    batch.save(update_fields=["lead"])
    raw = client.get("/feeds/batches.atom").content
    root = ET.fromstring(raw)
    summaries = root.findall("a:entry/a:summary", NS)
    assert [(s.get("type"), s.text) for s in summaries] == [("text", batch.lead)]
    assert b"<img" not in raw and b'type="html"' not in raw


def test_the_feed_holds_the_latest_50_batches_not_the_text_they_were_imported_from(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import published_batches_in_bulk

    published_batches_in_bulk(2000)
    latest = Batch.objects.create(
        year=2100, sequence=1, title="最新一批", status="published", published_at=timezone.now(), source_text="原文"
    )
    with CaptureQueriesContext(connection) as captured:
        root = ET.fromstring(client.get("/feeds/batches.atom").content)
    entries = root.findall("a:entry", NS)
    assert len(entries) == 50 and entries[0].findtext("a:title", namespaces=NS) == latest.title
    assert not any("source_text" in query["sql"] for query in captured.captured_queries)
