"""Default SDQ four-band tables, keyed by (informant, form version).

Each table: {"provisional": bool, "scales": {scale: [(low, high, label), ...]}} with inclusive
integer bounds. A scale missing from a table (here externalising and internalising) gets no band.
These are defaults: an administrator may correct a table, and score() takes the corrected one.

Sources and confidence:
- parent 4-17 and teacher 4-17: the well-sourced tables in the domain reference (section 4),
  which match Youthinmind's four-band categorisation for 4-17 year olds. Their impact bands
  (0 / 1 / 2 / 3 upwards) come from the same four-band sheet but are not in the domain reference.
- self 11-17: Youthinmind's four-band categorisation for self-report, recalled rather than checked
  against the sheet; consistent with the older self-report three-band cut-offs. Provisional.
- parent 2-4: "close to average" and "slightly raised" follow the published UK 2-4 parent
  normal/borderline cut-offs; where the abnormal range splits into high and very high is a best
  estimate. Provisional.
- teacher 2-4: no 2-4 teacher source to hand, so the teacher 4-17 values stand in. Provisional.
"""

CLOSE = "Close to average"
RAISED = "Slightly raised"
HIGH = "High"
VERY_HIGH = "Very high"
LOWERED = "Slightly lowered"
LOW = "Low"
VERY_LOW = "Very low"

DIFFICULTY_LABELS = (CLOSE, RAISED, HIGH, VERY_HIGH)
PROSOCIAL_LABELS = (CLOSE, LOWERED, LOW, VERY_LOW)

BAND_TABLES = {
    ("parent", "4-17"): {
        "provisional": False,
        "scales": {
            "emotional": [(0, 3, CLOSE), (4, 4, RAISED), (5, 6, HIGH), (7, 10, VERY_HIGH)],
            "conduct": [(0, 2, CLOSE), (3, 3, RAISED), (4, 5, HIGH), (6, 10, VERY_HIGH)],
            "hyperactivity": [(0, 5, CLOSE), (6, 7, RAISED), (8, 8, HIGH), (9, 10, VERY_HIGH)],
            "peer": [(0, 2, CLOSE), (3, 3, RAISED), (4, 4, HIGH), (5, 10, VERY_HIGH)],
            "prosocial": [(8, 10, CLOSE), (7, 7, LOWERED), (6, 6, LOW), (0, 5, VERY_LOW)],
            "total": [(0, 13, CLOSE), (14, 16, RAISED), (17, 19, HIGH), (20, 40, VERY_HIGH)],
            "impact": [(0, 0, CLOSE), (1, 1, RAISED), (2, 2, HIGH), (3, 10, VERY_HIGH)],
        },
    },
    ("teacher", "4-17"): {
        "provisional": False,
        "scales": {
            "emotional": [(0, 3, CLOSE), (4, 4, RAISED), (5, 5, HIGH), (6, 10, VERY_HIGH)],
            "conduct": [(0, 2, CLOSE), (3, 3, RAISED), (4, 4, HIGH), (5, 10, VERY_HIGH)],
            "hyperactivity": [(0, 5, CLOSE), (6, 7, RAISED), (8, 8, HIGH), (9, 10, VERY_HIGH)],
            "peer": [(0, 2, CLOSE), (3, 4, RAISED), (5, 5, HIGH), (6, 10, VERY_HIGH)],
            "prosocial": [(6, 10, CLOSE), (5, 5, LOWERED), (4, 4, LOW), (0, 3, VERY_LOW)],
            "total": [(0, 11, CLOSE), (12, 15, RAISED), (16, 18, HIGH), (19, 40, VERY_HIGH)],
            "impact": [(0, 0, CLOSE), (1, 1, RAISED), (2, 2, HIGH), (3, 6, VERY_HIGH)],
        },
    },
    ("self", "11-17"): {
        "provisional": True,
        "scales": {
            "emotional": [(0, 4, CLOSE), (5, 5, RAISED), (6, 6, HIGH), (7, 10, VERY_HIGH)],
            "conduct": [(0, 3, CLOSE), (4, 4, RAISED), (5, 5, HIGH), (6, 10, VERY_HIGH)],
            "hyperactivity": [(0, 5, CLOSE), (6, 6, RAISED), (7, 7, HIGH), (8, 10, VERY_HIGH)],
            "peer": [(0, 2, CLOSE), (3, 3, RAISED), (4, 5, HIGH), (6, 10, VERY_HIGH)],
            "prosocial": [(7, 10, CLOSE), (6, 6, LOWERED), (5, 5, LOW), (0, 4, VERY_LOW)],
            "total": [(0, 14, CLOSE), (15, 17, RAISED), (18, 19, HIGH), (20, 40, VERY_HIGH)],
            "impact": [(0, 0, CLOSE), (1, 1, RAISED), (2, 2, HIGH), (3, 10, VERY_HIGH)],
        },
    },
    ("parent", "2-4"): {
        "provisional": True,
        "scales": {
            "emotional": [(0, 2, CLOSE), (3, 3, RAISED), (4, 4, HIGH), (5, 10, VERY_HIGH)],
            "conduct": [(0, 3, CLOSE), (4, 4, RAISED), (5, 5, HIGH), (6, 10, VERY_HIGH)],
            "hyperactivity": [(0, 5, CLOSE), (6, 6, RAISED), (7, 8, HIGH), (9, 10, VERY_HIGH)],
            "peer": [(0, 2, CLOSE), (3, 3, RAISED), (4, 4, HIGH), (5, 10, VERY_HIGH)],
            "prosocial": [(7, 10, CLOSE), (6, 6, LOWERED), (5, 5, LOW), (0, 4, VERY_LOW)],
            "total": [(0, 12, CLOSE), (13, 15, RAISED), (16, 18, HIGH), (19, 40, VERY_HIGH)],
            "impact": [(0, 0, CLOSE), (1, 1, RAISED), (2, 2, HIGH), (3, 10, VERY_HIGH)],
        },
    },
    ("teacher", "2-4"): {
        "provisional": True,
        "scales": {
            "emotional": [(0, 3, CLOSE), (4, 4, RAISED), (5, 5, HIGH), (6, 10, VERY_HIGH)],
            "conduct": [(0, 2, CLOSE), (3, 3, RAISED), (4, 4, HIGH), (5, 10, VERY_HIGH)],
            "hyperactivity": [(0, 5, CLOSE), (6, 7, RAISED), (8, 8, HIGH), (9, 10, VERY_HIGH)],
            "peer": [(0, 2, CLOSE), (3, 4, RAISED), (5, 5, HIGH), (6, 10, VERY_HIGH)],
            "prosocial": [(6, 10, CLOSE), (5, 5, LOWERED), (4, 4, LOW), (0, 3, VERY_LOW)],
            "total": [(0, 11, CLOSE), (12, 15, RAISED), (16, 18, HIGH), (19, 40, VERY_HIGH)],
            "impact": [(0, 0, CLOSE), (1, 1, RAISED), (2, 2, HIGH), (3, 6, VERY_HIGH)],
        },
    },
}
