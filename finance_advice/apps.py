from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceAdviceConfig(AppConfig):
    name = "finance_advice"
    verbose_name = _("Financial advice")
