"""Checking rows with the models' own rules: field validation and the check
constraints, evaluated without a query per row."""

import operator

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import CheckConstraint, F, Q
from django.utils.translation import gettext as _

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


def field_reason(model, name: str, header: str, error: ValidationError) -> str:
    """Django's generic messages ("Ensure this value has at most 20 characters")
    in plain Chinese naming the column and its limit; the models' own messages
    are Chinese already and pass through."""
    code, params = error.code, error.params or {}
    column = header or (
        str(model._meta.get_field(name).verbose_name)
        if name != NON_FIELD_ERRORS
        else ""
    )
    if code == "max_length":
        return _("「%(column)s」最多 %(limit)s 个字，这里有 %(length)s 个字。") % {
            "column": column,
            "limit": params.get("limit_value"),
            "length": params.get("show_value"),
        }
    if code in ("max_digits", "max_whole_digits"):
        field = model._meta.get_field(name)
        whole = field.max_digits - field.decimal_places
        return _("「%(column)s」的数值太大，整数部分最多 %(digits)s 位。") % {
            "column": column,
            "digits": whole,
        }
    if code == "max_decimal_places":
        return _("「%(column)s」最多保留 %(places)s 位小数。") % {
            "column": column,
            "places": params.get("max"),
        }
    if code == "max_value":
        return _("「%(column)s」不能大于 %(limit)s。") % {
            "column": column,
            "limit": params.get("limit_value"),
        }
    if code == "min_value":
        if params.get("limit_value") == 0:
            return _("「%(column)s」不能为负数。") % {"column": column}
        return _("「%(column)s」不能小于 %(limit)s。") % {
            "column": column,
            "limit": params.get("limit_value"),
        }
    if code in ("blank", "null", "required"):
        return _("必填，不能为空。")
    if code == "invalid_choice":
        return _("「%(column)s」的值不在可选范围内。") % {"column": column}
    if code == "invalid":
        return _("「%(column)s」的值无法识别。") % {"column": column}
    return " ".join(error.messages)


def _validate(
    instance,
    layout: SheetLayout,
    row: ParsedRow,
    report: ImportReport,
    fk: str,
    skip: frozenset[str] = frozenset(),
) -> bool:
    """Run the model's validation (fields and clean(), as every service does)
    and its check constraints on one row; `skip` names fields whose cells could
    not be read (already reported), left out with every rule they take part in."""
    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(
            exclude=[fk, *skip], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        for name, field_errors in error.error_dict.items():
            header = layout.header_of(name) if name != NON_FIELD_ERRORS else ""
            errors[name] = [
                field_reason(type(instance), name, header, field_error)
                for field_error in field_errors
            ]
    for name, message in _check_constraints(instance, set(errors) | {fk} | skip):
        errors.setdefault(name, []).append(message)
    for name, messages in errors.items():
        header = layout.header_of(name) if name != NON_FIELD_ERRORS else ""
        for message in messages:
            report.add(layout.title, row.number, header, message)
    return not errors
