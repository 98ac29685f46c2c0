"""Operation subclasses shaped like those third-party packages ship.

django-syzygy, for one, subclasses Django's operations to carry a deploy stage
and keeps their SQL and state changes; safe_migrate must judge such a subclass
exactly as its base, forwards and backwards.
"""

from typing import Any

from django.db import migrations


class Staged:
    def __init__(self, *args: Any, stage: str = "pre_deploy", **kwargs: Any) -> None:
        self.stage = stage
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        name, args, kwargs = super().deconstruct()  # type: ignore[misc]
        return name, args, {**kwargs, "stage": self.stage}


class StagedAddField(Staged, migrations.AddField):
    pass


class StagedRemoveField(Staged, migrations.RemoveField):
    pass


class StagedAddIndex(Staged, migrations.AddIndex):
    pass
