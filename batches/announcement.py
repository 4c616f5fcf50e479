"""The announcement's own grammar: a batch's title (第二批), and the lead paragraph that counts its practices per city.

"此次推出的36项典型经验做法中,西安市8项;汉中市、安康市各4项;…;渭南市、杨凌示范区各1项。"
Cities with the same count share one clause, joined by "、" and followed by "各"; clauses run from the
highest count down, and within a clause cities keep their official order. A city alone takes no "各".
"""

from itertools import groupby

from django.utils.translation import gettext as _


def count_clauses(counts: list[tuple[str, int, int]]) -> list[str]:
    """[(city name, city order, count)] → ["西安市8项", "汉中市、安康市各4项", …]."""
    ordered = sorted(counts, key=lambda row: (-row[2], row[1]))
    clauses = []
    for n, rows in groupby(ordered, key=lambda row: row[2]):
        names = [name for name, _order, _n in rows]
        clauses.append(f"{'、'.join(names)}{'各' if len(names) > 1 else ''}{n}项")
    return clauses


def lead_paragraph(counts: list[tuple[str, int, int]]) -> str:
    """The sentence that opens a batch's announcement, counting its practices per city."""
    total = sum(n for _name, _order, n in counts)
    return f"此次推出的{total}项典型经验做法中，{'；'.join(count_clauses(counts))}。"


CHINESE_ORDINALS = "一二三四五六七八九十"


def ordinal(n: int) -> str:
    """2 → 二, 12 → 十二: batches are named 第二批, as announcements do."""
    if 1 <= n <= 10:
        return CHINESE_ORDINALS[n - 1]
    if n < 20:
        return "十" + CHINESE_ORDINALS[n - 11]
    if n < 100:
        tens, ones = divmod(n, 10)
        return CHINESE_ORDINALS[tens - 1] + "十" + (CHINESE_ORDINALS[ones - 1] if ones else "")
    return str(n)


def default_batch_title(year: int, sequence: int) -> str:
    # Data, not interface: a batch is titled in Chinese whatever language the operator reads.
    return f"{year}年第{ordinal(sequence)}批优化营商环境典型经验做法"


def batch_name(year: int, sequence: int) -> str:
    """2022, 2 → 2022年第二批: a batch as people name it (the list's filter and column)."""
    return _("%(year)d年第%(ordinal)s批") % {"year": year, "ordinal": ordinal(sequence), "sequence": sequence}
