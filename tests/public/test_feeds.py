"""/feeds/batches.atom: the published batches."""

import xml.etree.ElementTree as ET

import pytest

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
