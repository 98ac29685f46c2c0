"""A stand-in for a third-party package: imported from outside the project tree.

Version 1 uses ``Coupon.code`` (column ``coupon_code`` of ``vendor_coupons``);
version 2 (``ZDT_STAGE=2``) no longer does, and ships the migration dropping it.
"""
