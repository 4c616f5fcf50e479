"""The users of `make loadtest` (bench/load.py starts locust with this file): the public reading, searching and
downloading, and signed-in city officials, reviewers and the coordinator doing their work through the same forms
a browser posts (CSRF tokens and all).

Every request is kept (when it started, how long, its kind, its status) and written to LOAD_REQUESTS_FILE when
the run ends, so that bench/load.py can tell the errors inside the fault window from those outside it.
"""

import json
import os
import random
import re
import time
from html.parser import HTMLParser

from locust import FastHttpUser, between, events, task

SEARCHES = ["纳税", "企业", "营商环境", "企业 服务", '"不动产登记"', "量子计算"]
RECORDS: list[tuple] = []
PASSWORD = "demo"


@events.request.add_listener
def _keep(request_type, name, response_time, response_length, response=None, exception=None, context=None, **kw):
    status = getattr(response, "status_code", 0) or 0
    kind = (context or {}).get("kind", "other")
    started = kw.get("start_time") or time.time() - response_time / 1000
    # A 503 must be the page that says the service is briefly unavailable, not a bare error.
    clear = status == 503 and "服务暂时不可用" in (getattr(response, "text", "") or "")
    error = type(exception).__name__ if exception else ""
    RECORDS.append((started, response_time, kind, name, status, error, clear))


@events.quitting.add_listener
def _write(environment, **kw):
    path = os.environ.get("LOAD_REQUESTS_FILE")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(RECORDS, out)


class Forms(HTMLParser):
    """The forms of a page: each form's action and the values a browser would post as the page stands."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self._select = self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get"), "fields": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"] if self.forms else {}
        if tag == "input" and a.get("name") and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"radio", "checkbox"} and "checked" not in a:
                fields.setdefault(a["name"], None)
                self.forms[-1].setdefault("choices", {}).setdefault(a["name"], []).append(a.get("value", "on"))
            else:
                fields[a["name"]] = a.get("value", "")
                if a.get("type") == "number":
                    self.forms[-1].setdefault("numbers", {})[a["name"]] = (a.get("min"), a.get("max"))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            fields.setdefault(a["name"], None)
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if value and (fields.get(self._select) is None or "selected" in a):
                fields[self._select] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            fields[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data

    def posting_to(self, pattern: str) -> dict | None:
        for form in self.forms:
            if form["method"].lower() == "post" and re.search(pattern, form["action"]):
                return form
        return None


def filled(form: dict, **values) -> dict:
    """The form's fields as posted: what the page holds, numbers within their bounds, the given values on top."""
    data = {k: v for k, v in form["fields"].items() if v is not None}
    for name, options in form.get("choices", {}).items():
        data.setdefault(name, options[0])
    for name, (low, high) in form.get("numbers", {}).items():
        if not data.get(name):
            data[name] = str(random.randint(int(float(low or 0)), int(float(high or 10))))
    data.update(values)
    return data


class Person(FastHttpUser):
    """Someone whose every request is named, and counted under its kind of work."""

    abstract = True

    def get(self, url: str, kind: str, name: str | None = None):
        return self.client.get(url, context={"kind": kind}, name=name or url)


class SignedIn(Person):
    abstract = True
    username = ""

    def on_start(self):
        page = self.client.get("/accounts/login/", context={"kind": "sign-in"}).text
        self.post_form(
            "/accounts/login/", page, r"login", "sign-in", "sign in", username=self.username, password=PASSWORD
        )

    def post_form(self, url: str, html: str, action: str, kind: str, name: str, **values):
        """Post the form of the page at url whose action (url itself when it names none) matches `action`, as a
        browser would; None if the page has no such form."""
        forms = Forms(html)
        for form in forms.forms:
            form["action"] = form["action"] or url
        form = forms.posting_to(action)
        if form is None:
            return None
        return self.client.post(form["action"], data=filled(form, **values), context={"kind": kind}, name=name)


