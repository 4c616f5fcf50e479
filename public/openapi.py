"""The OpenAPI 3.1 description of /api/v1/, written by hand: every endpoint, every query parameter, and the exact
shape of every answer (objects closed, every property required), so that tests/public/test_openapi.py holds the
API's real answers to it and the URLconf's API paths to its paths.

/api/v1/openapi.json serves it and /api/ is built from it (rows()), so the page and the document never disagree.
Its texts are gettext_lazy: the document is written out once per language, in the language of the request."""

import hashlib
import json
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _

from adoptions.enums import AdoptionStatus
from batches.enums import EntryScope

from .filters import ADOPTED_ONLY, BATCH_INVALID, FOUR_DIGIT_YEAR, labelled_lazy

OPENAPI_VERSION = "3.1.0"
VERSION = "1.0.0"  # of the API's description: a change of a documented shape raises it
MAX_PAGE_SIZE = 100
CITY_CODE = "^[0-9]{6}$"
INDICATOR_SLUG = "^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_ID = 999_999_999  # bizenv.web.converters: an id is one to nine digits


# ---------------------------------------------------------------------------------------------------------------
# The pieces the document is written with


def closed(description, properties: dict) -> dict:
    """An object of exactly these properties, each of them always there: an answer with a property more or one
    less does not match."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def text(description, **more) -> dict:
    return {"type": "string", "description": description, **more}


def number(description, **more) -> dict:
    return {"type": "integer", "description": description, **more}


def link(description) -> dict:
    return {"type": "string", "format": "uri", "description": description}


def nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(item: str, description) -> dict:
    """A page of a list: how many match, the links to the pages beside it, the rows."""
    return closed(
        description,
        {
            "count": number(_("符合条件的条数，最多计到 1000。"), minimum=0, maximum=1000),
            "count_capped": {
                "type": "boolean",
                "description": _("为 true 时符合条件的超过 1000 条，只能翻阅前 1000 条：请用筛选条件缩小范围。"),
            },
            "next": nullable(link(_("下一页的完整地址（带上本次的参数）；已是最后一页时为 null。"))),
            "previous": nullable(link(_("上一页的完整地址；已是第一页时为 null。"))),
            "results": {
                "type": "array",
                "description": _("本页的记录，每页最多 100 条。"),
                "items": ref(item),
                "maxItems": MAX_PAGE_SIZE,
            },
        },
    )


def errors(description, names: list[str], example: dict) -> dict:
    """A 400 or 404: what was wrong, by parameter (`example`: one parameter's message, as the API answers it), in
    the language of the request."""
    schema = closed(
        _("出错时的响应：按参数列出错误说明。"),
        {
            "errors": {
                "type": "object",
                "description": _("以参数名为键，值为该参数的错误说明（一条或多条）。"),
                "minProperties": 1,
                "propertyNames": {"enum": names},
                "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            }
        },
    )
    return {
        "description": description,
        "content": {"application/json": {"schema": schema, "example": {"errors": example}}},
    }


def ok(schema: dict, description) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PAGE = {"$ref": "#/components/parameters/page"}
PAGE_SIZE = {"$ref": "#/components/parameters/page_size"}


def query(name: str, description, schema: dict, **more) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema, **more}


# ---------------------------------------------------------------------------------------------------------------
# The document

MEASURED_RESULT = closed(
    _("一项量化成效，如“企业开办时间 5 → 2 个工作日”。"),
    {
        "measure": text(_("指标项，如“企业开办时间”。")),
        "before": text(_("实施前的数值；可为空字符串。")),
        "after": text(_("实施后的数值。")),
        "unit": text(_("单位，如“个工作日”；可为空字符串。")),
    },
)

PRACTICE = closed(
    _("一项已发布的经验做法，按发布时的文本：之后对原稿的修改不影响它，更正以勘误另行发布。"),
    {
        "id": number(_("经验做法的编号。"), minimum=1, maximum=MAX_ID),
        "url": link(_("经验做法在本站的页面。")),
        "number": number(_("在所在批次中的序号（全批连续编号）。"), minimum=1),
        "title": text(_("标题。")),
        "city": closed(
            _("提交的城市。"),
            {
                "name": text(_("城市名称（发布时），如“西安市”。")),
                "code": text(_("城市的行政区划代码（GB/T 2260）。"), pattern=CITY_CODE),
            },
        ),
        "indicator": closed(
            _("所属指标。"),
            {
                "name": text(_("指标名称（发布时），如“开办企业”；导入的公告没有指标标题时为空字符串。")),
                "slug": nullable(text(_("指标的英文标识；没有指标时为 null。"), pattern=INDICATOR_SLUG)),
            },
        ),
        "batch": closed(
            _("所在批次。"),
            {
                "year": number(_("批次的年份。")),
                "sequence": number(_("批次号（第几批）。"), minimum=1),
                "title": text(_("批次的标题，如“2022年第二批优化营商环境典型经验做法”。")),
            },
        ),
        "scope": text(_("推广范围：replicate 为全省复制推广，reference 为参考借鉴。"), enum=list(EntryScope.values)),
        "scope_text": text(_("导入的公告原文所写的推广范围，如“全国”“自由贸易试验区”；没有时为空字符串。")),
        "department": text(_("导入的公告原文所写的指导部门；没有时为空字符串。")),
        "garbled": {
            "type": "boolean",
            "description": _("导入的公告原文此处有无法修复的乱码，内容照录原文。"),
        },
        "summary": text(_("摘要；可为空字符串。")),
        "body": text(_("正文，纯文本，段落之间以换行分隔。")),
        "outcomes": text(_("成效；可为空字符串。")),
        "results": {"type": "array", "description": _("量化成效，按填报的顺序。"), "items": ref("MeasuredResult")},
        "adopted_in": number(_("报告已落地（复制推广）的城市数。"), minimum=0),
    },
)

BATCH = closed(
    _("一个已发布的批次。"),
    {
        "year": number(_("年份。")),
        "sequence": number(_("批次号（第几批）。"), minimum=1),
        "title": text(_("标题，如“2022年第二批优化营商环境典型经验做法”。")),
        "lead": text(_("导语（含各市的项数），段落之间以换行分隔；可为空字符串。")),
        "published_at": text(_("在本站发布的时间（ISO 8601，含时区）；导入的公告为导入时间。"), format="date-time"),
        "announced_on": nullable(text(_("公告本身的发布日期（ISO 8601）；不详时为 null。"), format="date")),
        "count": number(_("本批经验做法的项数（本库收录的）。"), minimum=0),
        "announced_count": nullable(number(_("公告原文所称的项数；原文未说明时为 null。"), minimum=0)),
        "issuer": text(_("导入的公告的发文机关；不详时为空字符串。")),
        "document_number": text(_("导入的公告的文号，如“国办发〔2018〕108号”；没有时为空字符串。")),
        "date_signed": nullable(text(_("导入的公告的成文日期（ISO 8601）；不详时为 null。"), format="date")),
        "date_published": nullable(text(_("导入的公告所载的发布日期（ISO 8601）；不详时为 null。"), format="date")),
        "attachment_title": text(_("导入的公告的附件标题；没有时为空字符串。")),
        "incomplete": {"type": "boolean", "description": _("原文所称的项数多于本库收录的项数（原文不完整）。")},
        "notice": text(_("原文不完整时的说明，如“原文共36项，本库收录21项（原文不完整）”；否则为空字符串。")),
        "url": link(_("公告页面。")),
        "exports": closed(
            _("下载地址。"),
            {
                "docx": link(_("Word 文件。")),
                "xlsx": link(_("Excel 文件。")),
                "csv": link(_("CSV 文件（UTF-8）。")),
                "pdf": link(_("PDF 文件。")),
            },
        ),
    },
)

ADOPTION = closed(
    _("一个城市复制推广一项经验做法并报告已落地的记录。"),
    {
        "city": closed(
            _("复制推广的城市。"),
            {
                "code": text(_("城市的行政区划代码（GB/T 2260）。"), pattern=CITY_CODE),
                "name": text(_("城市名称。")),
            },
        ),
        "practice": closed(
            _("被复制的经验做法（按发布时的文本）。"),
            {
                "id": number(_("经验做法的编号，同经验做法接口中的 id。"), minimum=1, maximum=MAX_ID),
                "title": text(_("标题。")),
                "city": text(_("提交该经验做法的城市名称。")),
                "url": link(_("经验做法在本站的页面。")),
                "batch": closed(
                    _("经验做法所在的批次。"),
                    {
                        "year": number(_("批次的年份。")),
                        "sequence": number(_("批次号（第几批）。"), minimum=1),
                        "number": number(_("经验做法在批次中的序号。"), minimum=1),
                    },
                ),
            },
        ),
        "status": text(_("状态：只公开 adopted（已落地）。"), enum=[AdoptionStatus.ADOPTED.value]),
        "adopted_on": text(_("落地日期（YYYY-MM-DD）。"), format="date"),
        "result": text(_("本地成效。")),
        "results": {"type": "array", "description": _("本地的量化成效。"), "items": ref("MeasuredResult")},
    },
)

OPENAPI = {
    "openapi": OPENAPI_VERSION,
    "info": {
        "title": _("优化营商环境典型经验做法 · 数据接口"),
        "version": VERSION,
        "description": _(
            "只读的公开数据，供复用已发布的典型经验做法及其复制推广情况：已发布批次中的经验做法（按发布时的文本）、"
            "已发布的批次，以及各市（区）报告“已落地”的复制推广记录。无需登录，返回 UTF-8 编码的 JSON。"
            "列表分页，每页最多 100 条，最多计数到 1000 条，更多时请用筛选条件缩小范围。"
            "参数有误时返回 400，并按参数说明错误；找不到时返回 404。"
        ),
    },
    "servers": [{"url": "/"}],
    "paths": {
        "/api/v1/practices/": {
            "get": {
                "operationId": "listPractices",
                "summary": _("已发布的经验做法"),
                "description": _(
                    "已发布批次中的经验做法，按发布时的文本。默认按批次从新到旧、批内按序号排列；"
                    "带关键词 q 时按相关度排列（标题优先于摘要，摘要优先于正文）。"
                ),
                "parameters": [
                    query(
                        "q",
                        _(
                            "关键词，在标题、摘要和正文中查找，繁体和全角字符按简体和半角处理；"
                            "以空格分开的几个词须同时出现，双引号括起的词组按整体查找。"
                        ),
                        {"type": "string", "maxLength": 200},
                        example="纳税",
                    ),
                    query(
                        "city",
                        _("提交的城市的行政区划代码（GB/T 2260 六位代码），如 610100 表示西安市；须为本站已有的城市。"),
                        {"type": "string", "pattern": CITY_CODE},
                        example="610100",
                    ),
                    query(
                        "indicator",
                        _("所属指标的英文标识，如 paying-taxes 表示纳税；须为本站已有的指标。"),
                        {"type": "string", "pattern": INDICATOR_SLUG},
                        example="paying-taxes",
                    ),
                    query(
                        "batch",
                        _("所在的批次：“年份-批次号”如 2022-2，或批次的名称如 2022年第二批。"),
                        {"type": "string", "minLength": 1},
                        example="2022-2",
                    ),
                    query(
                        "year",
                        _("所在批次的年份。"),
                        {"type": "integer", "minimum": 1949, "maximum": 2100},
                        example=2022,
                    ),
                    PAGE,
                    PAGE_SIZE,
                ],
                "responses": {
                    "200": ok(ref("PracticePage"), _("一页经验做法。")),
                    "400": errors(
                        _("参数有误，如批次写法不对、城市或指标不存在。"),
                        ["q", "city", "indicator", "batch", "year"],
                        {"batch": [labelled_lazy(_("批次"), BATCH_INVALID)]},
                    ),
                },
            }
        },
        "/api/v1/practices/{id}/": {
            "get": {
                "operationId": "getPractice",
                "summary": _("一项已发布的经验做法"),
                "description": _("与列表中的一项相同。未发布或不存在的编号返回 404。"),
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "description": _("经验做法的编号，即列表中的 id。"),
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    }
                ],
                "responses": {
                    "200": ok(ref("Practice"), _("这项经验做法。")),
                    "404": errors(
                        _("没有这一编号的已发布经验做法。"),
                        ["id"],
                        {"id": [_("没有这一编号的已发布经验做法。")]},
                    ),
                },
            }
        },
        "/api/v1/batches/": {
            "get": {
                "operationId": "listBatches",
                "summary": _("已发布的批次"),
                "description": _("已发布的批次，从新到旧，每批附公告页面和 Word、Excel、CSV、PDF 文件的下载地址。"),
                "parameters": [
                    query(
                        "year",
                        _("批次的年份，四位数字。"),
                        {"type": "integer", "minimum": 1000, "maximum": 9999},
                        example=2022,
                    ),
                    PAGE,
                    PAGE_SIZE,
                ],
                "responses": {
                    "200": ok(ref("BatchPage"), _("一页批次。")),
                    "400": errors(
                        _("年份不是四位数字。"), ["year"], {"year": [labelled_lazy(_("年份"), FOUR_DIGIT_YEAR)]}
                    ),
                },
            }
        },
        "/api/v1/adoptions/": {
            "get": {
                "operationId": "listAdoptions",
                "summary": _("复制推广：已落地的记录"),
                "description": _(
                    "各市（区）报告“已落地”的复制推广记录：哪个城市复制了哪一项经验做法，何时落地，本地成效和"
                    "量化成效。只公开“已落地”的记录；其他状态、暂不适用的原因和免于填报的说明都不公开。从新到旧排列。"
                ),
                "parameters": [
                    query(
                        "city",
                        _("复制推广的城市的行政区划代码（GB/T 2260 六位代码），如 610700 表示汉中市。"),
                        {"type": "string", "pattern": CITY_CODE},
                        example="610700",
                    ),
                    query(
                        "practice",
                        _("被复制的经验做法的编号，即经验做法接口中的 id。"),
                        {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                    ),
                    query(
                        "batch",
                        _("被复制的经验做法所在的批次：“年份-批次号”如 2022-2，或批次的名称如 2022年第二批。"),
                        {"type": "string", "minLength": 1},
                        example="2022-2",
                    ),
                    query(
                        "status",
                        _("只能为 adopted（已落地），其他状态不公开。"),
                        {"type": "string", "enum": [AdoptionStatus.ADOPTED.value]},
                    ),
                    PAGE,
                    PAGE_SIZE,
                ],
                "responses": {
                    "200": ok(ref("AdoptionPage"), _("一页复制推广记录。")),
                    "400": errors(
                        _("参数有误，如状态不是 adopted、编号不是整数、批次写法不对。"),
                        ["status", "practice", "batch"],
                        {"status": [labelled_lazy(_("状态"), ADOPTED_ONLY)]},
                    ),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenAPI",
                "summary": _("接口说明（OpenAPI 3.1）"),
                "description": _(
                    "本文档，使用请求的语言。支持条件请求：把上次响应的 ETag 放在请求头 If-None-Match 中，"
                    "文档未变时返回 304，没有响应体。"
                ),
                "responses": {
                    "200": {
                        "description": _("OpenAPI 3.1 文档。"),
                        "headers": {
                            "ETag": {
                                "description": _("文档的版本标识，条件请求时放在 If-None-Match 中。"),
                                "schema": {"type": "string"},
                            }
                        },
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "description": _("OpenAPI 3.1 文档，其结构见 OpenAPI 规范。"),
                                    "required": ["openapi", "info", "paths"],
                                    "properties": {"openapi": {"type": "string", "const": OPENAPI_VERSION}},
                                }
                            }
                        },
                    },
                    "304": {"description": _("文档未变（与 If-None-Match 中的 ETag 相同），没有响应体。")},
                },
            }
        },
    },
    "components": {
        "parameters": {
            "page": query(
                "page",
                _("页码，从 1 开始；超出范围时返回最后一页，不是整数时返回第一页。"),
                {"type": "integer", "minimum": 1, "default": 1},
            ),
            "page_size": query(
                "page_size",
                _("每页条数，1 至 100，默认 20；超过 100 时按 100 计，不是整数时按默认值。"),
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 20},
            ),
        },
        "schemas": {
            "PracticePage": page_of("Practice", _("一页经验做法。")),
            "Practice": PRACTICE,
            "BatchPage": page_of("Batch", _("一页批次。")),
            "Batch": BATCH,
            "AdoptionPage": page_of("Adoption", _("一页复制推广记录。")),
            "Adoption": ADOPTION,
            "MeasuredResult": MEASURED_RESULT,
        },
    },
}


# ---------------------------------------------------------------------------------------------------------------
# The document as served, and as the page shows it


@cache
def _written(language: str) -> bytes:
    with override(language):
        return json.dumps(OPENAPI, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def content(language: str | None = None) -> bytes:
    """The document as JSON, in `language` or the request's."""
    return _written(language or get_language() or settings.LANGUAGE_CODE)


def document(language: str | None = None) -> dict:
    """The document as plain JSON values (a copy of its own), in `language` or the request's."""
    return json.loads(content(language))


def etag(language: str | None = None) -> str:
    """The document's ETag (without quotes): it changes with the text, and so with the language."""
    return hashlib.sha256(content(language)).hexdigest()[:32]


def resolve(doc: dict, node: dict) -> dict:
    """A node of the document, with its $ref (local, as all of ours are) followed."""
    while "$ref" in node:
        target = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def type_name(schema: dict) -> str:
    """字符串, 整数, 网址或空值（null）…: a schema's type as the page says it."""
    names = {
        "string": gettext("字符串"),
        "integer": gettext("整数"),
        "boolean": gettext("布尔值"),
        "array": gettext("数组"),
        "object": gettext("对象"),
        "null": gettext("空值（null）"),
    }
    formats = {"uri": gettext("网址"), "date": gettext("日期"), "date-time": gettext("日期时间")}
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    said = [names[t] if t == "null" else formats.get(schema.get("format"), names[t]) for t in types]
    return gettext("或").join(said)


def constraints(schema: dict) -> str:
    """What values a schema allows, as the page says it: 1–100，默认 20; 可选值：adopted; 格式 ^[0-9]{6}$ …"""
    said = []
    if "enum" in schema:
        said.append(gettext("可选值：%(values)s") % {"values": "、".join(str(v) for v in schema["enum"])})
    if "pattern" in schema:
        said.append(gettext("格式 %(pattern)s") % {"pattern": schema["pattern"]})
    if "minimum" in schema and "maximum" in schema:
        said.append(f"{schema['minimum']}–{schema['maximum']}")
    elif "minimum" in schema:
        said.append(f"≥ {schema['minimum']}")
    if "maxLength" in schema:
        said.append(gettext("最长 %(n)d 字") % {"n": schema["maxLength"]})
    if "default" in schema:
        said.append(gettext("默认 %(value)s") % {"value": schema["default"]})
    return gettext("；").join(said)


def fields(doc: dict, schema: dict, prefix: str = "", nested: bool = True) -> list[dict]:
    """The properties of an object; `nested`, with those of its objects as city.code and of the items of its lists
    as results[].measure."""
    rows = []
    for name, prop in resolve(doc, schema).get("properties", {}).items():
        prop = resolve(doc, prop)
        path = f"{prefix}{name}"
        rows.append({"name": path, "type": type_name(prop), "values": constraints(prop), "text": prop["description"]})
        if nested and prop.get("type") == "object":
            rows += fields(doc, prop, f"{path}.")
        elif nested and prop.get("type") == "array" and "properties" in resolve(doc, prop["items"]):
            rows += fields(doc, prop["items"], f"{path}[].")
    return rows


def rows(doc: dict) -> list[dict]:
    """Each operation of the document as /api/ shows it: its parameters, its answers, the fields of one record."""
    operations = []
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            parameters = [resolve(doc, p) for p in operation.get("parameters", [])]
            success = resolve(doc, operation["responses"]["200"]["content"]["application/json"]["schema"])
            paged = {"count", "next", "previous", "results"} <= set(success.get("properties", {}))
            record = success["properties"]["results"]["items"] if paged else success
            operations.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "paged": paged,
                    "id": operation["operationId"],
                    "summary": operation["summary"],
                    "description": operation["description"],
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": gettext("路径") if p["in"] == "path" else gettext("查询"),
                            "required": p["required"],
                            "type": type_name(p["schema"]),
                            "values": constraints(p["schema"]),
                            "text": p["description"],
                        }
                        for p in parameters
                    ],
                    "responses": [(status, answer["description"]) for status, answer in operation["responses"].items()],
                    # the fields of a record whose shape is fixed (not of the OpenAPI document itself)
                    "fields": fields(doc, record) if resolve(doc, record).get("additionalProperties") is False else [],
                }
            )
    return operations


