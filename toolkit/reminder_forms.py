from neglect_portal.forms import GovukModelForm

from .models import ReminderSettings


class ReminderSettingsForm(GovukModelForm):
    submit_label = "Save"

    class Meta:
        model = ReminderSettings
        fields = ["digest"]
        help_texts = {
            "digest": "Counts of your tasks and a link to this portal, sent when something is "
            "overdue or new. It never names a child."
        }
