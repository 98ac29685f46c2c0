"""The "stop using it" marker: ``unused(field)`` and ``@unused_model``.

A marked field stays in the model (so migration state keeps it and
``makemigrations`` does not emit a RemoveField yet) but has no column as far
as the ORM is concerned: Django treats a field whose ``column`` is None as
non-concrete, so it is left out of SELECT, INSERT and UPDATE. Its
deconstruction forces ``null=True`` (unless it has a ``db_default``) so that
``makemigrations`` emits the AlterField that lets this release insert rows
without the column. The next release deletes the line.
"""

from __future__ import annotations

import functools
from typing import Any, NoReturn, TypeVar

from django.db import models

FieldT = TypeVar("FieldT", bound=models.Field)  # type: ignore[type-arg]
ModelT = TypeVar("ModelT", bound=type[models.Model])

MARKER_ATTRIBUTE = "zerodowntime_unused"


class UnusedAttribute:
    """Class attribute standing in for a retired field or manager: any use raises."""

    def __init__(self, owner: str, name: str, marker: str, *, on_class: bool = False) -> None:
        self.on_class = on_class
        self.message = (
            f"{owner}.{name} is marked {marker} (django_zerodowntime): this release no "
            f"longer reads or writes it. Remove the code that uses it, or remove the marker."
        )

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None and not self.on_class:
            # Class-level access to a field (introspection, checks) sees the marker.
            return self
        raise AttributeError(self.message)

    def __set__(self, instance: object, value: object) -> NoReturn:
        raise AttributeError(self.message)

    def __delete__(self, instance: object) -> NoReturn:
        raise AttributeError(self.message)


class UnusedFieldMixin:
    """Mixed in front of the real field class by ``unused()``."""

    zerodowntime_unused = True
    zerodowntime_original_class: type[models.Field]  # type: ignore[type-arg]
    zerodowntime_on_delete: Any = None
    zerodowntime_original_flags: dict[str, bool]

    def get_attname_column(self) -> tuple[str, None]:
        attname, _column = super().get_attname_column()  # type: ignore[misc]
        return attname, None  # no column: the ORM stops selecting, inserting, updating it

    def real_column(self) -> str:
        """The database column the field still has until a later release drops it."""
        field: Any = self
        return str(field.db_column or field.get_attname())

    def deconstruct(self) -> tuple[Any, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        field: Any = self
        if self.zerodowntime_on_delete is not None:
            kwargs["on_delete"] = self.zerodowntime_on_delete
        for key in ("editable", "serialize"):  # switched off at run time only
            kwargs.pop(key, None)
            if not self.zerodowntime_original_flags.get(key, True):
                kwargs[key] = False
        if not field.many_to_many and not field.has_db_default():
            # This release inserts rows without the column: it must accept NULL.
            kwargs["null"] = True
        return name, path, args, kwargs

    def clone(self) -> models.Field:  # type: ignore[type-arg]
        # Migration state gets the plain field class, with a real column.
        _name, _path, args, kwargs = self.deconstruct()
        return self.zerodowntime_original_class(*args, **kwargs)

    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, **kwargs)  # type: ignore[misc]
        field: Any = self
        blocker = UnusedAttribute(cls.__name__, name, "unused()")
        setattr(cls, name, blocker)
        if field.attname != name:  # ForeignKey: the <name>_id attribute too
            setattr(cls, field.attname, UnusedAttribute(cls.__name__, field.attname, "unused()"))


@functools.cache
def _unused_class(field_class: type[models.Field]) -> type[models.Field]:  # type: ignore[type-arg]
    # Same module and qualname as the real class, so deconstruct() returns its path.
    attributes = {
        "__module__": field_class.__module__,
        "__qualname__": field_class.__qualname__,
        "zerodowntime_original_class": field_class,
    }
    return type(field_class.__name__, (UnusedFieldMixin, field_class), attributes)


def unused(field: FieldT) -> FieldT:
    """Mark ``field`` as no longer used by this release (keep it in migration state).

    ``subtitle = unused(models.CharField(max_length=200))``
    """
    if getattr(field, "model", None) is not None:
        raise TypeError("unused() takes a field that is not attached to a model yet")
    if isinstance(field, UnusedFieldMixin):
        return field
    field.__class__ = _unused_class(type(field))  # type: ignore[assignment,arg-type]
    # Forms, the admin and serializers (dumpdata) skip it instead of reading it.
    flags: Any = field  # django-stubs does not declare Field.serialize
    flags.zerodowntime_original_flags = {"editable": flags.editable, "serialize": flags.serialize}
    flags.editable = False
    flags.serialize = False
    remote = getattr(field, "remote_field", None)
    if remote is not None and getattr(remote, "on_delete", None) is not None:
        # Deleting the referenced row must not try to cascade through a column
        # this release no longer knows; the database constraint still applies.
        field.zerodowntime_on_delete = remote.on_delete  # type: ignore[attr-defined]
        remote.on_delete = models.DO_NOTHING
    return field


def _refuse(label: str, *args: object, **kwargs: object) -> NoReturn:
    raise AttributeError(
        f"{label} is marked @unused_model (django_zerodowntime): this release no longer "
        f"reads or writes its table. Remove the code that uses it, or remove the marker."
    )


def unused_model(model: ModelT) -> ModelT:
    """Class decorator: this release no longer uses ``model``'s table at all.

    The model stays in migration state (no DeleteModel yet); its managers, ``save()``
    and ``delete()`` raise AttributeError.
    """
    setattr(model, MARKER_ATTRIBUTE, True)
    for manager in model._meta.local_managers:
        blocker = UnusedAttribute(model.__name__, manager.name, "@unused_model", on_class=True)
        setattr(model, manager.name, blocker)
    for method in ("save", "delete"):
        setattr(model, method, functools.partialmethod(_refuse, model.__name__))
    return model


def is_unused_field(field: object) -> bool:
    return bool(getattr(field, MARKER_ATTRIBUTE, False))


def is_unused_model(model: type[models.Model]) -> bool:
    return bool(model.__dict__.get(MARKER_ATTRIBUTE, False))
