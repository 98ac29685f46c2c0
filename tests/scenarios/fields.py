"""Field classes shaped like those reusable apps ship, for the scenarios that add them."""

from typing import Any

from django.db import models


class NullCharField(models.CharField):  # type: ignore[type-arg]
    """Like django-oscar's NullCharField: always null=True, blank=True; "" is stored as NULL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["null"] = kwargs["blank"] = True
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value or None

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        del kwargs["null"], kwargs["blank"]
        return name, path, args, kwargs
