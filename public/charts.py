"""The statistics page's sections, and where the bars of their server-rendered SVG bar charts go:
templates/public/includes/_bar_chart.html writes each SVG from a BarChart, with a <text> of each bar's number (a
chart never speaks by length or colour alone) and no script; a table of the same numbers stands beside it."""

from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from batches.announcement import ordinal

from . import statistics

WIDTH = 640  # the viewBox's width; the stylesheet scales the chart to its column
ROW = 28  # one bar and its gap
BAR = 18
FONT = 14  # the stylesheet's size of the chart's text, in viewBox units
PAD = 8
LABEL_CHARS = 12  # longer labels are cut (the table beside the chart has them whole)
NUMBER_ROOM = 64  # right of the longest bar, for its number
RECENT_BATCHES = 20  # a chart of every batch's completion would be as long as the list of batches
RECENT_ROWS = 100  # its table on the page (the CSV file holds every batch): the page stays the same size


@dataclass(frozen=True)
class Bar:
    label: str  # as shown, cut to LABEL_CHARS
    full: str  # the label whole, when it was cut (the bar's tooltip); "" otherwise
    text: str  # the number as shown
    width: float
    y: float  # the bar's top
    baseline: float  # of its label and number
    text_x: float  # where its number starts


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int  # where the bars start

    @property
    def label_x(self) -> int:
        return self.label_width - PAD

    @property
    def bar_height(self) -> int:
        return BAR


def bar_chart(id: str, title: str, items: list[tuple[str, float, str]], maximum: float | None = None) -> BarChart:
    """Horizontal bars, one a row, for (label, value, the value as shown); lengths in proportion to `maximum`
    (the largest value unless given: a share's is 100)."""
    labels = [label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…" for label, _v, _t in items]
    label_width = max((len(label) for label in labels), default=1) * FONT + 2 * PAD
    room = WIDTH - label_width - NUMBER_ROOM
    top = maximum if maximum is not None else max((value for _l, value, _t in items), default=0)
    bars = []
    for i, (label, (whole, value, text)) in enumerate(zip(labels, items, strict=True)):
        width = round(room * value / top, 1) if top else 0
        y = PAD + i * ROW
        baseline = y + BAR / 2 + FONT * 0.35
        bars.append(
            Bar(label, "" if label == whole else whole, text, width, y, baseline, label_width + width + PAD / 2)
        )
    return BarChart(id, title, bars, WIDTH, 2 * PAD + len(items) * ROW, label_width)


def sections(numbers: statistics.Statistics) -> list[dict]:
    """The page's sections in order: a heading, the table, the bar charts of its numbers (a heatmap is a table),
    or the sentence said instead when there is nothing to show."""
    tables = {slug: statistics.table(numbers, slug) for slug in statistics.SLUGS}
    years = [(str(y.year), y) for y in numbers.years]
    nothing_adopted = _("尚无城市报告复制落地的经验做法。") if not numbers.adoptions.total else ""
    heat = _("颜色越深，数量越多；每格都标出了数量。")
    recent = numbers.completion[:RECENT_BATCHES]
    completion = tables["completion"]
    completion_note = _("落地率：须填报（未免于填报）的记录中报告“已落地”的比例。")
    if len(completion.rows) > RECENT_ROWS:
        completion = replace(completion, rows=completion.rows[:RECENT_ROWS])
        completion_note += _("表中列出最近%(n)d批，全部%(all)d批见CSV文件。") % {
            "n": RECENT_ROWS,
            "all": len(numbers.completion),
        }
    return [
        {
            "heading": _("各年发布情况"),
            "table": tables["years"],
            "charts": [
                bar_chart(
                    "chart-years-batches", _("各年发布的批次（批）"), [(y, r.batches, str(r.batches)) for y, r in years]
                ),
                bar_chart(
                    "chart-years-practices",
                    _("各年发布的经验做法（项）"),
                    [(y, r.practices, str(r.practices)) for y, r in years],
                ),
            ],
        },
        {
            "heading": _("各市（区）发布的经验做法"),
            "table": tables["cities"],
            "charts": [
                bar_chart(
                    "chart-cities",
                    _("各市（区）发布的经验做法（项）"),
                    [(t.label, t.n, str(t.n)) for t in numbers.cities],
                )
            ],
        },
        {
            "heading": _("各指标发布的经验做法"),
            "table": tables["indicators"],
            "charts": [
                bar_chart(
                    "chart-indicators",
                    _("各指标发布的经验做法（项）"),
                    [(statistics.indicator_label(t.label), t.n, str(t.n)) for t in numbers.indicators],
                )
            ],
        },
        {"heading": _("经验做法分布：城市 × 指标"), "table": tables["practice-heatmap"], "note": heat},
        {
            "heading": _("复制落地分布：城市 × 指标"),
            "table": tables["adoption-heatmap"],
            "note": _("按复制城市和经验做法所属指标统计“已落地”的复制推广。") + heat,
            "empty": nothing_adopted,
        },
        {"heading": _("复制落地最多的经验做法"), "table": tables["most-copied"], "empty": nothing_adopted},
        {
            "heading": _("各批次复制推广落地情况"),
            "table": completion,
            "note": completion_note,
            "charts": [
                bar_chart(
                    "chart-completion",
                    _("各批次复制推广落地率")
                    if len(recent) == len(numbers.completion)
                    else _("最近%(n)d批的复制推广落地率") % {"n": RECENT_BATCHES},
                    [
                        (_batch_name(c.year, c.sequence), (c.share or 0) * 100, statistics.percent(c.share))
                        for c in recent
                    ],
                    maximum=100,
                )
            ],
            "empty": "" if numbers.completion else _("尚无已发布批次的复制推广安排。"),
        },
    ]


def _batch_name(year: int, sequence: int) -> str:
    return _("%(year)d年第%(sequence)s批") % {"year": year, "sequence": ordinal(sequence)}
