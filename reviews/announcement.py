"""The announcement's own grammar: the lead paragraph that counts a batch's practices per city.

"此次推出的36项典型经验做法中,西安市8项;汉中市、安康市各4项;…;渭南市、杨凌示范区各1项。"
Cities with the same count share one clause, joined by "、" and followed by "各"; clauses run from the
highest count down, and within a clause cities keep their official order. A city alone takes no "各".
"""

from itertools import groupby


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
