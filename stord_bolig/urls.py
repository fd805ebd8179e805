from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

admin.site.site_header = "Stord bolig"
admin.site.site_title = "Stord bolig"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("login/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("letters/<int:pk>/", views.letter_download, name="letter-download"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("_bare/", views.bench_bare, name="bench-bare"),
    path("_bare/page/", views.bench_chrome, name="bench-chrome"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("cases/", include("cases.urls")),
    path("allocation/", include("allocation.urls")),
    path("tenancies/", include("tenancies.urls")),
    path("finance/", include("finance_advice.urls")),
    path("reports/", include("reports.urls")),
]

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

handler403 = "stord_bolig.views.permission_denied"
