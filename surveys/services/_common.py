"""What every surveys service shares: checking the actor, saving with
full_clean, assigning only the fields a service allows."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models

from baitang.roles import require_actor


def require(actor, allowed: bool, message: str) -> None:
    """Refuse a write without an actor (a bug) or by an actor without the right."""
    require_actor(actor)
    if not allowed:
        raise PermissionDenied(message)


def editable_field_names(model: type[models.Model], exclude=()) -> frozenset[str]:
    skip = set(exclude)
    return frozenset(
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in skip
    )


def assign(instance: models.Model, fields: dict[str, Any], allowed) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{type(instance).__name__}: cannot set {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)


def save(instance: models.Model) -> models.Model:
    instance.full_clean()
    instance.save()
    return instance


def strip(value: str | None) -> str:
    return (value or "").strip()
