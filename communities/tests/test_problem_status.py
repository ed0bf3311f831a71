import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from communities.models import Problem, ProblemStatusChange
from communities.services import problem_set_status, problem_update
from communities.tests.factories import EstateFactory, ProblemFactory

S = Problem.Status

ALLOWED = [
    (S.OPEN, S.PLANNED),
    (S.OPEN, S.RESOLVED),
    (S.PLANNED, S.OPEN),
    (S.PLANNED, S.RESOLVED),
    (S.RESOLVED, S.RECURRED),
    (S.RECURRED, S.PLANNED),
    (S.RECURRED, S.RESOLVED),
]
ALL_PAIRS = [(a, b) for a in S.values for b in S.values]
REFUSED = [pair for pair in ALL_PAIRS if pair not in ALLOWED]


def problem_in(status, **kwargs):
    """A problem brought to `status` through the service, as real ones are."""
    problem = ProblemFactory(reported_on=datetime.date(2026, 1, 5), **kwargs)
    path = {
        S.OPEN: [],
        S.PLANNED: [S.PLANNED],
        S.RESOLVED: [S.RESOLVED],
        S.RECURRED: [S.RESOLVED, S.RECURRED],
    }[status]
    for step in path:
        problem_set_status(problem=problem, status=step, actor=None)
    return problem


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_allowed_transition_moves_and_logs(from_status, to_status, street_user):
    problem = problem_in(from_status)
    logged_before = problem.status_changes.count()

    problem_set_status(
        problem=problem, status=to_status, actor=street_user, reason="  复核  "
    )

    problem.refresh_from_db()
    assert problem.status == to_status
    assert problem.status_changes.count() == logged_before + 1
    change = problem.status_changes.last()
    assert (change.from_status, change.to_status) == (from_status, to_status)
    assert change.actor == street_user
    assert change.reason == "复核"


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_other_transitions_are_refused_in_chinese(from_status, to_status):
    problem = problem_in(from_status)
    logged_before = ProblemStatusChange.objects.count()

    with pytest.raises(ValidationError) as refused:
        problem_set_status(problem=problem, status=to_status, actor=None)

    problem.refresh_from_db()
    assert problem.status == from_status
    assert ProblemStatusChange.objects.count() == logged_before
    assert "问题" in refused.value.message_dict["status"][0]


@pytest.mark.django_db
def test_resolved_problem_that_comes_back_is_recurred_never_reopened():
    problem = problem_in(S.RESOLVED)

    with pytest.raises(ValidationError) as refused:
        problem_set_status(problem=problem, status=S.OPEN, actor=None)

    assert refused.value.message_dict["status"] == [
        "已解决的问题再次出现时应标记为“反弹复发”，不能直接改为“待解决”。"
    ]


@pytest.mark.django_db
def test_resolving_sets_the_date_and_recurring_keeps_it():
    problem = problem_in(S.OPEN)

    problem_set_status(
        problem=problem,
        status=S.RESOLVED,
        actor=None,
        on=datetime.date(2026, 3, 1),
    )
    problem_set_status(
        problem=problem,
        status=S.RECURRED,
        actor=None,
        on=datetime.date(2026, 6, 1),
    )

    problem.refresh_from_db()
    assert problem.resolved_on == datetime.date(2026, 3, 1)
    assert problem.recurred_on == datetime.date(2026, 6, 1)
    assert problem.status == S.RECURRED


@pytest.mark.django_db
def test_resolution_before_the_report_is_refused():
    problem = problem_in(S.OPEN)

    with pytest.raises(ValidationError) as refused:
        problem_set_status(
            problem=problem,
            status=S.RESOLVED,
            actor=None,
            on=datetime.date(2025, 12, 31),
        )

    assert "解决日期不能早于发现日期。" in refused.value.messages
    problem.refresh_from_db()
    assert problem.status == S.OPEN
    assert problem.resolved_on is None


@pytest.mark.django_db
def test_recurrence_before_the_resolution_is_refused():
    problem = problem_in(S.OPEN)
    problem_set_status(
        problem=problem, status=S.RESOLVED, actor=None, on=datetime.date(2026, 3, 1)
    )

    with pytest.raises(ValidationError) as refused:
        problem_set_status(
            problem=problem,
            status=S.RECURRED,
            actor=None,
            on=datetime.date(2026, 2, 1),
        )

    assert refused.value.message_dict["status"] == ["复发日期不能早于解决日期。"]


@pytest.mark.django_db
def test_unknown_status_is_refused():
    problem = problem_in(S.OPEN)

    with pytest.raises(ValidationError) as refused:
        problem_set_status(problem=problem, status="closed", actor=None)

    assert refused.value.message_dict["status"] == ["未知的问题状态。"]


@pytest.mark.django_db
def test_status_cannot_be_changed_by_a_plain_update():
    problem = problem_in(S.OPEN)

    with pytest.raises(ValidationError) as refused:
        problem_update(problem=problem, status=S.RESOLVED)

    assert refused.value.message_dict["status"] == [
        "问题状态只能通过状态变更修改，并会记录原因。"
    ]
    problem.refresh_from_db()
    assert problem.status == S.OPEN


@pytest.mark.django_db
def test_staff_of_another_community_cannot_move_a_problem(
    community, other_community_user, community_user
):
    problem = problem_in(S.OPEN, estate=EstateFactory(community=community))

    with pytest.raises(PermissionDenied):
        problem_set_status(
            problem=problem, status=S.PLANNED, actor=other_community_user
        )
    problem_set_status(problem=problem, status=S.PLANNED, actor=community_user)

    problem.refresh_from_db()
    assert problem.status == S.PLANNED
    assert list(problem.status_changes.values_list("actor", flat=True)) == [
        community_user.pk
    ]
