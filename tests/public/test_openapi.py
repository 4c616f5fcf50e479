"""The OpenAPI document of /api/v1/ (public/openapi.py) says exactly what the API answers: real answers of every
endpoint, filtered, paged, empty and wrong, hold to the schema of their path and status, whose objects admit no
property they do not list and list none that may be missing; every API URL of the URLconf is in it; and it is
itself valid OpenAPI 3.1."""

import html
import json
import re
import shlex
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.urls import URLResolver, get_resolver
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from batches import services as batches
from batches.importing import import_bulletin
from practices.enums import Role, Status
from practices.models import PracticeResult
from public import openapi
from public.filters import PublicPracticeFilter
from tests.factories import CityFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

HERE = "https://bizenv.invalid/api/v1/openapi.json"  # where the validator files the document; nothing is fetched
DATA_PATHS = ["/api/v1/practices/", "/api/v1/practices/{id}/", "/api/v1/batches/", "/api/v1/adoptions/"]


def pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def validator(path: str, status: int, language: str = "zh-hans") -> Draft202012Validator:
    """The schema the document gives for GET `path` answered with `status`, $refs and all."""
    doc = openapi.document(language)
    registry = Registry().with_resource(HERE, Resource(contents=doc, specification=DRAFT202012))
    where = pointer("paths", path, "get", "responses", str(status), "content", "application/json", "schema")
    return Draft202012Validator(
        {"$ref": f"{HERE}#/{where}"}, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def answer(client, path: str, expected: int, **query):
    """GET one documented path (its {id} from `query`), answered with the `expected` status and checked against
    the document's schema for both; the body."""
    url = path.format(**query)
    query = {name: value for name, value in query.items() if f"{{{name}}}" not in path}
    response = client.get(url, query)
    assert response.status_code == expected, (url, query, response.content[:300])
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(path, expected).iter_errors(body)
    ]
    assert not problems, (url, query, problems)
    return body


@pytest.fixture
def published(demo):
    """On the demo, a second batch whose practices have what the seed's have not: measured results, and no
    indicator (as an announcement without indicator headings has them)."""
    city = CityFactory(code="610200", name="铜川市")
    measured = PracticeFactory(city=city, status=Status.APPROVED, outcomes="办理时间压缩一半。")
    PracticeResult.objects.create(practice=measured, measure="企业开办时间", before="5", after="2", unit="个工作日")
    PracticeResult.objects.create(practice=measured, measure="办理环节", after="1")
    bare = PracticeFactory(city=city, indicator=None, status=Status.APPROVED)
    batch = batches.batch_create(year=2024)
    batches.batch_add(batch=batch, practices=[measured, bare])
    batches.batch_publish(batch=batch, by=UserFactory(role=Role.COORDINATOR))
    return {"measured": measured, "bare": bare, "batch": batch}


# ---------------------------------------------------------------------------------------------------------------
# The document itself


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_document_is_valid_openapi(language):
    doc = openapi.document(language)
    validate_openapi(doc)  # raises what is wrong
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": "/"}]
    assert doc["info"]["title"] and doc["info"]["version"] and doc["info"]["description"]


def api_routes(patterns, prefix="") -> set[str]:
    """The URLconf's routes under api/v1/, as OpenAPI writes paths: /api/v1/practices/{id}/."""
    routes = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= api_routes(pattern.url_patterns, route)
        elif route.startswith("api/v1/"):
            routes.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return routes


def test_every_api_url_of_the_urlconf_is_documented_and_nothing_else():
    routes = api_routes(get_resolver().url_patterns)
    assert "/api/v1/adoptions/" in routes
    doc = openapi.document()
    assert routes == set(doc["paths"])
    for path, methods in doc["paths"].items():
        assert set(methods) == {"get"}, path  # read-only
        in_path = {p["name"] for p in methods["get"].get("parameters", []) if p.get("in") == "path"}
        assert in_path == set(re.findall(r"{(\w+)}", path)), path


def test_every_parameter_and_property_says_what_it_is():
    doc = openapi.document()
    for path, methods in doc["paths"].items():
        operation = methods["get"]
        assert operation["summary"] and operation["description"] and operation["operationId"], path
        for parameter in operation.get("parameters", []):
            parameter = openapi.resolve(doc, parameter)
            assert parameter["description"] and parameter["schema"]["type"], (path, parameter["name"])
        for field in openapi.rows(doc)[list(doc["paths"]).index(path)]["fields"]:
            assert field["text"] and field["type"], (path, field["name"])


def closed_objects(doc: dict, node, seen: set) -> list[str]:
    """Every object schema reachable from `node` ($refs followed) whose properties are not exactly the ones it
    requires, or that admits others."""
    wrong = []
    if isinstance(node, list):
        for item in node:
            wrong += closed_objects(doc, item, seen)
    elif isinstance(node, dict):
        if "$ref" in node:
            if node["$ref"] in seen:
                return wrong
            seen.add(node["$ref"])
            node = openapi.resolve(doc, node)
        if "properties" in node and (
            node.get("additionalProperties") is not False or set(node.get("required", [])) != set(node["properties"])
        ):
            wrong.append(node.get("description", "?"))
        for key, value in node.items():
            if key != "example":
                wrong += closed_objects(doc, value, seen)
    return wrong


