from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    zerodowntime_allow = {"ZDT203": "stale: no unique column here"}
    operations = [
        migrations.AddField(
            "post", "summary", models.CharField(max_length=20, null=True)
        ),  # zerodowntime_allow ZDT101: stale, an AddField drops nothing
        # zerodowntime_allow ZDT101: subtitle was last read by release 41
        # (a second comment line between the allow and its operation is fine)
        migrations.RemoveField("post", "subtitle"),
        migrations.RemoveField("post", "views"),  # zerodowntime_allow ZDT101, ZDT102: views unused
        migrations.RemoveField("post", "body"),
    ]

    # zerodowntime_allow ZDT102: on no operation at all
