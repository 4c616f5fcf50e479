"""The lead paragraph's grammar, on the counts of the real announcement and on other patterns."""

import pytest

from batches.announcement import count_clauses, lead_paragraph

ORDER = "西安市 铜川市 宝鸡市 咸阳市 渭南市 延安市 汉中市 榆林市 安康市 商洛市 杨凌示范区 西咸新区 韩城市".split()


def counts(**n):
    return [(name, ORDER.index(name), value) for name, value in n.items()]


def test_the_seed_announcements_own_sentence():
    # The seed's counts. Its sentence lists 宝鸡市、咸阳市 before 铜川市; the rule orders a clause by the cities'
    # official order, so 铜川市 (610200) comes first here.
    seed = counts(西安市=8, 汉中市=4, 安康市=4, 宝鸡市=3, 咸阳市=3, 铜川市=3, 延安市=3, 榆林市=3, 商洛市=3)
    seed += counts(渭南市=1, 杨凌示范区=1)
    assert lead_paragraph(seed) == (
        "此次推出的36项典型经验做法中，西安市8项；汉中市、安康市各4项；"
        "铜川市、宝鸡市、咸阳市、延安市、榆林市、商洛市各3项；渭南市、杨凌示范区各1项。"
    )


@pytest.mark.parametrize(
    "given, clauses",
    [
        (counts(汉中市=3), ["汉中市3项"]),
        (counts(汉中市=2, 西安市=2, 韩城市=2), ["西安市、汉中市、韩城市各2项"]),
        (counts(西咸新区=1, 西安市=5, 杨凌示范区=5, 宝鸡市=1), ["西安市、杨凌示范区各5项", "宝鸡市、西咸新区各1项"]),
        (counts(商洛市=4, 铜川市=2, 延安市=3), ["商洛市4项", "延安市3项", "铜川市2项"]),
    ],
)
def test_clauses(given, clauses):
    assert count_clauses(given) == clauses
