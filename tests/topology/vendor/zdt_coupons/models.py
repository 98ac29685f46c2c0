import os

from django.db import models


class Coupon(models.Model):
    percent = models.IntegerField(default=0)
    if os.environ.get("ZDT_STAGE", "1") == "1":
        code = models.CharField(max_length=20, db_column="coupon_code", null=True)

    class Meta:
        db_table = "vendor_coupons"
