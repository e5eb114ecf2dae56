import csv
import json

from django.core.management.base import BaseCommand, CommandError

from dataset.computation import compute
from neglect_portal.quarters import Quarter

CSV_HEADER = ["quarter", "start", "end", "code", "numerator", "denominator", "value"]


class Command(BaseCommand):
    help = (
        "Print the computed indicators for a quarter (shared/kpi-definitions.md: those from "
        "case records and CONFIDENCE_CHANGE) as JSON or CSV, computed live from the records."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quarter", required=True, help="The financial quarter, written like 2024-25-Q1."
        )
        parser.add_argument(
            "--format",
            choices=["json", "csv"],
            default="json",
            dest="output_format",
            help="json (default) or csv.",
        )

    def handle(self, *args, quarter, output_format, **options):
        try:
            period = Quarter.parse(quarter)
        except ValueError as error:
            raise CommandError(str(error)) from None
        figures = compute(period)
        if output_format == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "quarter": period.label,
                        "start": period.start.isoformat(),
                        "end": period.end.isoformat(),
                        "indicators": {code: figure.as_json() for code, figure in figures.items()},
                    },
                    indent=2,
                )
            )
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for code, figure in figures.items():
            # Empty cells for the nulls, as the JSON has them.
            row = figure.as_json()
            writer.writerow(
                [
                    period.label,
                    period.start.isoformat(),
                    period.end.isoformat(),
                    code,
                    row["numerator"],
                    "" if row["denominator"] is None else row["denominator"],
                    "" if row["value"] is None else row["value"],
                ]
            )
