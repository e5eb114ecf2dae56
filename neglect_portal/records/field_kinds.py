"""Kinds of model field, by `Field.get_internal_type()`, for code that writes SQL values of
its own (a UNION's typed columns, COPY's text format)."""

INTEGER_FIELDS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)
