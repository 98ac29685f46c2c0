import django_zerodowntime.operations
from django.db import migrations, models


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('blog', '0002_expand_post_title_headline'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                django_zerodowntime.operations.SetNewColumnNotNull(
                    model_name='post',
                    old_name='title',
                    old_field=models.CharField(max_length=200),
                    new_name='headline',
                    new_field=models.CharField(max_length=200),
                ),
            ],
            state_operations=[
                migrations.RenameField(
                    model_name='post',
                    old_name='title',
                    new_name='headline',
                ),
            ],
        ),
    ]
