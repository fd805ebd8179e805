"""The kept bedroom need moves from its own table onto the case, inside the waiting list's covering index."""

from django.db import migrations

# What was kept carries over; a case without a kept need gets one at the next shortlist, as before.
COPY = """
UPDATE cases_application a
SET bedroom_need = b.need, need_computed_on = b.computed_on, need_valid_until = b.valid_until
FROM allocation_bedroomneed b
WHERE b.application_id = a.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0004_waiting_time_estimates"),
        ("cases", "0008_bedroom_need_on_the_case"),
    ]

    operations = [
        migrations.RunSQL(COPY, reverse_sql=migrations.RunSQL.noop),
        migrations.DeleteModel(name="BedroomNeed"),
    ]
