"""Ids in URLs and in posted forms. An id is one to nine ASCII digits: a longer number is no id of ours (and would
overflow the database), and anything else ("abc", "²", "") is no number at all."""

import re

ID = re.compile(r"[0-9]{1,9}")


class IdConverter:
    regex = ID.pattern

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


def posted_id(value) -> int | None:
    """A posted or queried id as an int, or None if it is none of ours."""
    return int(value) if isinstance(value, str) and ID.fullmatch(value) else None


def posted_ids(values: list[str]) -> list[int] | None:
    """Posted ids (a form's ticked boxes) as ints, or None if any of them is no id of ours."""
    ids = [posted_id(value) for value in values]
    return None if None in ids else ids
