"""In Chromium, on a phone: no page any role uses is wider than a 390- or 360-pixel screen (a grid that is the point
of its page, statistics or the 复制推广 matrix, scrolls inside its own box, which the page does not); a list's filters
are folded until asked for, and are there without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import prepare, visits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONES = [390, 360]

# The elements sticking out past the right edge of the screen, outermost first (an element whose parent sticks out
# too is the parent's doing), leaving out what a box that scrolls or clips keeps inside it; each as a selector-like
# name, its width and its right edge, the widest first.
STICKING_OUT = """() => {
    const edge = window.innerWidth;
    const clipped = (element) => {
        for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
            if (getComputedStyle(box).overflowX !== "visible") return true;
        }
        return false;
    };
    const out = (element) => element.getBoundingClientRect().right > edge + 0.5 && !clipped(element);
    const name = (element) => {
        let text = element.tagName.toLowerCase();
        if (element.id) text += `#${element.id}`;
        for (const c of element.classList) text += `.${c}`;
        const parent = element.parentElement;
        return parent && parent !== document.body ? `${name(parent)} > ${text}` : text;
    };
    return [...document.body.querySelectorAll("*")]
        .filter((element) => out(element) && !(element.parentElement && out(element.parentElement)))
        .map((element) => [element, element.getBoundingClientRect()])
        .sort(([, a], [, b]) => b.width - a.width)
        .map(([element, box]) => `${name(element)}: ${Math.round(box.width)}px wide, right edge at ` +
            `${Math.round(box.right)}px`);
}"""


def too_wide(page, width: int) -> str | None:
    """What sticks out of the page on a screen `width` pixels wide, or None."""
    page.set_viewport_size({"width": width, "height": 800})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width <= page.evaluate("window.innerWidth"):
        return None
    culprits = page.evaluate(STICKING_OUT) or ["no single element (a margin?)"]
    return f"{scroll_width}px wide on a {width}px screen; sticking out: " + "; ".join(culprits[:5])


def test_no_page_scrolls_sideways_on_a_phone(live_server, page):
    prepare()
    found = []
    for each in visits(page, live_server):
        found += [f"{each}: {problem}" for width in PHONES if (problem := too_wide(page, width))]
    assert not found, "\n".join(found)


# A paragraph 600 pixels wide in the page, and another inside a box that scrolls (set through the CSSOM, which the
# Content-Security-Policy allows, where it would refuse a style attribute).
WIDE = """() => {
    const main = document.querySelector("main");
    const paragraph = (parent, width) => {
        const p = parent.appendChild(document.createElement("p"));
        p.textContent = "宽";
        p.style.width = width;
        return p;
    };
    paragraph(main, "600px").id = "wide";
    const box = main.appendChild(document.createElement("div"));
    box.className = "scroll";
    paragraph(box, "900px");
}"""


def test_a_page_too_wide_is_told_with_what_sticks_out(live_server, page):
    page.goto(live_server.url + "/")
    page.evaluate(WIDE)
    problem = too_wide(page, 390)
    assert problem.startswith("6") and "on a 390px screen" in problem  # 600px and the page's margin
    assert "sticking out: main#main.wrap > p#wide: 600px wide" in problem
    assert "900px" not in problem  # its box scrolls: the page does not
    page.evaluate("document.getElementById('wide').remove()")
    assert too_wide(page, 390) is None


def test_a_lists_filters_fold_on_a_phone_and_show_without_javascript(live_server, page, browser, xian):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/practices/")
    keyword, unfold = page.get_by_label("关键词"), page.locator("summary", has_text="筛选条件")
    expect(keyword).to_be_hidden()  # the list comes first
    unfold.click()
    keyword.fill("纳税")
    page.get_by_label("城市").select_option(label="西安市")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"\?q=%E7%BA%B3%E7%A8%8E&city=610100"))
    expect(keyword).to_have_value("纳税")  # a filter is set: they stay unfolded
    page.goto(live_server.url + "/practices/")
    expect(keyword).to_be_hidden()
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(keyword).to_be_visible()  # the desktop's: no summary to unfold them with, so never folded
    expect(unfold).to_be_hidden()

    without = browser.new_context(locale="zh-CN", java_script_enabled=False, viewport={"width": 390, "height": 800})
    phone = without.new_page()
    phone.goto(live_server.url + "/practices/")
    expect(phone.get_by_label("关键词")).to_be_visible()
    expect(phone.locator("summary", has_text="筛选条件")).to_be_visible()  # and folding them needs no script
    without.close()


def test_the_year_index_folds_on_a_phone_and_a_year_chosen_shows_its_batches(live_server, page):
    from tests.factories import published_batches_in_bulk

    published_batches_in_bulk(40, range(2020, 2024))
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/batches/")
    index = page.get_by_role("navigation", name="按年份")
    year = index.get_by_role("link", name="2021年")
    expect(year).to_be_hidden()  # the latest batches come first
    expect(page.get_by_role("heading", name="2023年")).to_be_visible()
    index.locator("summary").click()
    year.click()
    expect(page).to_have_url(re.compile(r"/batches/\?year=2021$"))
    expect(page.get_by_role("heading", level=2)).to_have_text(["2021年"])
    expect(index.get_by_role("link", name="2021年")).to_have_attribute("aria-current", "page")
