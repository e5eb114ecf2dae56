import csv
import json

from django.core.management.base import BaseCommand, CommandError

from dataset import targets
from dataset.computation import Figure, compute
from dataset.selectors import live_partner_figures
from neglect_portal.quarters import Quarter

CSV_HEADER = ["quarter", "start", "end", "code", "numerator", "denominator", "value"]


def _against_target(figure: Figure, book: targets.TargetBook, period: Quarter) -> dict:
    """ "target" (the target in force for the quarter) and "target_met"; null when none."""
    found = book.in_force(figure.code, period)
    if found is None:
        return {"target": None, "target_met": None}
    met = targets.target_met(targets.indicator_for(figure.code), figure.value, found.value)
    return {"target": float(found.value), "target_met": met}


class Command(BaseCommand):
    help = (
        "Print the computed indicators for a quarter (shared/kpi-definitions.md: those from "
        "case records and CONFIDENCE_CHANGE) as JSON or CSV, computed live from the records, "
        'then the agencies\' own active indicators as submitted ("submitted": false, every '
        "number empty, when not)."
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
        figures.update(live_partner_figures(period))
        if output_format == "json":
            book = targets.target_book(codes=list(figures), up_to=period)
            self.stdout.write(
                json.dumps(
                    {
                        "quarter": period.label,
                        "start": period.start.isoformat(),
                        "end": period.end.isoformat(),
                        "indicators": {
                            code: {**figure.as_json(), **_against_target(figure, book, period)}
                            for code, figure in figures.items()
                        },
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
                    # Not submitted: every cell empty, never a 0.
                    "" if row["numerator"] is None else row["numerator"],
                    "" if row["denominator"] is None else row["denominator"],
                    "" if row["value"] is None else row["value"],
                ]
            )
