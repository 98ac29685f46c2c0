from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("zdt_coupons", "0001_initial")]
    operations = [migrations.RemoveField(model_name="coupon", name="code")]
