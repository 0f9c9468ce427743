"""Whether a close was forced, and who asked, are kept on each close (CyclePart), not on the cycle.

A cycle closed, or closing, before closes were parts gets the one close of everybody it had,
with its forced flag and who asked, so that its page still says it was forced and a close under
way at the upgrade can finish (the finish takes the closing part).
"""

from django.db import migrations


def parts_of_earlier_closes(apps, schema_editor):
    Cycle = apps.get_model("metrics", "Cycle")
    CyclePart = apps.get_model("metrics", "CyclePart")
    for cycle in Cycle.objects.filter(status__in=["closed", "closing"]):
        if CyclePart.objects.filter(cycle=cycle, run=cycle.run).exists():
            continue
        CyclePart.objects.create(
            cycle=cycle,
            run=cycle.run,
            number=1,
            forced=cycle.forced,
            requested_by_id=cycle.requested_by_id,
            status=cycle.status,
            closed_at=cycle.closed_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0012_result_current_bonus_index"),
    ]

    operations = [
        migrations.RunPython(parts_of_earlier_closes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="cycle", name="forced"),
        migrations.RemoveField(model_name="cycle", name="requested_by"),
    ]
