import django_zerodowntime.operations
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0003_switch_post_title_headline'),
    ]

    operations = [
        django_zerodowntime.operations.DropOldColumn(
            model_name='post',
            old_name='title',
            old_field=models.CharField(max_length=200),
            new_name='headline',
            new_field=models.CharField(max_length=200),
        ),
    ]
