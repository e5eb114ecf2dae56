"""A model field holding a financial quarter."""

from django.core.exceptions import ValidationError
from django.db import models

from neglect_portal.quarters import Quarter


class QuarterField(models.CharField):
    """A `Quarter`, stored as its slug ("2024-25-Q1"): readable in the database, and with
    four-digit years the slugs sort in date order."""

    description = "A financial quarter"
    # What django-stubs reads as the field's Python types: set with a Quarter or a slug.
    _pyi_private_set_type: Quarter | str
    _pyi_private_get_type: Quarter

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return None if value is None else Quarter.parse(value)

    def to_python(self, value):
        if value is None or isinstance(value, Quarter):
            return value
        try:
            return Quarter.parse(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None

    def run_validators(self, value):
        # CharField's validators (max length) read the stored text, not the Quarter.
        super().run_validators(value.slug if isinstance(value, Quarter) else value)

    def get_prep_value(self, value):
        value = self.to_python(value)
        return None if value is None else value.slug

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else value.slug
