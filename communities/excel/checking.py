"""Checking rows with the models' own rules: field validation and the check
constraints, evaluated without a query per row."""

import operator

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import CheckConstraint, F, Q

from .layout import SheetLayout
from .reading import ParsedRow
from .report import ImportReport


class _Unsupported(Exception):
    pass


_COMPARE = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _evaluate(node, instance) -> bool | None:
    """SQL's three-valued logic for the simple check conditions of our models,
    evaluated in Python so that checking a file of thousands of rows costs no
    query per row. Anything unusual falls back to Django's own check."""
    if isinstance(node, Q):
        results = [_evaluate(child, instance) for child in node.children]
        if node.connector == Q.AND:
            value = False if False in results else None if None in results else True
        else:
            value = True if True in results else None if None in results else False
        return value if value is None or not node.negated else not value
    if not isinstance(node, tuple):
        raise _Unsupported
    lookup, expected = node
    name, _sep, operator_name = lookup.partition("__")
    actual = getattr(instance, name)
    if isinstance(expected, F):
        expected = getattr(instance, expected.name)
    elif hasattr(expected, "resolve_expression"):
        raise _Unsupported
    if operator_name == "isnull":
        return (actual is None) == expected
    compare = _COMPARE.get(operator_name or "exact")
    if compare is None:
        raise _Unsupported
    if actual is None or expected is None:
        return None
    return compare(actual, expected)


def _condition_fields(node) -> list[str]:
    if isinstance(node, Q):
        return [name for child in node.children for name in _condition_fields(child)]
    lookup, expected = node
    names = [lookup.split("__")[0]]
    if isinstance(expected, F):
        names.append(expected.name)
    return names


def _check_constraints(instance, exclude: set[str]) -> list[tuple[str, str]]:
    """(field, message) for each check constraint the instance breaks."""
    broken = []
    for constraint in type(instance)._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue  # uniqueness is guaranteed by matching rows on the same keys
        fields = _condition_fields(constraint.condition)
        if exclude & set(fields):
            continue
        try:
            holds = _evaluate(constraint.condition, instance) is not False
        except _Unsupported:
            try:
                constraint.validate(type(instance), instance)
                holds = True
            except ValidationError:
                holds = False
        if not holds:
            broken.append((fields[0], str(constraint.get_violation_error_message())))
    return broken


def _validate(
    instance, layout: SheetLayout, row: ParsedRow, report: ImportReport, fk: str
) -> bool:
    """Run the model's field validation and check constraints on one row."""
    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(
            exclude=[fk], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        errors = error.message_dict
    for name, message in _check_constraints(instance, set(errors) | {fk}):
        errors.setdefault(name, []).append(message)
    for name, messages in errors.items():
        header = layout.header_of(name) if name != NON_FIELD_ERRORS else ""
        for message in messages:
            report.add(layout.title, row.number, header, message)
    return not errors
