import datetime as dt

from celery import shared_task
from django.utils import timezone

# Kept steering figures older than this are deleted by the hourly run (only the newest serve the dashboard).
STEERING_FIGURES_KEPT_FOR = dt.timedelta(days=7)


@shared_task(acks_late=True, time_limit=600)
def steering_figures_task() -> int:
    """Compute the last ten years of steering figures, so the dashboard reads them instead of computing them."""
    from .figures import STEERING_FIGURES_YEARS, dashboard_keep
    from .models import SteeringFigures

    year = timezone.localdate().year
    dashboard_keep(year - STEERING_FIGURES_YEARS + 1, year)
    SteeringFigures.objects.filter(computed_at__lt=timezone.now() - STEERING_FIGURES_KEPT_FOR).delete()
    return STEERING_FIGURES_YEARS
