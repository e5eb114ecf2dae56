"""British formats as GOV.UK writes them (FORMAT_MODULE_PATH): `{{ day|date }}` reads
"3 June 2020" and `{{ moment|time }}` "2:05pm". Django's own en_GB formats cover the rest."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "g:ia"
DATETIME_FORMAT = "j F Y, g:ia"
SHORT_DATE_FORMAT = "j M Y"
