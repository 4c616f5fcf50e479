"""bizenv/web/fast.py: what is built in Python instead of through templates gives the same HTML as Django's own
rendering of the same data (widgets, URLs, the list's rows, an announcement's items, marked snippets), and the
cities and indicators of the list pages' selects are read once per process, and never shown stale by it."""

import re
import threading
from types import SimpleNamespace

import pytest
from django import forms
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.deletion import Collector
from django.db.models.signals import post_init
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from adoptions import services as adoptions
from adoptions.models import Adoption, AdoptionPlan
from adoptions.selectors import city_ledger, mark_overdue, matrix
from batches import services as batches
from batches.enums import BatchStatus
from batches.selectors import announcement_sections
from bizenv.web import fast
from bizenv.web.fast import (
    SHARED_SECONDS,
    FastNumberInput,
    FastSelect,
    FastTextInput,
    Reversed,
    announcement_items,
    entry_rows,
    marked,
    practice_rows,
    shared_rows,
)
from practices import search
from practices.enums import Role, Status
from practices.models import City, Notification, Practice
from practices.search.text import parse_query
from practices.selectors import city_practices
from public.selectors import published_list
from tests.factories import (
    BatchEntryFactory,
    BatchFactory,
    CityFactory,
    IndicatorFactory,
    PracticeFactory,
    UserFactory,
)


def tight(html: str) -> str:
    """The HTML without the line breaks and indentation Django's templates put between tags (and nothing else)."""
    return re.sub(r">\s+<", "><", html).strip()


VALUES = [None, "", "纳税 <b>&\"'", 2022, mark_safe("<b>已是 HTML</b>")]
ATTRS = [
    {},
    {"id": "id_q", "maxlength": "200"},
    {"required": True, "disabled": False, "placeholder": '"x" & <y>', "title": None, "data-n": 0, "data-<&'": "z"},
]


@pytest.mark.parametrize(("fast", "django"), [(FastTextInput, forms.TextInput), (FastNumberInput, forms.NumberInput)])
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("attrs", ATTRS)
def test_a_fast_input_is_the_element_django_renders(fast, django, value, attrs):
    widget_attrs = {"min": 1949, "step": 1} if django is forms.NumberInput else {}
    ours = fast(attrs=widget_attrs).render("q", value, attrs)
    theirs = django(attrs=widget_attrs).render("q", value, attrs)
    assert tight(ours) == tight(theirs)


@pytest.mark.parametrize("value", [None, "", "610100", ["610100"], "<x>", "b"])
@pytest.mark.parametrize("attrs", ATTRS)
def test_a_fast_select_is_the_element_django_renders(value, attrs):
    choices = [
        (None, "全部城市"),
        ("610100", "西安市"),
        ("<x>", 'a "<b>" & c'),
        ("b", mark_safe("<b>乙</b>")),
        ("610100", "西安市（重复）"),
    ]
    ours = FastSelect(choices=choices).render("city", value, attrs)
    theirs = forms.Select(choices=choices).render("city", value, attrs)
    assert tight(ours) == tight(theirs)


@pytest.mark.parametrize("prefix", ["/", "/政务/{x}&y'z/"])
def test_a_url_reversed_once_is_the_url_reverse_gives(prefix):
    set_script_prefix(prefix)
    try:
        batch_url, practice_url = Reversed("batch_detail", 2), Reversed("practice_detail", 1)
        for year, sequence in [(2022, 2), (1999, 12), (999999999, 999999998)]:
            expected = reverse("batch_detail", args=[year, sequence])
            assert batch_url(year, sequence) == escape(expected)
        for pk in [1, 42, 999999999]:
            assert practice_url(pk) == escape(reverse("practice_detail", args=[pk]))
    finally:
        set_script_prefix("/")


