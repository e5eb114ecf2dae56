from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from neglect_portal.demo import DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Load the demo partnership and one sign-in per role (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo data has well-known passwords and is for development only; "
                "it is never loaded when DEBUG is False."
            )
        users = load_demo_data()
        # Action plans need the agencies and users above; like them, loaded only once.
        from actionplans.demo_data import load_action_plan_demo

        plans = load_action_plan_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):"))
        for user in users:
            self.stdout.write(f"  {user.username:<15} {user.get_role_display():<22} {user.agency}")
        if plans:
            self.stdout.write(f"Demo action plans added for {plans} agencies.")