def test_every_object_an_endpoint_answers_is_closed_and_fully_required():
    """So that a property added to an answer but not to the document, or one the document lists that an answer
    leaves out, fails the tests below."""
    doc = openapi.document()
    assert closed_objects(doc, [doc["paths"][path] for path in DATA_PATHS], set()) == []


def test_the_lists_parameters_are_the_filters_the_view_reads():
    doc = openapi.document()
    documented = [openapi.resolve(doc, p)["name"] for p in doc["paths"]["/api/v1/practices/"]["get"]["parameters"]]
    assert documented == [*PublicPracticeFilter.base_filters, "page", "page_size"]


def test_a_property_more_or_less_fails_the_validation(client, published):
    """The check the tests below make can fail: an answer with a field the document lacks, or without one it
    requires, anywhere in the answer."""
    body = answer(client, "/api/v1/practices/", 200, batch="2024-1")
    check = validator("/api/v1/practices/", 200)
    assert check.is_valid(body)
    for change in (
        lambda b: b.update(total=1),
        lambda b: b["results"][0].update(source_text="…"),
        lambda b: b["results"][0]["city"].update(short_name="铜川"),
        lambda b: b["results"][0]["results"][0].update(order=1),
        lambda b: b["results"][0].pop("title"),
        lambda b: b["results"][0]["batch"].pop("sequence"),
        lambda b: b["results"][0].update(scope="全省复制推广"),
        lambda b: b["results"][0]["indicator"].update(name=None),
    ):
        changed = json.loads(json.dumps(body))
        change(changed)
        assert not check.is_valid(changed)


# ---------------------------------------------------------------------------------------------------------------
# Real answers


def test_practices(client, published):
    everything = answer(client, "/api/v1/practices/", 200, page_size=100)
    assert everything["count"] == len(everything["results"]) == 23
    measured = answer(client, "/api/v1/practices/", 200, batch="2024-1")["results"]
    assert {r["id"]: r["indicator"]["slug"] is None for r in measured} == {
        published["measured"].pk: False,
        published["bare"].pk: True,
    }
    assert [r["results"] for r in measured if r["id"] == published["measured"].pk] == [
        [
            {"measure": "企业开办时间", "before": "5", "after": "2", "unit": "个工作日"},
            {"measure": "办理环节", "before": "", "after": "1", "unit": ""},
        ]
    ]
    for query in (
        {"city": "610100"},
        {"city": "610200", "year": 2024},
        {"indicator": published["measured"].indicator.slug},
        {"batch": "2022-2", "page_size": 3},
        {"q": "纳税"},
        {"q": "企业", "city": "610100"},
        {"year": 2022, "page": 2, "page_size": 5},
        {"page": 99, "page_size": 10},  # the last page
        {"page": "abc"},  # the first
        {"page_size": 1000},  # 100
    ):
        answer(client, "/api/v1/practices/", 200, **query)


def test_a_page_in_the_middle_links_both_ways(client, published):
    body = answer(client, "/api/v1/practices/", 200, batch="2022-2", page=2, page_size=5)
    assert body["count"] == 21 and len(body["results"]) == 5 and not body["count_capped"]
    assert body["previous"] == "http://testserver/api/v1/practices/?batch=2022-2&page=1&page_size=5"
    assert body["next"] == "http://testserver/api/v1/practices/?batch=2022-2&page=3&page_size=5"
    following = answer(client, "/api/v1/practices/", 200, **dict(re.findall(r"(\w+)=([^&]+)", body["next"])))
    assert following["previous"] == "http://testserver/api/v1/practices/?batch=2022-2&page=2&page_size=5"


def test_empty_lists(client, published):
    for path, query in (
        ("/api/v1/practices/", {"batch": "2031-9"}),
        ("/api/v1/practices/", {"q": "量子计算"}),
        ("/api/v1/batches/", {"year": 2031}),
        ("/api/v1/adoptions/", {"batch": "2024-1"}),
        ("/api/v1/adoptions/", {"city": "999999"}),
    ):
        body = answer(client, path, 200, **query)
        assert (body["count"], body["results"], body["next"], body["previous"]) == (0, [], None, None), query


def test_one_practice(client, published):
    for practice in (published["measured"], published["bare"]):
        body = answer(client, "/api/v1/practices/{id}/", 200, id=practice.pk)
        assert body["id"] == practice.pk
    answer(client, "/api/v1/practices/{id}/", 404, id=999999999)
    draft = PracticeFactory(status=Status.DRAFT)
    answer(client, "/api/v1/practices/{id}/", 404, id=draft.pk)


def test_batches(client, published):
    body = answer(client, "/api/v1/batches/", 200)
    assert [(b["year"], b["sequence"], b["count"]) for b in body["results"]] == [(2024, 1, 2), (2022, 2, 21)]
    for query in ({"year": 2022}, {"page_size": 1}, {"page": 2, "page_size": 1}):
        answer(client, "/api/v1/batches/", 200, **query)


