"""Rounds and their figures (p50 and p95): shared by measure.py (one process) and run.py (the rounds of all of
them)."""

import os
import statistics

RUNS = int(os.environ.get("BENCH_RUNS", "40"))  # timed rounds
WARMUP = 3  # untimed rounds before them


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def summary(rounds: list[dict[str, float]], counts: dict[str, int]) -> dict:
    """p50 and p95 of each page over the rounds (each a page's milliseconds), with its query count."""
    return {
        name: {
            "p50": statistics.median(r[name] for r in rounds),
            "p95": percentile([r[name] for r in rounds], 95),
            "queries": queries,
        }
        for name, queries in counts.items()
    }
