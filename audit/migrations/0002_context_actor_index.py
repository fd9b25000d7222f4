from django.db import migrations

# An auditor below the province sees the changes made by the users of their unit: the change-events
# page and export look contexts up by the user in their metadata (audit/selectors.py, ``_contexts``:
# ``CAST(metadata ->> 'user' AS bigint)``). Without this index that is a scan of every context (one
# per request or task that wrote) on each page view.
INDEX = "audit_context_actor"


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), ("pghistory", "0007_auto_20250421_0444")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON pghistory_context (((metadata ->> 'user')::bigint))",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
