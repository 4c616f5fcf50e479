"""/feeds/batches.atom: the published batches."""

import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db


def test_atom_feed(client, demo):
    root = ET.fromstring(client.get("/feeds/batches.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles == ["2022年第二批优化营商环境典型经验做法"]
