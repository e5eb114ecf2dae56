"""Signals the ground layer sends for the apps standing on it to act on."""

from django.dispatch import Signal

# Sent after a user's agency or role changes, or they are deactivated, with `user` and
# `reason` ("moved agency", "changed role", "was deactivated"). Access follows the person: an
# app whose records give a person sight of children (an allocation) ends them here.
person_moved = Signal()

# Sent after records were written in bulk (a census import), which sends no signal per record.
records_imported = Signal()