# What marked stands in for: the fragments written out by the template engine.
PLAIN_MARKED = (
    "{% for f in fragments %}{% if f.hit %}<mark>{{ f.text }}</mark>{% else %}{{ f.text }}{% endif %}{% endfor %}"
)
# The templates entry_rows and announcement_items replaced (aa2f7c7, be8b3df), as they were, with what the rows have
# said since: the cells' labels a phone shows (data-label), the batch by its name and the item's number ("2022年第二批
# 第14项"), the word on a garbled item.
PLAIN_ENTRY_ROWS = """{% load fast %}
        {% for entry in page %}
          <tr>
            <td><a href="{% url 'practice_detail' entry.practice_id %}">{% if terms %}{{ entry.hit.title|marked }}{% else %}{{ entry.title }}{% endif %}</a>
              {% if terms %}<p class="snippet">{{ entry.hit.snippet|marked }}</p>{% endif %}</td>
            <td data-label="城市">{{ entry.city_name }}</td>
            <td data-label="指标">{{ entry.indicator_name|default:"—" }}</td>
            <td data-label="批次"><a href="{% url 'batch_detail' entry.batch.year entry.batch.sequence %}">{% if entry.batch_name %}{{ entry.batch_name }}{% else %}{{ entry.batch.year }}-{{ entry.batch.sequence }}{% endif %}</a> 第{{ entry.number }}项</td>
          </tr>
        {% endfor %}"""  # noqa: E501
PLAIN_ANNOUNCEMENT_ITEMS = """
        {% for entry in entries %}
          <li value="{{ entry.number }}">
            <span class="number">{{ entry.number }}、</span><a href="{% url 'practice_detail' entry.practice_id %}">{{ entry.title }}</a>
            <span class="meta">{{ entry.city_name }}</span>{% if entry.garbled %} <span class="source-note">原文此处存在乱码，内容照录原文</span>{% endif %}{% if entry.adopted %} <span class="adopted">已在 {{ entry.adopted }} 个市（区）复制落地</span>{% endif %}
          </li>
        {% endfor %}"""  # noqa: E501
AWKWARD_TITLES = ["纳税服务“一次办”", '<b>电力</b> & "报装"', "企业开办 <script>x</script>", "d'Arc 纳税"]


def plain(template: str, **context) -> str:
    return tight(Template(template).render(Context(context)))


@pytest.fixture
def published(db):
    """A published batch whose entries' texts need escaping, one without an indicator, one garbled."""
    batch = BatchFactory(year=2022, sequence=12, status=BatchStatus.PUBLISHED, published_at=timezone.now())
    indicator = IndicatorFactory(name="纳税")
    for number, title in enumerate(AWKWARD_TITLES, start=1):
        practice = PracticeFactory(status=Status.PUBLISHED, indicator=indicator if number <= 2 else None)
        BatchEntryFactory(
            batch=batch,
            practice=practice,
            number=number,
            title=title,
            city_name="西安市<区>",
            indicator_name=practice.indicator.name if practice.indicator else "",
            summary="推行纳税人“一次办”，<em>减少</em>跑动。",
            body="全面推行电子税务局 & 纳税服务。",
            garbled=number == 2,
        )
    return batch


@pytest.mark.parametrize("query", ["", "纳税", "报装 电力", "不在其中"])
@pytest.mark.parametrize("names", [None, {(2022, 12): "2022年第十二批 <&>"}])
def test_the_lists_rows_are_what_the_plain_template_renders(published, query, names):
    entries = list(published_list(snippets=True))
    terms = parse_query(query)
    if terms:
        search.hits(entries, terms)
    ours = tight(entry_rows(entries, terms, "practice_detail", "batch_detail", names))
    for entry in entries:
        entry.batch_name = (names or {}).get((entry.batch.year, entry.batch.sequence))  # as the plain template reads it
    assert entries and ours == plain(PLAIN_ENTRY_ROWS, page=entries, terms=terms)


# The rows of a city's list (templates/practices/city_home.html) as the template wrote them before practice_rows.
PLAIN_PRACTICE_ROWS = """
      {% for practice in practices %}
        <tr>
          <td><a href="{% url 'city_practice' practice.pk %}">{{ practice.title }}</a></td>
          <td data-label="指标">{{ practice.indicator.name|default:"—" }}</td>
          <td data-label="状态">{% include "includes/_status.html" with status=practice.status label=practice.get_status_display %}</td>
          <td class="num" data-label="轮次">{{ practice.round }}</td>
          <td data-label="最后修改">{{ practice.updated_at|date:"SHORT_DATETIME_FORMAT" }}</td>
        </tr>
      {% endfor %}"""  # noqa: E501


