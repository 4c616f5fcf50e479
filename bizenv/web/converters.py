"""URL converters. Ids are at most nine digits: a longer number is no id of ours (and would overflow the database)."""


class IdConverter:
    regex = "[0-9]{1,9}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