def test_an_imported_announcements_metadata_and_its_items_department_and_scope(client, demo):
    data = (settings.BASE_DIR / "fixtures" / "bulletins" / "shaanxi-2024-2-table.txt").read_bytes()
    batch = import_bulletin(data=data, year=2024, sequence=2, publish=True).batch
    body = answer(client, "/api/v1/batches/", 200, year=2024)
    assert {key: body["results"][0][key] for key in ("issuer", "document_number", "date_signed", "date_published")} == {
        "issuer": "陕西省优化营商环境工作领导小组办公室",
        "document_number": "陕营商办函〔2024〕12号",
        "date_signed": "2024-04-18",
        "date_published": None,
    }
    entry = batch.entries.get(number=3)
    body = answer(client, "/api/v1/practices/{id}/", 200, id=entry.practice_id)
    assert (body["department"], body["scope_text"], body["scope"]) == ("省税务局", "参考借鉴", "reference")


def test_adoptions(client, published):
    body = answer(client, "/api/v1/adoptions/", 200, page_size=100)
    assert body["count"] > 0 and any(row["results"] for row in body["results"])
    row = body["results"][0]
    for query in (
        {"city": row["city"]["code"]},
        {"practice": row["practice"]["id"]},
        {"batch": "2022-2", "status": "adopted"},
        {"page": 2, "page_size": 2},
    ):
        answer(client, "/api/v1/adoptions/", 200, **query)


@pytest.mark.parametrize(
    "path, query, wrong",
    [
        ("/api/v1/practices/", {"batch": "第二批"}, "batch"),
        ("/api/v1/practices/", {"city": "999999"}, "city"),
        ("/api/v1/practices/", {"indicator": "no-such-indicator"}, "indicator"),
        ("/api/v1/practices/", {"year": "1800"}, "year"),
        ("/api/v1/practices/", {"year": "二〇二二"}, "year"),
        ("/api/v1/practices/", {"q": "纳" * 201}, "q"),
        ("/api/v1/batches/", {"year": "22"}, "year"),
        ("/api/v1/adoptions/", {"status": "not_applicable"}, "status"),
        ("/api/v1/adoptions/", {"practice": "abc"}, "practice"),
        ("/api/v1/adoptions/", {"batch": "2022"}, "batch"),
    ],
)
def test_a_wrong_parameter_is_a_400_naming_it(client, published, path, query, wrong):
    assert list(answer(client, path, 400, **query)["errors"]) == [wrong]


@pytest.mark.parametrize(
    "path, status, query",
    [
        ("/api/v1/practices/", 400, {"batch": "x"}),
        ("/api/v1/practices/{id}/", 404, {"id": 999999999}),
        ("/api/v1/batches/", 400, {"year": "x"}),
        ("/api/v1/adoptions/", 400, {"status": "in_progress"}),
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_documented_error_is_what_the_api_answers(client, db, path, status, query, language):
    example = openapi.document(language)["paths"][path]["get"]["responses"][str(status)]["content"]
    response = client.get(
        path.format(**query), {k: v for k, v in query.items() if k != "id"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == status
    assert json.loads(response.content) == example["application/json"]["example"]


def test_the_document_is_served_as_written(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body == openapi.document("zh-hans")
    assert validator("/api/v1/openapi.json", 200).is_valid(body)


# ---------------------------------------------------------------------------------------------------------------
# /api/, written from the document


def curl_requests(page: str) -> list[tuple[str, dict, dict]]:
    """The requests the page's curl commands make: (URL, query, headers)."""
    requests = []
    for command in re.findall(r"<code>(curl .*?)</code>", page):
        words = shlex.split(html.unescape(command))[1:]
        url, query, headers = None, {}, {}
        while words:
            word = words.pop(0)
            if word == "-H":
                name, value = words.pop(0).split(": ", 1)
                headers[name] = value
            elif word == "--data-urlencode":
                name, value = words.pop(0).split("=", 1)
                query[name] = value
            elif not word.startswith("-"):
                url = word
        requests.append((url, query, headers))
    return requests


def test_the_pages_examples_get_what_the_document_says(client, published):
    page = client.get("/api/").content.decode()
    requests = curl_requests(page)
    paths = set()
    for url, query, headers in requests:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == "http://testserver", url  # the site's own address
        if "If-None-Match" in headers:
            response = client.get(parts.path, HTTP_IF_NONE_MATCH=headers["If-None-Match"])
            assert response.status_code == 304, url
            continue
        full = f"{parts.path}?{parts.query}&{urlencode(query)}"
        response = client.get(full)
        assert response.status_code == 200, full
        path = next(p for p in openapi.document()["paths"] if re.fullmatch(re.sub(r"{\w+}", "[0-9]+", p), parts.path))
        assert validator(path, 200).is_valid(json.loads(response.content)), full
        if path != "/api/v1/openapi.json":
            assert json.loads(response.content).get("count", 1) > 0, full  # on data that is there
        paths.add(path)
    assert paths == set(openapi.document()["paths"])
    assert any(query.get("q") == "纳税" for _url, query, _headers in requests)  # readable, not percent-encoded
