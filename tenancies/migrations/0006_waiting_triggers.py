from django.db import migrations

from tenancies.waiting_sql import FUNCTION, REFRESH_ALL, REVERSE


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_waiting_columns"),
        ("tenancies", "0005_kostra_indexes"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, REVERSE),
        migrations.RunSQL(REFRESH_ALL, migrations.RunSQL.noop),
    ]
