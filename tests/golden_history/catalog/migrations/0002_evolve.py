from django.db import migrations, models

from tests.golden_history.catalog import operations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    zerodowntime_allow = {"ZDT901": "the trigger was reviewed by hand"}
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE catalog_product ADD COLUMN sku varchar(20) NULL",
                    "ALTER TABLE catalog_product DROP COLUMN sku",
                )
            ],
            state_operations=[
                migrations.AddField("product", "sku", models.CharField(max_length=20, null=True))
            ],
        ),
        migrations.RunSQL(
            "UPDATE catalog_product SET title = title WHERE 1 = 0", migrations.RunSQL.noop
        ),
        migrations.AddField(
            "product",
            "maker",
            models.ForeignKey("catalog.Category", models.SET_NULL, null=True, related_name="made"),
        ),
        migrations.AlterField(
            "product", "category", models.ForeignKey("catalog.Category", models.CASCADE)
        ),
        migrations.AlterOrderWithRespectTo("product", "category"),
        operations.AddFieldQuietly("tag", "color", models.CharField(max_length=10, null=True)),
        operations.AddFieldWithTrigger("tag", "weight", models.IntegerField(null=True)),
        operations.NoteOnly(),
    ]
