"""Rebuild every child's stored tool dates (toolkit/tool_dates.py) from their tools.

Saving or deleting a tool keeps them up to date; this is for records written without saving
each one (fixtures loaded, rows changed by hand in the database).
"""

from django.core.management.base import BaseCommand

from toolkit.tool_dates import rebuild


class Command(BaseCommand):
    help = "Rewrite each child's latest completion of every mandatory tool from the tools."

    def handle(self, *args, **options):
        children = rebuild()
        self.stdout.write(f"Rewrote the tool dates of {children:,} children.")
