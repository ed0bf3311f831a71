"""Data the staff pages' tests share: an estate with two buildings, a campaign
with a menu, a choice, a rating and a free-text question, and answers given
through the services (online by households, on paper by a worker)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from communities.models import Building, Estate, Household
from communities.tests.factories import BuildingFactory, EstateFactory, HouseholdFactory
from surveys import services
from surveys.models import Campaign, Option, Question
from surveys.permissions import Resident
from surveys.tests.factories import (
    CampaignFactory,
    MenuItemFactory,
    OptionFactory,
    QuestionFactory,
    QuestionItemFactory,
)

Kind = Question.Kind
ITEM_NAMES = ["测试项·加装电梯", "测试项·雨污分流", "测试项·停车位规划"]


@dataclass
class Survey:
    estate: Estate
    buildings: list[Building]
    households: list[Household]
    campaign: Campaign
    rank: Question
    items: list  # MenuItem, in the order offered
    single: Question
    options: list[Option]
    rating: Question
    text: Question
    extra: dict = field(default_factory=dict)

    def answers(self, *, order=(0, 1, 2), option=0, rating=4, text="", **more) -> dict:
        values = {
            self.rank.pk: [self.items[i].pk for i in order],
            self.single.pk: self.options[option].pk,
            self.rating.pk: rating,
        }
        if text:
            values[self.text.pk] = text
        values.update(more)
        return values


def estate_with_households(
    community, *, name="藤翠苑7号小区", per_building=(4, 2)
) -> tuple[Estate, list[Building], list[Household]]:
    estate = EstateFactory(name=name, community=community)
    buildings, households = [], []
    for index, count in enumerate(per_building, start=1):
        building = BuildingFactory(estate=estate, name=f"{index}栋")
        buildings.append(building)
        for number in range(count):
            households.append(
                HouseholdFactory(
                    building=building,
                    number=f"{100 * (number // 2 + 1) + number % 2 + 1}",
                )
            )
    return estate, buildings, households


def survey(community, *, title="藤翠苑7号小区改造需求征询", **estate_kwargs) -> Survey:
    estate, buildings, households = estate_with_households(community, **estate_kwargs)
    campaign = CampaignFactory(estate=estate, title=title)
    rank = QuestionFactory(
        campaign=campaign, position=1, kind=Kind.MENU_RANK, prompt="请给改造项目排序"
    )
    items = []
    for position, name in enumerate(ITEM_NAMES, start=1):
        item = MenuItemFactory(name=name)
        QuestionItemFactory(
            question=rank, item=item, position=position, cost=Decimal("100000")
        )
        items.append(item)
    single = QuestionFactory(
        campaign=campaign, position=2, kind=Kind.SINGLE, prompt="是否同意加装电梯"
    )
    options = [
        OptionFactory(question=single, position=1, label="同意"),
        OptionFactory(question=single, position=2, label="不同意"),
    ]
    rating = QuestionFactory(
        campaign=campaign, position=3, kind=Kind.RATING, prompt="对小区环境的满意度"
    )
    text = QuestionFactory(
        campaign=campaign, position=4, kind=Kind.TEXT, prompt="还有什么意见"
    )
    return Survey(
        estate=estate,
        buildings=buildings,
        households=households,
        campaign=campaign,
        rank=rank,
        items=items,
        single=single,
        options=options,
        rating=rating,
        text=text,
    )


def answer_online(data: Survey, household: Household, **answers):
    return services.response_submit(
        campaign=data.campaign,
        household=household,
        answers=data.answers(**answers),
        actor=Resident(household),
    )


def answer_on_paper(data: Survey, household: Household, worker, **answers):
    return services.response_submit(
        campaign=data.campaign,
        household=household,
        answers=data.answers(**answers),
        actor=worker,
        paper_date=timezone.localdate() - datetime.timedelta(days=1),
    )


def many_households(building: Building, count: int, start: int = 5000) -> list:
    """`count` more households in a building (room numbers from `start`)."""
    return Household.objects.bulk_create(
        [
            Household(
                building=building,
                unit=1,
                number=str(start + n),
                exclusive_area=Decimal("80.00"),
            )
            for n in range(count)
        ]
    )
