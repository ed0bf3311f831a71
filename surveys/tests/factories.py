import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from communities.tests.factories import EstateFactory, HouseholdFactory
from surveys.codes import new_code
from surveys.models import (
    AccessCode,
    Ballot,
    Campaign,
    Interview,
    Meeting,
    MenuItem,
    Option,
    Question,
    QuestionItem,
    Vote,
)


class MenuItemFactory(DjangoModelFactory):
    class Meta:
        model = MenuItem
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"点单项目{n}")
    kind = MenuItem.Kind.BASIC
    national_class = MenuItem.NationalClass.BASIC
    unit_cost = Decimal("100000.00")
    cost_unit = "项"


class CampaignFactory(DjangoModelFactory):
    """An open campaign of a whole estate, open since an hour ago."""

    class Meta:
        model = Campaign

    estate = factory.SubFactory(EstateFactory)
    title = factory.Sequence(lambda n: f"改造需求征询{n}")
    status = Campaign.Status.OPEN
    opens_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(hours=1)
    )
    closes_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(days=14)
    )


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    campaign = factory.SubFactory(CampaignFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = Question.Kind.TEXT
    prompt = factory.Sequence(lambda n: f"问题{n}")


class OptionFactory(DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory, kind=Question.Kind.SINGLE)
    position = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: f"选项{n}")


class QuestionItemFactory(DjangoModelFactory):
    class Meta:
        model = QuestionItem

    question = factory.SubFactory(QuestionFactory, kind=Question.Kind.MENU_RANK)
    item = factory.SubFactory(MenuItemFactory)
    position = factory.Sequence(lambda n: n + 1)
    cost = Decimal("100000.00")


class AccessCodeFactory(DjangoModelFactory):
    class Meta:
        model = AccessCode

    household = factory.SubFactory(HouseholdFactory)
    code = factory.LazyFunction(new_code)


class VoteFactory(DjangoModelFactory):
    class Meta:
        model = Vote

    estate = factory.SubFactory(EstateFactory)
    matter = 7
    title = "1栋加装电梯表决"
    rule_version = "civil-code-278-2021"
    status = Vote.Status.OPEN
    opens_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(hours=1)
    )


class BallotFactory(DjangoModelFactory):
    class Meta:
        model = Ballot

    vote = factory.SubFactory(VoteFactory)
    household = factory.SubFactory(HouseholdFactory)
    holder_key = factory.LazyAttribute(lambda o: f"h{o.household.pk}")
    choice = Ballot.Choice.YES


class InterviewFactory(DjangoModelFactory):
    class Meta:
        model = Interview

    estate = factory.SubFactory(EstateFactory)
    group = Interview.Group.ELDERLY
    interviewer = "李社工"
    notes = "老人希望加装扶手和电梯。"


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    estate = factory.SubFactory(EstateFactory)
    held_at = factory.LazyFunction(timezone.now)
    place = "小区凉亭"
    agenda = "停车位规划"
