from django.core.management.base import BaseCommand

from stord_bolig.demo.users import DEMO_PASSWORD, DEMO_USERS, demo_backup_codes, demo_users_ensure


class Command(BaseCommand):
    help = "Print the demo logins, one per role, with fresh single-use two-factor backup codes."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        users = demo_users_ensure()
        lines = [
            "",
            "=" * 78,
            f"  Stord bolig is running: {url}",
            f"  Demo password for every user: {DEMO_PASSWORD}",
            "  Two-factor: type one of the single-use codes below (new codes at every start).",
            "-" * 78,
        ]
        for username, _first, _last, role, _title in DEMO_USERS:
            codes = demo_backup_codes(users[username])
            lines.append(f"  {role:<18} {username:<8} codes: {' '.join(codes)}")
        lines += ["-" * 78, "  Stop with Ctrl-C: the web server, Celery and the embedded databases stop too.", "=" * 78]
        self.stdout.write("\n".join(lines))
