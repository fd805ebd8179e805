import pytest
from stord_bolig.models import Letter
from tests.cases.conftest import make_ready, decide, pdf_text, register
from cases import services
import datetime as dt

pytestmark = pytest.mark.django_db

def test_x(caseworker, django_capture_on_commit_callbacks):
    app = make_ready(caseworker, preferred_language="nb")
    with django_capture_on_commit_callbacks(execute=True):
        decide(app, caseworker, outcome="refused", home_description="2-roms", lease_years=3)
    letter = Letter.objects.get()
    print(letter.status, letter.error)
    print(pdf_text(letter.pdf.read()))
    app2 = register(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        services.preliminary_reply_send(application=app2, reason="Vi ventar på legeerklæring.", expected=dt.date(2027,1,15), by=caseworker)
        services.advance_notice_send(application=app2, planned="Avslag på søknaden.", reply_by=dt.date(2026,12,9), by=caseworker)
    for l in Letter.objects.filter(case_ref=app2.ref):
        print(pdf_text(l.pdf.read()))
