import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baitang.roles import SYSTEM
from baitang.tests.html_forms import form_values
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
        problem_set_status(problem=problem, status=step, actor=SYSTEM, reason="复核")
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
        problem_set_status(problem=problem, status=to_status, actor=SYSTEM)

    problem.refresh_from_db()
    assert problem.status == from_status
    assert ProblemStatusChange.objects.count() == logged_before
    assert "问题" in refused.value.message_dict["status"][0]


@pytest.mark.django_db
def test_resolved_problem_that_comes_back_is_recurred_never_reopened():
    problem = problem_in(S.RESOLVED)

    with pytest.raises(ValidationError) as refused:
        problem_set_status(problem=problem, status=S.OPEN, actor=SYSTEM)

    assert refused.value.message_dict["status"] == [
        "已解决的问题再次出现时应标记为“反弹复发”，不能直接改为“待解决”。"
    ]


@pytest.mark.django_db
def test_resolving_sets_the_date_and_recurring_keeps_it():
    problem = problem_in(S.OPEN)

    problem_set_status(
        problem=problem,
        status=S.RESOLVED,
        actor=SYSTEM,
        reason="回访",
        on=datetime.date(2026, 3, 1),
    )
    problem_set_status(
        problem=problem,
        status=S.RECURRED,
        actor=SYSTEM,
        reason="回访",
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
            actor=SYSTEM,
            reason="回访",
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
        problem=problem,
        status=S.RESOLVED,
        actor=SYSTEM,
        reason="整改完成",
        on=datetime.date(2026, 3, 1),
    )

    with pytest.raises(ValidationError) as refused:
        problem_set_status(
            problem=problem,
            status=S.RECURRED,
            actor=SYSTEM,
            reason="回访",
            on=datetime.date(2026, 2, 1),
        )

    assert refused.value.message_dict["status"] == ["复发日期不能早于解决日期。"]


@pytest.mark.django_db
def test_unknown_status_is_refused():
    problem = problem_in(S.OPEN)

    with pytest.raises(ValidationError) as refused:
        problem_set_status(problem=problem, status="closed", actor=SYSTEM)

    assert refused.value.message_dict["status"] == ["未知的问题状态。"]


@pytest.mark.django_db
def test_status_cannot_be_changed_by_a_plain_update():
    problem = problem_in(S.OPEN)

    with pytest.raises(ValidationError) as refused:
        problem_update(problem=problem, status=S.RESOLVED, actor=SYSTEM)

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


# --- A reason for every move but planning ---------------------------------------

NEEDS_REASON = [pair for pair in ALLOWED if pair != (S.OPEN, S.PLANNED)]


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), NEEDS_REASON)
@pytest.mark.parametrize("reason", ["", "   "])
def test_resolving_or_reopening_without_a_reason_is_refused(
    from_status, to_status, reason, street_user
):
    problem = problem_in(from_status)
    logged_before = ProblemStatusChange.objects.count()

    with pytest.raises(ValidationError) as refused:
        problem_set_status(
            problem=problem, status=to_status, actor=street_user, reason=reason
        )

    assert refused.value.message_dict == {
        "reason": [
            f"把问题从“{S(from_status).label}”改为“{S(to_status).label}”需要填写原因。"
        ]
    }
    problem.refresh_from_db()
    assert problem.status == from_status
    assert ProblemStatusChange.objects.count() == logged_before


@pytest.mark.django_db
def test_planning_an_open_problem_needs_no_reason(street_user):
    problem = problem_in(S.OPEN)

    problem_set_status(problem=problem, status=S.PLANNED, actor=street_user)

    problem.refresh_from_db()
    assert problem.status == S.PLANNED
    assert problem.status_changes.get().reason == ""


@pytest.mark.django_db
def test_the_system_is_logged_as_no_user():
    problem = problem_in(S.OPEN)

    problem_set_status(problem=problem, status=S.PLANNED, actor=SYSTEM)

    assert problem.status_changes.get().actor is None


@pytest.mark.django_db
def test_a_status_change_without_an_actor_is_a_programming_error():
    problem = problem_in(S.OPEN)

    with pytest.raises(TypeError):
        problem_set_status(problem=problem, status=S.PLANNED, actor=None)

    assert not ProblemStatusChange.objects.exists()


@pytest.mark.django_db
def test_the_admin_status_form_requires_a_reason(client, street_user):
    problem = problem_in(S.OPEN)
    client.force_login(street_user)
    url = f"/admin/communities/problem/{problem.pk}/change/"
    data = form_values(client.get(url).content.decode())

    refused = client.post(url, {**data, "new_status": S.RESOLVED, "status_reason": ""})
    moved = client.post(
        url, {**data, "new_status": S.RESOLVED, "status_reason": "已修"}
    )

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {
        "status_reason": ["把问题从“待解决”改为“已解决”需要填写原因。"]
    }
    assert moved.status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.RESOLVED
    assert problem.status_changes.get().reason == "已修"


@pytest.mark.django_db
def test_the_api_status_action_requires_a_reason(api_client, community_user, community):
    problem = problem_in(S.RESOLVED, estate=EstateFactory(community=community))
    api_client.force_authenticate(community_user)
    url = f"/api/v1/problems/{problem.pk}/status/"

    refused = api_client.post(url, {"status": S.RECURRED}, format="json")
    moved = api_client.post(
        url, {"status": S.RECURRED, "reason": "回访发现反弹"}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json() == {
        "reason": ["把问题从“已解决”改为“反弹复发”需要填写原因。"]
    }
    assert moved.status_code == 200
    problem.refresh_from_db()
    assert problem.status == S.RECURRED
