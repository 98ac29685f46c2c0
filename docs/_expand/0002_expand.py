import django_zerodowntime.operations
from django.db import migrations, models


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('blog', '0001_initial'),
    ]

    operations = [
        django_zerodowntime.operations.AddShadowColumn(
            model_name='post',
            old_name='title',
            old_field=models.CharField(max_length=200),
            new_name='headline',
            new_field=models.CharField(max_length=200),
        ),
        django_zerodowntime.operations.SyncColumns(
            model_name='post',
            old_name='title',
            old_field=models.CharField(max_length=200),
            new_name='headline',
            new_field=models.CharField(max_length=200),
        ),
        django_zerodowntime.operations.CopyToNewColumn(
            model_name='post',
            old_name='title',
            old_field=models.CharField(max_length=200),
            new_name='headline',
            new_field=models.CharField(max_length=200),
        ),
    ]
