"""China's administrative divisions, and the special units national notices name, recognised at the start of a title.

The list is data/regions.csv (GB/T 2260 as of its source's date, with 新疆生产建设兵团 and its 师, the national new
areas, the free-trade zones and their 片区 and a few high-tech zones; data/make_regions.py writes it), read once per
process. Pure: no database, no settings.

A title names its place from the top down, each part written in full or short ("山东省日照市", "山东日照"), any part
left out ("浙江省余杭区"). match() follows that chain as far as it goes, so a zone the list does not know falls back
to the city it is in ("江苏省苏州工业园区" → 苏州市). A name that several places share, written without the part above
it that tells them apart ("朝阳区…"), is not guessed: lookup() says which places it could be.
"""

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .text import fold

DATA = Path(__file__).with_name("data") / "regions.csv"

LEVELS = ("province", "prefecture", "county")

# Kinds of the special units; an ordinary administrative division has none ("").
CORPS, NEW_AREA, FTZ, FTZ_AREA, HITECH = "corps", "new_area", "ftz", "ftz_area", "hitech"

# The part of a title read for its place: the longest chain (a free-trade zone and its 片区) is under 30 characters.
_HEAD = 64


@dataclass(eq=False, repr=False)
class Region:
    """One division or special unit: its code (GB/T 2260, or data/regions.csv's own PP99NN), name, level and kind."""

    code: str
    name: str
    level: str  # province, prefecture or county
    kind: str = ""
    parent: "Region | None" = None
    short: str = ""  # the name without its kind: 日照 for 日照市
    aliases: tuple[str, ...] = ()  # former names, abbreviations in use
    display_name: str = ""  # its name, with its parent's when another region has the same (_display_name)
    ancestors: frozenset[str] = field(default_factory=frozenset)  # the codes above it

    def __repr__(self):
        return f"<Region {self.code} {self.full_name}>"

    @property
    def chain(self) -> tuple["Region", ...]:
        """From the province down to this region."""
        chain, region = [], self
        while region is not None:
            chain.append(region)
            region = region.parent
        return tuple(reversed(chain))

    @property
    def chain_codes(self) -> tuple[str, ...]:
        return tuple(region.code for region in self.chain)

    @property
    def chain_names(self) -> tuple[str, ...]:
        return tuple(region.name for region in self.chain)

    @property
    def province(self) -> "Region":
        return self.chain[0]

    @property
    def full_name(self) -> str:
        """Its name after those of the regions above it, leaving out one its own name already says:
        山东省日照市, 北京市朝阳区, 新疆生产建设兵团第十一师, 中国（广东）自由贸易试验区深圳前海蛇口片区."""
        text, first = self.name, self
        for region in reversed(self.chain[:-1]):
            if not (region.short and region.short in first.name and region.short != first.short):
                text, first = region.name + text, region
        return text

    @property
    def short_name(self) -> str:
        """What a table column shows: 日照, 朝阳, 前海蛇口片区's own name."""
        return self.short or self.name


@dataclass(frozen=True)
class Match:
    """What the start of a title names: the region (None if none, or if its name is shared and nothing above it
    tells which), and the places a shared name could be."""

    region: Region | None
    ambiguous: tuple[Region, ...] = ()


# The order in which a spelling is preferred: a name or an alias before a bare short form.
_NAME, _SHORT = 0, 1


class Regions:
    """The regions by code and by every folded spelling."""

    def __init__(self, rows: list[dict]):
        self.by_code: dict[str, Region] = {}
        for row in rows:
            aliases = tuple(alias for alias in row["aliases"].split("|") if alias)
            self.by_code[row["code"]] = Region(
                row["code"], row["name"], row["level"], row["kind"], short=row["short"], aliases=aliases
            )
        for row in rows:
            if row["parent"]:
                self.by_code[row["code"]].parent = self.by_code[row["parent"]]
        self.spellings: dict[str, list[tuple[Region, int]]] = {}
        named: dict[str, list[Region]] = {}
        for region in self.by_code.values():
            region.ancestors = frozenset(r.code for r in region.chain[:-1])
            named.setdefault(region.name, []).append(region)
            for spelling, form in ((region.name, _NAME), *((a, _NAME) for a in region.aliases), (region.short, _SHORT)):
                if key := fold(spelling):
                    self.spellings.setdefault(key, []).append((region, form))
        self.longest = max(map(len, self.spellings))
        for same in named.values():
            for region in same:
                region.display_name = _display_name(region, same)

    def get(self, code: str) -> Region | None:
        return self.by_code.get(code)

    def lookup(self, title: str) -> Match:
        """The region the title starts with, following its chain of names as far as it goes."""
        text = fold(title[:_HEAD])
        found, position = None, 0
        while step := self._step(text, position, found):
            length, candidates = step
            if len(candidates) > 1:
                return Match(found, tuple(sorted(candidates, key=lambda r: r.code)))
            found, position = candidates[0], position + length
        return Match(found)

    def _step(self, text: str, position: int, above: Region | None) -> tuple[int, list[Region]] | None:
        """The longest name at `position` of a region under `above` (at the start: of any region), and the regions
        it may be, the preferred spellings' only."""
        for length in range(min(self.longest, len(text) - position), 1, -1):
            entries = self.spellings.get(text[position : position + length])
            if not entries:
                continue
            allowed = [(region, form) for region, form in entries if _allowed(region, form, above)]
            if allowed:
                return length, _preferred(allowed)
        return None


def _allowed(region: Region, form: int, above: Region | None) -> bool:
    if above is not None:
        return above.code in region.ancestors
    # At the start of a title a bare short form is read as a province or a city only: "余杭" alone is too easily
    # a word, and a two-character district (城区, 东区, 郊区) is one; a 片区 is one only after its province, city or
    # free-trade zone (中心片区 is in more than one sense).
    if form == _SHORT:
        return region.level != "county"
    if region.kind == FTZ_AREA:
        return False
    return not (len(region.name) == 2 and region.name.endswith("区"))


def _preferred(entries: list[tuple[Region, int]]) -> list[Region]:
    """A full name or an alias over a short form (吉林市 over 吉林), then the higher level (吉林 is 吉林省)."""
    best = min(form for _region, form in entries)
    regions = list(dict.fromkeys(region for region, form in entries if form == best))
    top = min(LEVELS.index(region.level) for region in regions)
    return [region for region in regions if LEVELS.index(region.level) == top]


def _display_name(region: Region, same: list[Region]) -> str:
    """Its own name; with its parent's in front when another region has the same name (南京市鼓楼区), with all
    above it when that still is not enough."""
    if len(same) == 1:
        return region.name
    if region.parent is not None:
        qualified = region.parent.name + region.name
        if sum(other.parent is not None and other.parent.name + other.name == qualified for other in same) == 1:
            return qualified
    return region.full_name


@cache
def regions() -> Regions:
    """The list, read once per process."""
    with DATA.open(encoding="utf-8") as file:
        return Regions(list(csv.DictReader(line for line in file if not line.startswith("#"))))


def lookup(title: str) -> Match:
    """The region a title starts with, or the places its shared name could be; see Regions.lookup()."""
    return regions().lookup(title)


def match(title: str) -> Region | None:
    """The region a title starts with: "山东省日照市推行…" → 日照市 371100. None for none, or a shared name alone."""
    return lookup(title).region


def get(code: str) -> Region | None:
    """The region of that code."""
    return regions().get(code)
