"""One hand-written PostgreSQL query per indicator dataset/computation.py computes from records.

What an analyst would write straight against the tables from shared/kpi-definitions.md, one
pass each, for bench/kpis.py to time the ORM against. Each returns one row, (numerator,
denominator): for a count or a mean, (what was counted, NULL). The parameters are the
quarter's first and last days, `start` and `end`; dates relative to them or to each row use
PostgreSQL's interval arithmetic, which follows relativedelta (29 February less a year is
28 February). tests/dataset/test_hand_written_sql.py checks every query gives the ORM's
figures, and that every computed indicator has one here.
"""

# The queries are put together from this module's own constants; the quarter's dates are
# parameters.
# ruff: noqa: S608

from django.db import connection

from neglect_portal.quarters import Quarter

# Plans open at the end of a day: started on or before it, not ended by it.
_OPEN_AT_END = "{p}.start_date <= {day} AND ({p}.end_date IS NULL OR {p}.end_date > {day})"


def _open(alias: str, day: str = "%(end)s") -> str:
    return _OPEN_AT_END.format(p=alias, day=day)


# A neglect CIN plan: its episode has an assessment with factor 16A.
_NEGLECT_EPISODE = """EXISTS (SELECT 1 FROM cases_assessment a
                      WHERE a.referral_id = {p}.referral_id AND a.neglect_identified)"""

# Children with a mandatory tool completed within the six months up to E, or reopened since
# and completed then before the reopening (toolkit.status.counted_completion_within).
_COUNTED = """SELECT child_id FROM {table}
        WHERE (status = 'completed'
               AND completed_on > CAST(%(end)s - INTERVAL '6 months' AS date)
               AND completed_on <= %(end)s)
           OR (previous_completed_on > CAST(%(end)s - INTERVAL '6 months' AS date)
               AND previous_completed_on <= %(end)s)"""

_COMPLETED_IN_QUARTER = "status = 'completed' AND completed_on BETWEEN %(start)s AND %(end)s"

_OVERSEEN = """SELECT COUNT(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM toolkit_oversight o
                   WHERE o.tool_kind = '{kind}' AND o.tool_id = t.id
                     AND o.tool_version = t.version AND o.recorded_on <= %(end)s)) AS numerator,
               COUNT(*) AS denominator
        FROM {table} t
        WHERE t.status = 'completed' AND t.completed_on BETWEEN %(start)s AND %(end)s"""


