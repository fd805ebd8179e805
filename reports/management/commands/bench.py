"""`make bench`: benchmarks on a separate database, results in bench/results.json and a table."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from reports import bench


class Command(BaseCommand):
    help = "Run the benchmarks on a separate database (bench_<db>), generating the world on first use."

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="oslo", choices=["tiny", "stord", "oslo", "national"])
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--sweep", default="10000,50000,100000", help="lease counts for the sweep timing")
        parser.add_argument(
            "--import-households", type=int, default=10_000, help="households in the imported document (0: skip)"
        )

    def handle(self, *args, scale, repeat, sweep, import_households, **options):
        settings.DEBUG = False
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        name = f"bench_{scale}"
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name
        # keepdb: the generated world is reused by the next run (delete the database to regenerate).
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
        results = bench.run(
            scale=scale,
            repeat=repeat,
            sweep_sizes=[int(n) for n in sweep.split(",") if n],
            import_households=import_households,
            log=self.stdout.write,
        )
        self.stdout.write("")
        self.stdout.write(
            f"{'page':<22}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'x floor':>9}{'x empty':>9}"
            f"{'db ms':>8}{'db x floor':>11}"
        )
        for page, row in results["pages"].items():
            self.stdout.write(
                f"{page:<22}{row['median_ms']:>10}{row['p95_ms']:>9}{row['queries']:>9}{row['ratio_to_floor']:>9}{row['ratio_to_empty_page']:>9}"
                f"{row['database_ms']:>8}{row['database_ratio_to_floor']:>11}"
            )
        self.stdout.write(f"shortlist (unit page): {results['shortlist']['page']['median_ms']} ms median")
        self.stdout.write(f"letter render: {results['letter_render']['median_ms']} ms median")
        kostra = results["kostra"]
        self.stdout.write(
            f"KOSTRA for a year: {kostra['median_ms']} ms; steering figures for the dashboard (beat, hourly, "
            f"ten years): {kostra['steering_figures_task_10_years']['median_ms']} ms"
        )
        self.stdout.write(
            f"machine speed (1 M multiply-adds in Python): {results['machine_speed_before']['median_ms']} ms before, "
            f"{results['machine_speed_after']['median_ms']} ms after"
        )
        if "import" in results:
            row = results["import"]
            self.stdout.write(
                f"import of {row['households']} households ({row['records']} records): {row['import_s']} s "
                f"({row['records_per_second']} records/s; validation {row['validate_s']} s)"
            )
        for size, row in results["reminder_sweep"].items():
            self.stdout.write(f"sweep {size:>7} leases: {row['steady_run_s']} s (first run {row['first_run_s']} s)")
        self.stdout.write("written to bench/results.json")