def examples(published: tuple, adopted: tuple) -> dict[str, list[dict]]:
    """The requests /api/ shows for each path (a path's own parameters among the others), on data that is there:
    `published` and `adopted` are (practice id, year, sequence, city code) of a published practice and of a
    practice some city reported 已落地 (the adopting city's code)."""
    practice, year, sequence, city = published
    copied, copied_year, copied_sequence, adopting = adopted
    return {
        "/api/v1/practices/": [
            {"q": "纳税"},
            {"city": city, "batch": f"{year}-{sequence}"},
            {"page": 2, "page_size": 10},
        ],
        "/api/v1/practices/{id}/": [{"id": practice}],
        "/api/v1/batches/": [{}, {"year": year}],
        "/api/v1/adoptions/": [{"batch": f"{copied_year}-{copied_sequence}"}, {"city": adopting}, {"practice": copied}],
        "/api/v1/openapi.json": [{}],
    }


def curl(base: str, path: str, parameters: dict, headers: dict | None = None) -> str:
    """A curl command for one request: the query in the URL, or given to --data-urlencode when it is not ASCII (so
    that the command shows 纳税, not %E7%BA%B3%E7%A8%8E)."""
    in_path = {name: value for name, value in parameters.items() if f"{{{name}}}" in path}
    url = base + path.format(**in_path)
    given = {name: str(value) for name, value in parameters.items() if name not in in_path}
    words = ["curl"]
    words += [f"-i -H '{name}: {value}'" for name, value in (headers or {}).items()]
    if all(value.isascii() for value in given.values()):
        return " ".join([*words, f"'{url}?{urlencode(given)}'" if given else f"'{url}'"])
    return " ".join([*words, f"-G '{url}'", *(f"--data-urlencode '{name}={value}'" for name, value in given.items())])