def test_a_citys_rows_are_what_the_plain_template_renders(db):
    city = CityFactory()
    indicator = IndicatorFactory(name="纳税 <&>")
    for n, title in enumerate(AWKWARD_TITLES):
        status = [Status.DRAFT, Status.SUBMITTED, Status.PUBLISHED, Status.REVISION_REQUESTED][n]
        PracticeFactory(city=city, title=title, status=status, indicator=indicator if n % 2 else None)
    Practice.objects.filter(city=city).update(round=2)
    practices = list(city_practices(city))
    ours = tight(practice_rows(practices, "city_practice"))
    assert len(practices) == 4 and ours == plain(PLAIN_PRACTICE_ROWS, practices=practices)


def test_an_announcements_items_are_what_the_plain_template_renders(published):
    sections = announcement_sections(published, text=False)
    assert len(sections) == 2  # with an indicator heading and without
    for _heading, entries in sections:
        ours = tight(announcement_items(entries, "practice_detail"))
        assert ours == plain(PLAIN_ANNOUNCEMENT_ITEMS, entries=entries)
        adopted = {entry.practice_id: n for n, entry in enumerate(entries)}  # 0 (none) for the first
        ours = tight(announcement_items(entries, "practice_detail", adopted))
        for entry in entries:
            entry.adopted = adopted[entry.practice_id]  # as the plain template reads it
        assert ours == plain(PLAIN_ANNOUNCEMENT_ITEMS, entries=entries)


@pytest.mark.parametrize("query", ["纳税", "报装 电力", "<b>", "一次"])
def test_marked_is_what_the_plain_template_renders(published, query):
    terms = parse_query(query)
    entries = list(published_list(snippets=True))
    search.hits(entries, terms)
    for entry in entries:
        for fragments in (entry.hit.title, entry.hit.snippet):
            assert marked(fragments) == plain(PLAIN_MARKED, fragments=fragments)


# ---------------------------------------------------------------------------------------------------------------
# Shared rows


class Rollback(Exception):
    pass


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def reference_queries(client, url: str) -> tuple[list[str], str]:
    """The queries of a request that read cities or indicators, and the page."""
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    tables = [q["sql"] for q in queries.captured_queries if re.search(r'FROM "practices_(city|indicator)"', q["sql"])]
    return tables, html


