"""p50 and p95 of timed rounds: shared by measure.py (one process) and run.py (the rounds of all of them)."""

import statistics


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
