"""How a batch is named and read back: YEAR-SEQ in URLs and the API, 2022年第二批 for people, either accepted."""

import pytest

from batches.announcement import batch_label
from batches.selectors import year_and_sequence


@pytest.mark.parametrize(
    "typed",
    [
        "2022-2",
        " 2022-2 ",
        "2022年第二批",
        "2022年第2批",
        "2022年二批",
        "2022第二批",
        "2022 2",
        "2022/2",
        "２０２２－２",
        "２０２２年第二批",
        "2022年第二批优化营商环境典型经验做法",
    ],
)
def test_a_batch_is_read_however_people_write_it(typed):
    assert year_and_sequence(typed) == (2022, 2)


@pytest.mark.parametrize("typed", ["2022年第十二批", "2022-12", "2022年第12批"])
def test_two_digit_sequences(typed):
    assert year_and_sequence(typed) == (2022, 12)


@pytest.mark.parametrize(
    "typed", ["", "abc", "2022", "20222", "2022-", "2022-0", "2022年第零批", "22-2", "2022-2-3", "2022年第二期", "²"]
)
def test_anything_else_is_not_a_batch(typed):
    assert year_and_sequence(typed) is None


@pytest.mark.parametrize("year, sequence", [(2022, 2), (2023, 10), (2024, 12), (2019, 31)])
def test_a_batchs_name_reads_back_as_the_batch(year, sequence):
    assert year_and_sequence(batch_label(year, sequence)) == (year, sequence)


def test_a_batchs_name():
    assert [batch_label(2022, 2), batch_label(2024, 12)] == ["2022年第二批", "2024年第十二批"]