def city_names() -> list[str]:
    return [city.name for city in shared_rows(City)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/practices/", "/practices/?q=纳税", "/practices/?city=620100"])
def test_a_list_page_reads_the_cities_and_indicators_once_per_process(client, url):
    CityFactory(code="620100", name="兰州市")
    IndicatorFactory(name="开办企业")
    first, html = reference_queries(client, url)
    assert len(first) == 2 and "兰州市" in options(html, "city") and "开办企业" in options(html, "indicator")
    again, html = reference_queries(client, url)
    assert again == [] and "兰州市" in options(html, "city") and "开办企业" in options(html, "indicator")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rows", [1, 30])
def test_a_process_that_has_served_the_list_serves_it_in_two_queries_whatever_the_rows(
    client, django_assert_num_queries, rows
):
    batch = BatchFactory(year=2023, sequence=1, status="published", published_at=timezone.now())
    for number in range(1, rows + 1):
        practice = PracticeFactory(status=Status.PUBLISHED, title=f"纳税服务{number}")
        BatchEntryFactory(batch=batch, practice=practice, number=number, title=practice.title)
    city = practice.city.code
    for query in [{}, {"q": "纳税"}, {"city": city}, {"q": "纳税", "city": city}]:
        client.get("/practices/", query)
        # The same list at another address (not the page kept whole at the first one, public/pagecache.py): the
        # generation it is kept under, the count or the search's window, and the page's entries.
        with django_assert_num_queries(3):
            html = client.get("/practices/", {**query, "page": 1}).content.decode()
            assert f'href="/practices/{practice.pk}/"' in html, query


@pytest.mark.django_db(transaction=True)
def test_a_city_saved_in_this_process_shows_at_once(client):
    lanzhou = CityFactory(code="620100", name="兰州市")
    assert options(client.get("/practices/").content.decode(), "city")[1:] == ["兰州市"]
    lanzhou.name = "兰州新区"
    lanzhou.save()
    CityFactory(code="620500", name="天水市")
    html = client.get("/practices/", {"city": "620500"}).content.decode()
    assert 'role="alert"' not in html and sorted(options(html, "city")[1:]) == ["兰州新区", "天水市"]


@pytest.mark.django_db(transaction=True)
def test_a_city_deleted_in_this_process_is_gone_at_once(client):
    CityFactory(code="620100", name="兰州市")
    tianshui = CityFactory(code="620500", name="天水市")
    assert sorted(options(client.get("/practices/").content.decode(), "city")[1:]) == ["兰州市", "天水市"]
    tianshui.delete()
    html = client.get("/practices/", {"city": "620500"}).content.decode()
    assert 'role="alert"' in html and options(html, "city")[1:] == ["兰州市"]


@pytest.mark.django_db(transaction=True)
def test_rows_another_thread_reads_before_a_save_commits_are_dropped_when_it_commits():
    lanzhou = CityFactory(name="兰州市")
    seen = []

    def another_request():
        try:
            seen.append(city_names())  # the committed rows: the save below is not yet
        finally:
            connection.close()

    with transaction.atomic():
        lanzhou.name = "兰州新区"
        lanzhou.save()
        thread = threading.Thread(target=another_request)
        thread.start()
        thread.join()
    assert seen == [["兰州市"]]
    assert city_names() == ["兰州新区"]


@pytest.mark.django_db(transaction=True)
def test_a_read_that_a_save_overtook_is_not_kept():
    CityFactory(name="兰州市")
    lanzhou = City.objects.get()

    def saved_while_reading(sender, instance, **kwargs):
        post_init.disconnect(saved_while_reading, sender=City)
        lanzhou.name = "兰州新区"
        lanzhou.save()

    post_init.connect(saved_while_reading, sender=City)
    try:
        assert city_names() == ["兰州市"]  # read before the save landed
    finally:
        post_init.disconnect(saved_while_reading, sender=City)
    assert city_names() == ["兰州新区"]


@pytest.mark.django_db(transaction=True)
def test_rows_read_inside_a_transaction_are_not_kept():
    CityFactory(name="兰州市")
    with pytest.raises(Rollback), transaction.atomic():
        CityFactory(name="临时市")
        assert city_names() == ["兰州市", "临时市"]
        raise Rollback
    assert city_names() == ["兰州市"]


@pytest.mark.django_db(transaction=True)
def test_a_change_this_process_was_not_told_of_shows_when_the_rows_expire(monkeypatch):
    """What another process's save looks like from here: an update() sends no signal."""
    CityFactory(name="兰州市")
    clock = [1000.0]
    monkeypatch.setattr(fast, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    assert city_names() == ["兰州市"]
    City.objects.update(name="兰州新区")
    clock[0] += SHARED_SECONDS - 1
    assert city_names() == ["兰州市"]
    clock[0] += 1
    assert city_names() == ["兰州新区"]


@pytest.mark.django_db(transaction=True)
def test_a_flush_forgets_the_rows():
    CityFactory(name="兰州市")
    assert city_names() == ["兰州市"]
    call_command("flush", interactive=False, verbosity=0)
    assert city_names() == []


@pytest.mark.django_db(transaction=True)
def test_sharing_rows_leaves_other_models_deleted_in_bulk():
    """A receiver of every model's deletes would make Django load and signal each row it deletes."""
    shared_rows(City)
    assert Collector(using="default").can_fast_delete(Notification.objects.all())


@pytest.mark.django_db(transaction=True)
def test_only_the_rows_of_a_model_shared_at_start_up_are_shared():
    """Its saves and deletes are heard from the start, whichever thread makes them and whenever."""
    assert [city.name for city in shared_rows(City)] == []
    with pytest.raises(LookupError, match="not shared"):
        shared_rows(Notification)


# The template matrix_rows replaced, as it was.
PLAIN_MATRIX_ROWS = """
      {% for entry, cells, done in lines %}
        <tr>
          <th scope="row">{{ entry.number }}、{{ entry.title }} <span class="meta">{{ entry.city_name }}</span></th>
          {% for cell in cells %}
            <td>{% if cell.row %}<a href="{% url 'review_adoption' cell.row.pk %}" class="status adoption-{{ cell.row.status }}">{{ cell.row.get_status_display }}</a>{% if cell.row.excused_at %} <span class="meta">免于填报</span>{% elif cell.row.overdue %} <strong>已逾期</strong>{% endif %}{% else %}—{% endif %}</td>
          {% endfor %}
          <td class="num">{{ done.0 }}/{{ done.1 }}</td>
        </tr>
      {% endfor %}"""  # noqa: E501


def test_the_matrix_rows_are_what_the_plain_template_renders(db):
    """Every kind of cell: none (the entry's own city), open, overdue, excused, answered; titles needing escapes."""
    cities = [CityFactory(code=f"61{n:02d}00", name=f"城市{n}", order=n) for n in range(3)]
    practices = [
        PracticeFactory(city=cities[0], title=title, status=Status.APPROVED, indicator=IndicatorFactory())
        for title in AWKWARD_TITLES
    ]
    batch = batches.batch_create(year=2024)
    batches.batch_add(batch=batch, practices=practices)
    batch = batches.batch_publish(batch=batch, by=UserFactory(role=Role.COORDINATOR))
    AdoptionPlan.objects.filter(batch=batch).update(deadline=timezone.localdate() - timezone.timedelta(days=1))
    rows = list(Adoption.objects.filter(city=cities[1]).order_by("pk"))
    adoptions.excuse(adoption=rows[0], by=None, reason="无")
    adoptions.report(adoption=rows[1], by=None, status="not_applicable", seen_version=1, reason="无")
    lines = matrix(batch).lines
    assert tight(fast.matrix_rows(lines, "review_adoption")) == plain(PLAIN_MATRIX_ROWS, lines=lines)


# The template ledger_rows replaced, as it was, with the cells' labels a phone shows (data-label) added since.
PLAIN_LEDGER_ROWS = """
      {% for row in page %}{% with entry=row.practice.batch_entry %}
        <tr>
          <td><a href="{% url 'city_adoption' row.pk %}">{{ entry.number }}、{{ entry.title }}</a> <span class="meta">{{ entry.city_name }}</span></td>
          <td data-label="指标">{{ entry.indicator_name|default:"—" }}</td>
          <td data-label="批次">{{ entry.batch.label }}</td>
          <td data-label="截止日期">{% if entry.batch.adoption_plan %}{{ entry.batch.adoption_plan.deadline|date:"DATE_FORMAT" }}{% else %}—{% endif %}</td>
          <td data-label="状态">{{ row.get_status_display }}{% if row.excused_at %} · 免于填报{% elif row.overdue %} · <strong>已逾期</strong>{% endif %}{% if not row.owed %} · 自愿填报{% endif %}</td>
        </tr>
      {% endwith %}{% endfor %}"""  # noqa: E501


def test_the_ledger_rows_are_what_the_plain_template_renders(db):
    """Every kind of row: open, overdue, excused, answered, voluntary; titles needing escapes."""
    cities = [CityFactory(code=f"61{n:02d}00", name=f"城市{n}", order=n) for n in range(2)]
    practices = [
        PracticeFactory(city=cities[0], title=title, status=Status.APPROVED, indicator=IndicatorFactory())
        for title in AWKWARD_TITLES
    ]
    coordinator = UserFactory(role=Role.COORDINATOR)
    batch = batches.batch_create(year=2024)
    batches.batch_add(batch=batch, practices=practices[:3])
    batches.batch_publish(batch=batch, by=coordinator)
    AdoptionPlan.objects.filter(batch=batch).update(deadline=timezone.localdate() - timezone.timedelta(days=1))
    reference = batches.batch_create(year=2024)
    batches.batch_add(batch=reference, practices=practices[3:], scope="reference")
    batches.batch_publish(batch=reference, by=coordinator)
    rows = list(Adoption.objects.filter(city=cities[1]).order_by("pk"))
    adoptions.excuse(adoption=rows[0], by=None, reason="无")
    adoptions.report(adoption=rows[1], by=None, status="not_applicable", seen_version=1, reason="无")
    adoptions.report_voluntarily(practice=practices[3], city=cities[1], by=None, status="in_progress")
    page = mark_overdue(list(city_ledger(cities[1])))
    assert len(page) == 4 and any(row.overdue for row in page)
    assert tight(fast.ledger_rows(page, "city_adoption")) == plain(PLAIN_LEDGER_ROWS, page=page)
