"""Timeouts that scale with how busy the machine is.

Tests wait for conditions, never for time; but a wait still needs a limit, and on a machine
whose cores are shared with other work the same condition takes longer to come. Every wait
helper multiplies its limit by ``slowdown()``: 1 + the load per core (read when the wait
starts), at most 6, or ``CRM_TEST_SLOWDOWN`` when set.
"""

from __future__ import annotations

import os

MAX_SLOWDOWN = 6.0


def slowdown() -> float:
    """Return how much longer than on an idle machine a wait may take now."""
    fixed = os.environ.get("CRM_TEST_SLOWDOWN", "").strip()
    if fixed:
        return max(1.0, float(fixed))
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this platform
        return 2.0
    return min(1.0 + load / (os.cpu_count() or 1), MAX_SLOWDOWN)


def scaled(seconds: float) -> float:
    """Return a wait limit for now."""
    return seconds * slowdown()
