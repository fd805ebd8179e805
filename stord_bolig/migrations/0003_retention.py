"""The retention job: its run records, the access log's one allowed UPDATE, and its nightly schedule."""

import json

import django.utils.timezone
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


SCHEDULE = ("Nightly retention run", "stord_bolig.tasks.retention_run_task", "3", "30")


def schedule_create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    name, task, hour, minute = SCHEDULE
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/Oslo"
    )
    PeriodicTask.objects.get_or_create(
        name=name, defaults={"task": task, "crontab": crontab, "kwargs": json.dumps({}), "enabled": True}
    )


def schedule_remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=SCHEDULE[0]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('stord_bolig', '0002_role_groups'),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name='RetentionRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='started')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('status', models.CharField(choices=[('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='running', max_length=10, verbose_name='status')),
                ('trigger', models.CharField(choices=[('schedule', 'Schedule'), ('command', 'Command')], max_length=10, verbose_name='started by')),
                ('run_by', models.CharField(blank=True, max_length=150, verbose_name='run by')),
                ('today', models.DateField(verbose_name='as of')),
                ('case_cutoff', models.DateField(verbose_name='cases concluded before')),
                ('log_cutoff', models.DateField(verbose_name='access-log rows before')),
                ('households', models.PositiveIntegerField(default=0, verbose_name='households anonymised')),
                ('access_log_rows', models.PositiveIntegerField(default=0, verbose_name='access-log rows anonymised')),
                ('counts', models.JSONField(blank=True, default=dict, verbose_name='counts')),
            ],
            options={
                'verbose_name': 'retention run',
                'verbose_name_plural': 'retention runs',
                'ordering': ['-started_at', '-id'],
            },
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='accesslog',
            name='access_log_append_only',
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accesslog',
            trigger=pgtrigger.compiler.Trigger(name='access_log_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='d7cda8ddc516568a62a8ebb3838a6efa97939ced', operation='DELETE', pgid='pgtrigger_access_log_append_only_a5b1d', table='stord_bolig_accesslog', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accesslog',
            trigger=pgtrigger.compiler.Trigger(name='access_log_only_anonymise', sql=pgtrigger.compiler.UpsertTriggerSql(func='\nIF OLD."at" >= now() - interval \'5 years\'\n   OR (to_jsonb(NEW) - ARRAY[\'user_id\', \'username\', \'person_ref\', \'case_ref\', \'purpose\', \'ip\', \'path\']) IS DISTINCT FROM (to_jsonb(OLD) - ARRAY[\'user_id\', \'username\', \'person_ref\', \'case_ref\', \'purpose\', \'ip\', \'path\'])\n   OR NEW."user_id" IS NOT NULL OR NEW."ip" IS NOT NULL\n   OR NEW."username" <> \'\' OR NEW."person_ref" <> \'\' OR NEW."case_ref" <> \'\'\n   OR NEW."purpose" <> \'\' OR NEW."path" <> \'\'\nTHEN\n    RAISE EXCEPTION \'pgtrigger: rows of % can only be anonymised, after 5 years\', TG_TABLE_NAME;\nEND IF;\nRETURN NEW;\n', hash='3d30ee298e581791302d963355c6807f3bfacb52', operation='UPDATE', pgid='pgtrigger_access_log_only_anonymise_a8689', table='stord_bolig_accesslog', when='BEFORE')),
        ),
        migrations.RunPython(schedule_create, schedule_remove),
    ]
