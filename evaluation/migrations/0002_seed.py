"""Seed data: the province's base-work assessment table (200 points, of which community policing
and registry work carry 50 = 25 %), the ledger catalogue (5 ledger categories; 14 reports in 4
categories) and the inventory of the 97 legacy forms (8 categories, 58 kinds) with their fates."""

from django.db import migrations

INDICATORS = [
    # code, name, section, points, metric, rule, target, floor, higher_is_better, deductions
    ("registry-completeness", "基础信息完整率", "社区警务与基础信息", 10, "registry_completeness", "linear", 0.98, 0.8, True,
     [{"kind": "below", "threshold": 0.9, "points": 2}]),
    ("registry-accuracy", "基础信息准确率", "社区警务与基础信息", 10, "registry_accuracy", "linear", 0.98, 0.8, True, []),
    ("registry-freshness", "基础信息鲜活率", "社区警务与基础信息", 10, "registry_freshness", "linear", 0.95, 0.7, True,
     [{"kind": "bottom_n", "n": 1, "points": 2, "levels": ["county", "city"]}]),
    ("checkin-compliance", "社区民警驻区打卡达标率", "社区警务与基础信息", 10, "checkin_compliance", "linear", 0.9, 0.5, True,
     [{"kind": "bottom_n", "n": 2, "points": 1, "levels": ["station"]}]),
    ("household-heads", "治安户长履职率", "社区警务与基础信息", 5, "household_head_activity", "linear", 0.8, 0.4, True, []),
    ("eight-nos", "“八无”社区占比", "社区警务与基础信息", 5, "eight_nos_share", "all_or_nothing", 0.6, 0.0, True, []),
    ("police-share", "派出所警力占比", "基础工作", 40, "police_share", "linear", 0.4, 0.2, True,
     [{"kind": "below", "threshold": 0.3, "points": 5, "levels": ["county", "city"]}]),
    ("dispute-resolution", "矛盾纠纷化解率", "基础工作", 40, "dispute_resolution", "linear", 0.95, 0.7, True, []),
    ("dispute-escalations", "矛盾纠纷升级率", "基础工作", 20, "dispute_escalations", "linear", 0.0, 0.05, False, []),
    ("inspection-coverage", "重点场所检查覆盖率", "基础工作", 30, "inspection_coverage", "linear", 0.9, 0.5, True, []),
    ("award-share", "派出所民警受表彰占比", "基础工作", 20, "award_share", "linear", 0.3, 0.1, True, []),
]

LEDGER_CATEGORIES = [
    # code, name, group, definitions [(code, name, generator)]
    ("population", "人口管理台账", "ledger", [("population-ledger", "实有人口台账", "population_flow")]),
    ("venues", "场所检查台账", "ledger", [("venue-inspection-ledger", "重点场所检查台账", "key_venue_inspections")]),
    ("disputes", "矛盾纠纷台账", "ledger", [("dispute-ledger", "矛盾纠纷排查化解台账", "disputes")]),
    ("community", "社区警务台账", "ledger", [("checkin-ledger", "社区民警打卡台账", "checkins")]),
    ("prevention", "群防群治台账", "ledger", [("household-head-ledger", "治安户长工作台账", "household_heads")]),
    ("force-reports", "队伍建设统计", "report", [
        ("police-strength-report", "警力配置统计表", "police_strength"),
        ("training-report", "民警培训统计表", "training"),
        ("award-report", "表彰奖励统计表", "awards"),
        ("room-report", "警务室建设统计表", "rooms"),
    ]),
    ("registry-reports", "基础信息统计", "report", [
        ("quality-report", "基础信息质量统计表", "registry_quality"),
        ("population-flow-report", "人口流入流出统计表", "population_flow"),
        ("inspection-report", "重点场所检查统计表", "key_venue_inspections"),
        ("unit-report", "实有单位统计表", "registry_units"),
    ]),
    ("sentiment-reports", "民情民意统计", "report", [
        ("visit-report", "走访情况统计表", "visits"),
        ("sentiment-report", "民情报告统计表", "sentiment"),
        ("dispute-report", "矛盾纠纷统计表", "disputes"),
    ]),
    ("community-reports", "社区治理统计", "report", [
        ("eight-nos-report", "“八无”社区创建统计表", "eight_nos"),
        ("prevention-report", "群防群治活动统计表", "mass_prevention"),
        ("checkin-report", "社区民警打卡统计表", "checkins"),
    ]),
]

LEGACY_CATEGORIES = [
    ("人口管理类", "population-ledger"), ("治安管理类", "venue-inspection-ledger"), ("矛盾纠纷类", "dispute-ledger"),
    ("社区警务类", "checkin-ledger"), ("群防群治类", "household-head-ledger"), ("队伍管理类", "police-strength-report"),
    ("基础信息类", "quality-report"), ("综合统计类", "sentiment-report"),
]
KINDS_PER_CATEGORY = [8, 8, 7, 7, 7, 7, 7, 7]  # 58 kinds
KIND_WORDS = ["登记", "检查", "排查", "走访", "统计", "报告", "记录", "考核"]


def seed(apps, schema_editor):
    Table = apps.get_model("evaluation", "AssessmentTable")
    Indicator = apps.get_model("evaluation", "Indicator")
    Category = apps.get_model("evaluation", "LedgerCategory")
    Definition = apps.get_model("evaluation", "LedgerDefinition")
    LegacyForm = apps.get_model("evaluation", "LegacyForm")

    table = Table.objects.create(code="base-work", name="基础工作考核表（一表考）", total_points=200)
    for order, (code, name, section, points, metric, rule, target, floor, up, deductions) in enumerate(INDICATORS):
        Indicator.objects.create(
            table=table, code=code, name=name, section=section, points=points, metric=metric, rule=rule,
            target=target, floor=floor, higher_is_better=up, deductions=deductions, order=order,
        )
    definitions = {}
    for order, (code, name, group, defs) in enumerate(LEDGER_CATEGORIES):
        category = Category.objects.create(code=code, name=name, group=group, order=order)
        for d_order, (d_code, d_name, generator) in enumerate(defs):
            definitions[d_code] = Definition.objects.create(
                category=category, code=d_code, name=d_name, generator=generator, order=d_order
            )
    number = 0
    kind_index = 0
    for (category, target), n_kinds in zip(LEGACY_CATEGORIES, KINDS_PER_CATEGORY, strict=True):
        short = category[:-1]
        for k in range(n_kinds):
            kind = f"{short}{KIND_WORDS[k % len(KIND_WORDS)]}类"
            forms = 2 if kind_index < 39 else 1  # 39 kinds with two forms, 19 with one: 97 forms
            for f in range(forms):
                number += 1
                if f == 0:
                    fate = ("generated", "merged", "retired")[kind_index % 3]
                else:
                    fate = "kept" if number % 5 == 0 else "retired"
                LegacyForm.objects.create(
                    number=number, category=category, kind=kind,
                    name=f"{short}{KIND_WORDS[k % len(KIND_WORDS)]}表（{f + 1}）",
                    fate=fate, replaced_by=definitions[target] if fate in ("generated", "merged") else None,
                )
            kind_index += 1


def unseed(apps, schema_editor):
    for name in ("LegacyForm", "Indicator", "AssessmentTable", "LedgerDefinition", "LedgerCategory"):
        apps.get_model("evaluation", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