class Visitor(Person):
    """Anyone: the home page, lists, searches, an announcement, a practice, the statistics, the API, downloads."""

    weight = 52
    wait_time = between(1, 3)

    @task(3)
    def home(self):
        self.get("/", "public", "home")

    @task(4)
    def lists(self):
        page = self.get("/practices/", "public", "list").text
        self.get("/practices/?indicator=1", "public", "filtered list")
        ids = re.findall(r'href="/practices/(\d+)/"', page)
        if ids:
            self.get(f"/practices/{random.choice(ids)}/", "public", "practice page")

    @task(4)
    def search(self):
        self.get(f"/practices/?q={random.choice(SEARCHES)}", "search", "search")

    @task(2)
    def announcement(self):
        self.get("/batches/2022/2/", "public", "announcement")
        self.get("/batches/", "public", "batch list")

    @task(1)
    def stats(self):
        self.get("/stats/", "public", "stats")

    @task(1)
    def api(self):
        self.get("/api/v1/practices/", "public", "API")

    @task(1)
    def download(self):
        fmt = random.choice(["docx", "xlsx", "csv"])
        self.get(f"/batches/2022/2/export.{fmt}", "download", f"export.{fmt}")


class CityOfficial(SignedIn):
    """A city's official: writes a practice, saves it, submits it; looks at the city's pages."""

    weight = 6
    wait_time = between(2, 5)

    def on_start(self):
        self.username = random.choice(["xian", "hanzhong"])
        super().on_start()

    @task(1)
    def city_home(self):
        self.get("/city/", "city", "city home")

    @task(2)
    def write_and_submit(self):
        page = self.get("/city/practices/new/", "city", "new practice").text
        n = random.randint(1, 10**9)
        created = self.post_form(
            "/city/practices/new/",
            page,
            r"/city/practices/new/",
            "city",
            "save practice",
            title=f"压测市推行企业服务“{n}”",
            summary="压测用的做法摘要，一两句话。",
            body="压测用的正文。\n\n第二段。",
            outcomes="成效。",
            contact_name="张三",
            contact_phone="029-12345678",
        )
        if created is None:
            return
        found = re.search(r"/city/practices/(\d+)/", created.url or "")
        if found:
            page = self.get(found.group(0), "city", "city practice").text
            self.upload(page)
            page = self.get(found.group(0), "city", "city practice").text
            self.post_form(found.group(0), page, r"/submit/$", "city", "submit practice")

    def upload(self, html: str):
        """Attach a small PDF through the practice page's upload form (multipart, as a browser sends it)."""
        form = Forms(html).posting_to(r"/attachments/$")
        if form is None:
            return
        boundary = f"----bizenv{random.randint(0, 10**12)}"
        content = b"%PDF-1.4\n% bizenv load test\n" + os.urandom(random.randint(2_000, 60_000)) + b"\n%%EOF\n"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in filled(form).items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="材料.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        self.client.post(
            form["action"],
            data=b"".join(parts),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            context={"kind": "city"},
            name="upload attachment",
        )


class Reviewer(SignedIn):
    """A provincial reviewer: opens the queue, and scores and submits what is waiting for them."""

    weight = 4
    wait_time = between(2, 5)
    username = "reviewer"

    @task
    def review(self):
        queue = self.get("/review/?status=in_review", "reviewer", "review queue").text
        mine = re.findall(r'href="/review/practices/(\d+)/">[^<]*</a> <span class="badge">', queue)
        if not mine:
            return
        url = f"/review/practices/{random.choice(mine)}/score/"
        page = self.get(url, "reviewer", "score form").text
        self.post_form(url, page, r"/score/$", "reviewer", "submit score", submit="1", recommendation="approve")


class Coordinator(SignedIn):
    """The provincial coordinator: assigns what was submitted, decides what was reviewed."""

    weight = 2
    wait_time = between(2, 5)
    username = "coordinator"

    @task(1)
    def assign(self):
        queue = self.get("/review/?status=submitted", "coordinator", "review queue").text
        ids = re.findall(r'href="/review/practices/(\d+)/"', queue)
        if ids:
            url = f"/review/practices/{random.choice(ids)}/"
            page = self.get(url, "coordinator", "review practice").text
            self.post_form(url, page, r"/assign/$", "coordinator", "assign")

    @task(1)
    def decide(self):
        queue = self.get("/review/?status=in_review", "coordinator", "review queue").text
        ids = re.findall(r'href="/review/practices/(\d+)/"', queue)
        if ids:
            url = f"/review/practices/{random.choice(ids)}/"
            page = self.get(url, "coordinator", "review practice").text
            outcome = random.choice(["approve", "approve", "revise"])
            self.post_form(
                url, page, r"/decide/$", "coordinator", "decide", outcome=outcome, message="压测的决定意见。"
            )
