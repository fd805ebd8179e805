from django.core.management.base import BaseCommand, CommandError

from reports.world import SCALES, generate_world


class Command(BaseCommand):
    help = "Fill an EMPTY database with a deterministic synthetic world (stord, oslo or national scale)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="stord")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, scale, seed, **options):
        try:
            result = generate_world(scale, seed=seed, log=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result['counts']} in {sum(result['seconds'].values()):.1f} s")
