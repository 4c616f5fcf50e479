"""The engine of the database in use: FTS5 on SQLite, a tsvector on PostgreSQL."""

from django.db import connection

from .postgres import PostgresTsvector
from .sqlite import SQLiteFTS5


def backend() -> SQLiteFTS5 | PostgresTsvector:
    return PostgresTsvector() if connection.vendor == "postgresql" else SQLiteFTS5()
