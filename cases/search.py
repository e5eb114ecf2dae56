"""The children list's search and filters, kept in the session so no personal data is in URLs."""

import re
from datetime import date

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property

from neglect_portal.dates import today
from neglect_portal.forms import GovukForm
from neglect_portal.models import Agency

from .models import Involvement
from .selectors import children_flagged

SESSION_KEY = "child_search"
# Beyond this many children a list says "more than 1,000": an exact count of a partner's or a
# broad search's children means reading every matching row, the slowest part of the page.
COUNT_CAP = 1000
# ASCII digits, as in every date the portal reads (`\d` would take other scripts' digits).
_DATE = re.compile(r"^\s*([0-9]{1,2})[/\-. ]([0-9]{1,2})[/\-. ]([0-9]{4})\s*$")


class ChildSearchForm(GovukForm):
    submit_label = "Search"
    query = forms.CharField(
        label="Name, LA child ID or date of birth",
        required=False,
        max_length=100,
        help_text="For a date of birth use day/month/year, for example 27/3/2018",
        error_messages={
            "max_length": "Name, LA child ID or date of birth must be 100 characters or fewer",
        },
    )
    on_cp_plan = forms.BooleanField(label="On a child protection plan", required=False)
    on_cin_plan = forms.BooleanField(label="On a child in need plan", required=False)
    on_neglect_plan = forms.BooleanField(label="On a neglect plan", required=False)
    agency = forms.ModelChoiceField(
        label="Agency involved",
        queryset=Agency.objects.filter(active=True),
        required=False,
        empty_label="Any agency",
    )

    @classmethod
    def from_session(cls, request):
        data = request.session.get(SESSION_KEY)
        return cls(data) if data else cls()

    def save_to_session(self, request):
        if self.is_bound and self.is_valid():
            data = {k: v for k, v in self.data.items() if k in self.fields}
            request.session[SESSION_KEY] = data
        else:
            request.session.pop(SESSION_KEY, None)

    @property
    def active(self):
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

    def described(self) -> str:
        """The search as the access log keeps it: which kinds of term were used, never the
        words typed, because a name or date of birth typed here is itself a child's personal
        data and the log must not become a second copy of it."""
        criteria = self.cleaned_data
        terms = []
        if criteria["query"]:
            terms.append("date of birth" if _as_date(criteria["query"]) else "name or LA child ID")
        terms += [
            str(self.fields[name].label).lower()
            for name in ("on_cp_plan", "on_cin_plan", "on_neglect_plan")
            if criteria[name]
        ]
        if criteria["agency"]:
            terms.append(f"agency involved: {criteria['agency']}")
        return "Children search: " + ", ".join(terms)


def _as_date(text):
    match = _DATE.match(text)
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def apply_search(children, criteria):
    query = (criteria.get("query") or "").strip()
    if query:
        born = _as_date(query)
        if born:
            children = children.filter(date_of_birth=born)
        else:
            words = query.split()
            if len(words) == 1:
                names = Q(given_name__istartswith=query) | Q(family_name__istartswith=query)
            else:  # "Amy Smith" means both names, not either
                names = Q(given_name__istartswith=words[0], family_name__istartswith=words[-1])
            condition = Q(la_child_id__iexact=query) | names
            children = children.filter(condition)
    flagged = children_flagged(on=today())
    for name, condition in flagged.items():
        if criteria.get(name):
            children = children.filter(condition)
    if criteria.get("agency"):
        involved = Involvement.objects.open_on(today()).filter(agency=criteria["agency"])
        children = children.filter(pk__in=involved.values("child_id"))
    return children


class CappedPaginator(Paginator):
    """Pages of a list whose count stops at `cap` rows past the start of the page asked for.

    The count reads at most that many rows (a LIMITed subquery), so the planner stops early
    however many children match; `capped` says the list goes on. Counting from the page's
    start, not from the top, keeps every later page reachable: each page's numbers reach
    `cap` rows further on, and a page past the end falls back to the last page found.
    """

    def __init__(self, object_list, per_page: int, *, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap
        self.limit = self.cap + 1

    def get_page(self, number):
        try:
            # Bounded so that a made-up page number cannot overflow the database's LIMIT.
            start = (min(max(int(number), 1), 10**9) - 1) * self.per_page
        except (TypeError, ValueError):
            start = 0
        self.limit = start + max(self.cap, self.per_page) + 1
        return super().get_page(number)

    @cached_property
    def count(self) -> int:
        # Unordered: any `limit` rows answer "are there more than cap?" without sorting them.
        return self.object_list.order_by()[: self.limit].count()

    @property
    def capped(self) -> bool:
        return self.count >= self.limit

    @property
    def at_least(self) -> int:
        """How many rows the list is known to go beyond when capped."""
        return self.limit - 1
