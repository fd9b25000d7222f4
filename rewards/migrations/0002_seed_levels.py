import datetime as dt

from django.db import migrations

LEVELS = [
    ("first-class-merit", "First-class merit", 10),
    ("second-class-merit", "Second-class merit", 20),
    ("third-class-merit", "Third-class merit", 30),
    ("commendation", "Commendation", 40),
    ("provincial-commendation", "Provincial commendation", 50),
]
RULES = [
    ("joint_patrol", 5),
    ("information", 10),
    ("dispute_help", 8),
    ("legal_publicity", 3),
    ("traffic", 3),
    ("epidemic", 6),
]


def seed(apps, schema_editor):
    AwardLevel = apps.get_model("rewards", "AwardLevel")
    PointRule = apps.get_model("rewards", "PointRule")
    for code, name, rank in LEVELS:
        AwardLevel.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})
    for kind, points in RULES:
        if not PointRule.objects.filter(kind=kind).exists():
            PointRule.objects.create(kind=kind, points=points, effective_from=dt.date(2000, 1, 1))


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
