"""Calendar-month date arithmetic inside queries, the same on SQLite and PostgreSQL.

The definitions count "12 months before" a referral and "3 years before" a plan's start per
row, with `relativedelta`'s rule that a day past the end of the target month becomes its last
day (29 February 2024 less a year is 28 February 2023). Django has no portable expression for
that: PostgreSQL's interval arithmetic already follows the rule, SQLite's `date()` instead
rolls over into the next month (2023-03-01), so SQLite takes the earlier of that and the target
month's last day, which is exactly the clamped date.
"""

from django.db import NotSupportedError
from django.db.models import DateField, Func


class AddMonths(Func):
    """`expression + relativedelta(months=months)`; `months` may be negative."""

    output_field = DateField()

    def __init__(self, expression, months: int):
        if not isinstance(months, int) or isinstance(months, bool):
            raise TypeError("months must be a whole number")
        self.months = months
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"AddMonths is not written for {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({sql}) + make_interval(months => %s) AS date)", (*params, self.months)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        shift = f"{self.months:+d} months"
        # Two-argument MIN is SQLite's scalar minimum; ISO dates order as text.
        return (
            f"MIN(DATE({sql}, %s), DATE({sql}, 'start of month', %s, '+1 month', '-1 day'))",
            (*params, shift, *params, shift),
        )
