from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [
        migrations.CreateModel(
            name="Coupon",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("percent", models.IntegerField(default=0)),
                ("code", models.CharField(max_length=20, db_column="coupon_code", null=True)),
            ],
            options={"db_table": "vendor_coupons"},
        ),
    ]
