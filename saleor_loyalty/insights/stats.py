"""The statistics campaign results rest on: Wilson intervals for rates, the two-proportion z-test for winners.

Pure functions of counts, so the numbers staff see can be checked by hand (docs/campaigns-and-nps.md).
"""

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Rate:
    """k of n, with its 95 % Wilson score interval; all None when n is 0."""

    value: float | None
    low: float | None
    high: float | None


def wilson(k: int, n: int, z: float = Z95) -> Rate:
    """Wilson's interval stays inside [0, 1] and is honest for small n and rates near 0 (opens, conversions)."""
    if n <= 0:
        return Rate(None, None, None)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Rate(p, max(0.0, centre - margin), min(1.0, centre + margin))


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float | None:
    """Two-sided p-value of "the two rates are equal" (pooled z-test); None when it cannot be computed."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (k1 + k2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return None if k1 / n1 == k2 / n2 else 0.0
    z = (k1 / n1 - k2 / n2) / spread
    return math.erfc(abs(z) / math.sqrt(2))


def winner(counts: dict[str, tuple[int, int]]) -> tuple[str | None, float | None]:
    """The key whose rate beats every other's significantly (largest p-value against it reported);
    (None, p) when the best is not significantly ahead of all others, or fewer than two arms exist."""
    arms = {key: kn for key, kn in counts.items() if kn[1] > 0}
    if len(arms) < 2:
        return None, None
    best = max(arms, key=lambda key: (arms[key][0] / arms[key][1], key))
    worst_p = 0.0
    for key, (k, n) in arms.items():
        if key == best:
            continue
        p = two_proportion_p(*arms[best], k, n)
        if p is None:
            return None, None
        worst_p = max(worst_p, p)
    return (best if worst_p < SIGNIFICANCE else None), worst_p
