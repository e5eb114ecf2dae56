"""How many quarters the dataset pages show: the quarters the picker offers, and the length
of a trend. The worker keeps every quarter these reach stored (dataset/live.py)."""

QUARTERS_OFFERED = 12
TREND_LENGTH = 8