HAND_WRITTEN: dict[str, str] = {
    "CP_NEGLECT_SHARE": f"""
        SELECT COUNT(DISTINCT child_id) FILTER (WHERE latest_category = 'NEG'),
               COUNT(DISTINCT child_id)
        FROM cases_childprotectionplan p
        WHERE {_open("p")}
    """,
    "CIN_NEGLECT_OVER_12M": f"""
        SELECT COUNT(DISTINCT p.child_id)
                   FILTER (WHERE p.start_date < CAST(%(end)s - INTERVAL '12 months' AS date)),
               COUNT(DISTINCT p.child_id)
        FROM cases_childinneedplan p
        WHERE {_open("p")} AND {_NEGLECT_EPISODE.format(p="p")}
    """,
    "CP_NEGLECT_REPEAT_3Y": """
        SELECT COUNT(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM cases_childprotectionplan o
                   WHERE o.child_id = p.child_id AND o.id <> p.id
                     AND o.end_date BETWEEN CAST(p.start_date - INTERVAL '3 years' AS date)
                                        AND p.start_date)),
               COUNT(*)
        FROM cases_childprotectionplan p
        WHERE p.start_date BETWEEN %(start)s AND %(end)s AND p.initial_category = 'NEG'
    """,
    "CP_SECOND_OR_SUBSEQUENT": """
        SELECT COUNT(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM cases_childprotectionplan o
                   WHERE o.child_id = p.child_id AND o.start_date < p.start_date)),
               COUNT(*)
        FROM cases_childprotectionplan p
        WHERE p.start_date BETWEEN %(start)s AND %(end)s
    """,
    "CP_OPEN_15M": f"""
        SELECT COUNT(DISTINCT child_id)
                   FILTER (WHERE start_date <= CAST(%(end)s - INTERVAL '15 months' AS date)),
               COUNT(DISTINCT child_id)
        FROM cases_childprotectionplan p
        WHERE {_open("p")}
    """,
    "CP_ENDED_2Y": """
        SELECT COUNT(*) FILTER (WHERE end_date >= CAST(start_date + INTERVAL '2 years' AS date)),
               COUNT(*)
        FROM cases_childprotectionplan
        WHERE end_date BETWEEN %(start)s AND %(end)s
    """,
    "REFERRALS_NEGLECT": """
        SELECT COUNT(*) FILTER (WHERE neglect_presenting), COUNT(*)
        FROM cases_referral
        WHERE referral_date BETWEEN %(start)s AND %(end)s
    """,
    "REREFERRALS_12M": """
        SELECT COUNT(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM cases_referral o
                   WHERE o.child_id = r.child_id AND o.referral_date < r.referral_date
                     AND o.referral_date >= CAST(r.referral_date - INTERVAL '12 months' AS date))),
               COUNT(*)
        FROM cases_referral r
        WHERE r.referral_date BETWEEN %(start)s AND %(end)s
    """,
    "ASSESSMENTS_NEGLECT": """
        SELECT COUNT(*) FILTER (WHERE neglect_identified), COUNT(*)
        FROM cases_assessment
        WHERE authorised_date BETWEEN %(start)s AND %(end)s
    """,
    "TOOLKIT_CHILDREN": f"""
        SELECT COUNT(*), NULL
        FROM (SELECT child_id FROM toolkit_dayinmylife WHERE {_COMPLETED_IN_QUARTER}
              UNION SELECT child_id FROM toolkit_assessmentchecklist WHERE {_COMPLETED_IN_QUARTER}
              UNION SELECT child_id FROM toolkit_parentchildobservation
                    WHERE {_COMPLETED_IN_QUARTER}
              UNION SELECT child_id FROM toolkit_sdq WHERE {_COMPLETED_IN_QUARTER}
              UNION SELECT child_id FROM toolkit_nextsteps WHERE {_COMPLETED_IN_QUARTER}) c
    """,
    "TOOLKIT_MANDATORY_COMPLETE": f"""
        WITH on_neglect_plan AS (
            SELECT child_id FROM cases_childprotectionplan p
            WHERE {_open("p")} AND p.latest_category = 'NEG'
            UNION
            SELECT child_id FROM cases_childinneedplan p
            WHERE {_open("p")} AND {_NEGLECT_EPISODE.format(p="p")}
        )
        SELECT COUNT(*) FILTER (WHERE
                   child_id IN (SELECT c.child_id FROM toolkit_chronology c
                                JOIN toolkit_chronologyentry e ON e.chronology_id = c.id
                                WHERE e.recorded_on > CAST(%(end)s - INTERVAL '6 months' AS date)
                                  AND e.recorded_on <= %(end)s
                                UNION
                                SELECT child_id FROM toolkit_chronology
                                WHERE reviewed_on > CAST(%(end)s - INTERVAL '6 months' AS date)
                                  AND reviewed_on <= %(end)s)
                   AND child_id IN ({_COUNTED.format(table="toolkit_dayinmylife")})
                   AND child_id IN ({_COUNTED.format(table="toolkit_assessmentchecklist")})
                   AND child_id IN ({_COUNTED.format(table="toolkit_parentchildobservation")})),
               COUNT(*)
        FROM on_neglect_plan o
    """,
    "CHRONOLOGY_ENTRIES_WEEKLY": """
        SELECT COUNT(*), NULL
        FROM toolkit_chronologyentry
        WHERE recorded_on BETWEEN %(start)s AND %(end)s
    """,
    "SDQ_COMPLETED": f"""
        SELECT COUNT(*), NULL FROM toolkit_sdq WHERE {_COMPLETED_IN_QUARTER}
    """,
    "SDQ_RAISED": f"""
        SELECT COUNT(*) FILTER (WHERE total_band IN ('High', 'Very high')), COUNT(*)
        FROM toolkit_sdq
        WHERE {_COMPLETED_IN_QUARTER} AND total_difficulties IS NOT NULL
    """,
    # Overdue: no review by E and over 3 months since the start, or over 6 months since the
    # latest review by E.
    "CP_REVIEW_OVERDUE": f"""
        SELECT COUNT(DISTINCT p.child_id) FILTER (WHERE
                   CASE WHEN r.latest IS NULL
                        THEN CAST(p.start_date + INTERVAL '3 months' AS date) < %(end)s
                        ELSE CAST(r.latest + INTERVAL '6 months' AS date) < %(end)s END),
               COUNT(DISTINCT p.child_id)
        FROM cases_childprotectionplan p
        CROSS JOIN LATERAL (SELECT MAX(review_date) AS latest FROM cases_cpreview
                            WHERE plan_id = p.id AND review_date <= %(end)s) r
        WHERE {_open("p")} AND p.start_date <= CAST(%(end)s - INTERVAL '3 months' AS date)
    """,
    "NEXT_STEPS_OVERDUE": """
        SELECT COUNT(*) FILTER (WHERE s.due_on < %(end)s), COUNT(*)
        FROM toolkit_nextstep s
        JOIN toolkit_nextsteps a ON a.id = s.analysis_id
        WHERE a.status = 'completed' AND a.completed_on <= %(end)s
          AND (s.done_on IS NULL OR s.done_on > %(end)s)
          AND (s.closed_on IS NULL OR s.closed_on > %(end)s)
    """,
    # A change of worker is an allocation begun in (E - 12 months, E] after another of the
    # child's (the same day: a lower id).
    "WORKER_CHANGES_12M": f"""
        WITH on_plan AS (
            SELECT child_id FROM cases_childprotectionplan p WHERE {_open("p")}
            UNION
            SELECT child_id FROM cases_childinneedplan p WHERE {_open("p")}
        ),
        changed_often AS (
            SELECT a.child_id
            FROM cases_allocation a
            WHERE a.started_on > CAST(%(end)s - INTERVAL '12 months' AS date)
              AND a.started_on <= %(end)s
              AND EXISTS (SELECT 1 FROM cases_allocation f
                          WHERE f.child_id = a.child_id
                            AND (f.started_on, f.id) < (a.started_on, a.id))
            GROUP BY a.child_id
            HAVING COUNT(*) >= 3
        )
        SELECT COUNT(*) FILTER (WHERE o.child_id IN (SELECT child_id FROM changed_often)),
               COUNT(*)
        FROM on_plan o
    """,
    # Reviews of children on a neglect plan on the review date, informed by each of the four
    # mandatory tools as completed within the six months up to that date.
    "TOOLS_INFORMED_REVIEW": f"""
        SELECT COUNT(*) FILTER (WHERE (
                   SELECT COUNT(DISTINCT t.tool_kind) FROM toolkit_toolinformed t
                   WHERE t.cp_review_id = r.id
                     AND t.tool_kind IN ('chronology', 'day', 'checklist', 'observation')
                     AND t.completed_on > CAST(r.review_date - INTERVAL '6 months' AS date)
                     AND t.completed_on <= r.review_date) = 4),
               COUNT(*)
        FROM cases_cpreview r
        JOIN cases_childprotectionplan p ON p.id = r.plan_id
        WHERE r.review_date BETWEEN %(start)s AND %(end)s
          AND (EXISTS (SELECT 1 FROM cases_childprotectionplan n
                       WHERE n.child_id = p.child_id AND n.latest_category = 'NEG'
                         AND {_open("n", "r.review_date")})
               OR EXISTS (SELECT 1 FROM cases_childinneedplan c
                          WHERE c.child_id = p.child_id AND {_open("c", "r.review_date")}
                            AND {_NEGLECT_EPISODE.format(p="c")}))
    """,
    "VOICE_KNOWS_PLAN": """
        SELECT COUNT(*) FILTER (WHERE knows_plan = 'yes'), COUNT(*)
        FROM cases_cpreview
        WHERE review_date BETWEEN %(start)s AND %(end)s AND knows_plan IN ('yes', 'no')
    """,
    "VOICE_SAFETY_PLANNING": """
        SELECT COUNT(*) FILTER (WHERE took_part_in_safety_planning = 'yes'), COUNT(*)
        FROM cases_cpreview
        WHERE review_date BETWEEN %(start)s AND %(end)s
          AND took_part_in_safety_planning IN ('yes', 'no')
    """,
    "MANAGER_OVERSIGHT": f"""
        SELECT CAST(SUM(numerator) AS integer), CAST(SUM(denominator) AS integer)
        FROM ({_OVERSEEN.format(kind="day", table="toolkit_dayinmylife")}
              UNION ALL
              {_OVERSEEN.format(kind="checklist", table="toolkit_assessmentchecklist")}
              UNION ALL
              {_OVERSEEN.format(kind="observation", table="toolkit_parentchildobservation")}) k
    """,
    # Moderated S..E by the local (London) day.
    "AUDIT_GOOD_OR_BETTER": """
        SELECT COUNT(*) FILTER (WHERE j.grade IN ('outstanding', 'good')), COUNT(*)
        FROM dataset_auditjudgement j
        JOIN dataset_auditsample s ON s.id = j.sample_id
        WHERE s.status = 'moderated'
          AND s.moderated_at >= CAST(%(start)s AS timestamp) AT TIME ZONE 'Europe/London'
          AND s.moderated_at < CAST(%(end)s + 1 AS timestamp) AT TIME ZONE 'Europe/London'
          AND j.grade <> ''
    """,
}


def hand_written(code: str, quarter: Quarter) -> tuple[int, int | None]:
    """(numerator, denominator) of `code` for `quarter` by its hand-written query."""
    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN[code], {"start": quarter.start, "end": quarter.end})
        return tuple(cursor.fetchone())
