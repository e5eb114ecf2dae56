from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from neglect_portal.demo import DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Load the demo partnership, one sign-in per role and each app's demo data."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo data has well-known passwords and is for development only; "
                "it is never loaded when DEBUG is False."
            )
        users, said = load_demo_data()
        self.stdout.write(self.style.SUCCESS(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):"))
        for user in users:
            role = "Independent Chair" if user.is_chair else user.get_role_display()
            self.stdout.write(f"  {user.username:<15} {role:<22} {user.agency}")
        for line in said:
            self.stdout.write(line)
