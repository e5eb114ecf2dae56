"""British formats as GOV.UK writes dates (FORMAT_MODULE_PATH): `{{ day|date }}` reads
"3 June 2020", `{{ moment|time }}` "2:05p.m." and `{{ moment|date:"DATETIME_FORMAT" }}`
"3 June 2020 14:05". Django's own en_GB formats cover the rest."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "g:ia"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "j M Y"
