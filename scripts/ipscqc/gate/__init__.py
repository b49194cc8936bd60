"""The release gate: findings in, one decision per line out (docs/release_gate.md).

Statuses, from best to worst: PASS < REVIEW < INCONCLUSIVE < FAIL.

- A check's status is the worst status of its rules; a line's decision is the worst
  status of its checks. A FAIL is therefore never hidden by an INCONCLUSIVE, and an
  INCONCLUSIVE can only become FAIL, never PASS or REVIEW.
- INCONCLUSIVE ranks above REVIEW: a reviewer can clear a REVIEW by looking at the
  evidence, but an INCONCLUSIVE check has no evidence to look at (new data is needed).
- Fail closed: a missing, unreadable, invalid or foreign findings file, a check that
  could not look, a missing metric or a null metric makes the rule that needs it
  INCONCLUSIVE, never PASS.

The gate is the only place that decides: ``rules`` holds the rules, ``evaluate``
applies them, ``cohort`` summarises the cohort and strict mode.
"""

PASS, REVIEW, INCONCLUSIVE, FAIL = "PASS", "REVIEW", "INCONCLUSIVE", "FAIL"
STATUSES = (PASS, REVIEW, INCONCLUSIVE, FAIL)  # best to worst
SEVERITY = {status: rank for rank, status in enumerate(STATUSES)}


def worst(statuses) -> str:
    """The worst of some statuses; INCONCLUSIVE when there are none (fail closed)."""
    statuses = list(statuses)
    if not statuses:
        return INCONCLUSIVE
    return max(statuses, key=SEVERITY.__getitem__)
