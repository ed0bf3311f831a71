"""Query filters of the order-menu API. Related rows are filtered by id with
plain number filters (see communities.api.filters): the lists are already
scoped, and a number neither reveals a row outside the scope nor costs a query."""

import django_filters

from communities.api.filters import IntegerFilter
from surveys.models import (
    Ballot,
    Campaign,
    Interview,
    Meeting,
    MenuItem,
    Reply,
    Response,
    Scope,
    Vote,
)


class MenuItemFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=MenuItem.Kind.choices)
    national_class = django_filters.ChoiceFilter(choices=MenuItem.NationalClass.choices)
    scope = django_filters.ChoiceFilter(choices=Scope.choices)
    needs_vote = django_filters.BooleanFilter()
    pilot_first = django_filters.BooleanFilter()
    micro_project_eligible = django_filters.BooleanFilter()
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = MenuItem
        fields = [
            "kind",
            "national_class",
            "scope",
            "needs_vote",
            "pilot_first",
            "micro_project_eligible",
            "is_active",
        ]


class CampaignFilter(django_filters.FilterSet):
    estate = IntegerFilter(field_name="estate_id")
    community = IntegerFilter(field_name="estate__community_id")
    building = IntegerFilter(field_name="building_id")
    status = django_filters.MultipleChoiceFilter(choices=Campaign.Status.choices)
    phase = django_filters.ChoiceFilter(choices=Campaign.Phase.choices)
    channel = django_filters.ChoiceFilter(choices=Campaign.Channel.choices)
    is_template = django_filters.BooleanFilter()

    class Meta:
        model = Campaign
        fields = [
            "estate",
            "community",
            "building",
            "status",
            "phase",
            "channel",
            "is_template",
        ]


class ResponseFilter(django_filters.FilterSet):
    campaign = IntegerFilter(field_name="campaign_id")
    estate = IntegerFilter(field_name="campaign__estate_id")
    building = IntegerFilter(field_name="household__building_id")
    household = IntegerFilter(field_name="household_id")
    channel = django_filters.ChoiceFilter(choices=Response.Channel.choices)

    class Meta:
        model = Response
        fields = ["campaign", "estate", "building", "household", "channel"]


class ReplyFilter(django_filters.FilterSet):
    campaign = IntegerFilter(field_name="response__campaign_id")
    estate = IntegerFilter(field_name="response__campaign__estate_id")
    question = IntegerFilter(field_name="question_id")
    status = django_filters.MultipleChoiceFilter(choices=Reply.Status.choices)

    class Meta:
        model = Reply
        fields = ["campaign", "estate", "question", "status"]


class VoteFilter(django_filters.FilterSet):
    estate = IntegerFilter(field_name="estate_id")
    community = IntegerFilter(field_name="estate__community_id")
    building = IntegerFilter(field_name="building_id")
    status = django_filters.MultipleChoiceFilter(choices=Vote.Status.choices)
    matter = IntegerFilter()
    passed = django_filters.BooleanFilter()

    class Meta:
        model = Vote
        fields = ["estate", "community", "building", "status", "matter", "passed"]


class BallotFilter(django_filters.FilterSet):
    vote = IntegerFilter(field_name="vote_id")
    estate = IntegerFilter(field_name="vote__estate_id")
    choice = django_filters.ChoiceFilter(choices=Ballot.Choice.choices)
    channel = django_filters.ChoiceFilter(choices=Ballot.Channel.choices)

    class Meta:
        model = Ballot
        fields = ["vote", "estate", "choice", "channel"]


class InterviewFilter(django_filters.FilterSet):
    estate = IntegerFilter(field_name="estate_id")
    community = IntegerFilter(field_name="estate__community_id")
    campaign = IntegerFilter(field_name="campaign_id")
    group = django_filters.ChoiceFilter(choices=Interview.Group.choices)

    class Meta:
        model = Interview
        fields = ["estate", "community", "campaign", "group"]


class MeetingFilter(django_filters.FilterSet):
    estate = IntegerFilter(field_name="estate_id")
    community = IntegerFilter(field_name="estate__community_id")

    class Meta:
        model = Meeting
        fields = ["estate", "community"]
