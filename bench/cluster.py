"""A throwaway PostgreSQL 15 cluster in a temporary folder, for the benchmark and the load test: started, stopped
and started again (the load test's fault), removed at the end. Run as root, it runs as the postgres user."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))


class Cluster:
    def __init__(self, options: str = "-c shared_buffers=512MB -c fsync=off"):
        self.workdir = Path(tempfile.mkdtemp(prefix="bizenv-pg."))
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.run_as:
            shutil.chown(self.workdir, "postgres")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.data = self.workdir / "data"
        self.options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.workdir} {options}"
        self._pg(PGBIN / "initdb", "-D", self.data, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "-U", "postgres")

    @staticmethod
    def available() -> bool:
        return (PGBIN / "initdb").exists()

    @property
    def url(self) -> str:
        """The server's URL, without a database name."""
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _pg(self, *args):
        subprocess.run([*self.run_as, *map(str, args)], cwd=self.workdir, check=True, stdout=subprocess.DEVNULL)

    def start(self):
        self._pg(
            PGBIN / "pg_ctl", "-D", self.data, "-l", self.workdir / "server.log", "-w", "-o", self.options, "start"
        )

    def stop(self, mode: str = "fast"):
        self._pg(PGBIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def install_rum(self):
        """rum in the template every new database copies; without postgresql-15-rum, GIN (and the search says so)."""
        psql = [PGBIN / "psql", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
        with contextlib.suppress(subprocess.CalledProcessError):
            self._pg(*psql, "-d", "template1", "-c", "CREATE EXTENSION rum")

    def remove(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def create_database(url: str):
    """A new, empty database at url (dropped first if it exists)."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")


def ensure_database(url: str):
    """The database at url, created empty unless it exists (bench/served.py keeps its fills between runs)."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f"CREATE DATABASE {name}")
