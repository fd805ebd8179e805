"""Beat's part in the fault test: queue the scheduled sweeps through the broker, every few seconds.

    python -m tests.faults.sweeper --every 5 --older-than 10     # until SIGTERM
    python -m tests.faults.sweeper --once --older-than 0         # one round

Like beat, it only publishes; a broker that is down makes a round fail, and the next round tries again.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stord_bolig.settings")
django.setup()

from stord_bolig.tasks import letter_requeue_task  # noqa: E402
from tenancies.tasks import reminder_sweep_task  # noqa: E402

logger = logging.getLogger("faults.sweeper")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=float, default=5)
    parser.add_argument("--older-than", type=int, default=10)
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args()
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        try:
            letter_requeue_task.delay(older_than_seconds=args.older_than)
            reminder_sweep_task.delay()
            print("round queued", flush=True)
        except Exception as exc:  # noqa: BLE001 - beat logs and tries at the next tick
            print(f"round failed: {type(exc).__name__}: {exc}", flush=True)
            if args.once:
                return 1
        if args.once:
            return 0
        time.sleep(args.every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
