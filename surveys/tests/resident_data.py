"""A household with its access code and a campaign with every kind of question,
as the residents' page tests use them."""

from dataclasses import dataclass, field
from decimal import Decimal

from communities.tests.factories import BuildingFactory, EstateFactory, HouseholdFactory
from surveys.models import AccessCode, Campaign, Question
from surveys.tests.factories import (
    AccessCodeFactory,
    CampaignFactory,
    MenuItemFactory,
    OptionFactory,
    QuestionFactory,
    QuestionItemFactory,
)

RANK_ITEMS = ["加装电梯", "雨污分流", "停车位规划", "屋面防水"]


@dataclass
class Setup:
    campaign: Campaign
    household: object
    code: str
    questions: dict[str, Question] = field(default_factory=dict)
    items: dict[str, list[int]] = field(default_factory=dict)  # question key -> ids
    options: dict[str, list[int]] = field(default_factory=dict)

    @property
    def household_url(self) -> str:
        return f"/s/{self.code}/"

    @property
    def url(self) -> str:
        return f"/s/{self.code}/c/{self.campaign.pk}/"

    def q(self, key: str) -> int:
        return self.questions[key].pk


def household_with_code(estate, **fields) -> tuple[object, AccessCode]:
    building = fields.pop("building", None) or BuildingFactory(estate=estate)
    household = HouseholdFactory(building=building, **fields)
    return household, AccessCodeFactory(household=household)


def _items(question, names, costs=None):
    ids = []
    for index, name in enumerate(names):
        row = QuestionItemFactory(
            question=question,
            item=MenuItemFactory(name=name, description=f"{name}的说明"),
            position=index + 1,
            cost=(costs or {}).get(name, Decimal("100000")),
        )
        ids.append(row.item_id)
    return ids


def full_campaign(community, kinds=None) -> Setup:
    """An open estate campaign with (by default) every question kind, and a
    household of the estate holding an active code."""
    kinds = kinds or [
        "rank",
        "wants",
        "why",
        "rating",
        "points",
        "budget",
        "multiple",
        "text",
        "photo",
    ]
    estate = EstateFactory(community=community, name="藤翠苑7号小区")
    campaign = CampaignFactory(estate=estate, title="藤翠苑改造需求征询")
    household, access = household_with_code(estate)
    setup = Setup(campaign=campaign, household=household, code=access.code)
    position = 0

    def question(key, kind, **fields):
        nonlocal position
        position += 1
        setup.questions[key] = QuestionFactory(
            campaign=campaign, position=position, kind=kind, **fields
        )
        return setup.questions[key]

    for key in kinds:
        if key == "rank":
            q = question(
                key, Question.Kind.MENU_RANK, prompt="最想改哪几项？", max_choices=3
            )
            setup.items[key] = _items(q, RANK_ITEMS)
        elif key == "wants":
            q = question(
                key, Question.Kind.SINGLE, prompt="您家需要加装电梯吗？", required=True
            )
            setup.options[key] = [
                OptionFactory(question=q, position=1, label="需要").pk,
                OptionFactory(question=q, position=2, label="不需要").pk,
            ]
        elif key == "why":
            question(
                key,
                Question.Kind.TEXT,
                prompt="为什么需要电梯？",
                max_length=50,
                show_if_option_id=setup.options["wants"][0],
            )
        elif key == "rating":
            question(key, Question.Kind.RATING, prompt="您对小区环境满意吗？")
        elif key == "points":
            q = question(
                key, Question.Kind.MENU_POINTS, prompt="分配积分", points_budget=10
            )
            setup.items[key] = _items(q, ["绿化提升", "充电桩", "快递柜"])
        elif key == "budget":
            q = question(
                key,
                Question.Kind.MENU_BUDGET,
                prompt="在预算内选项目",
                cost_budget=Decimal("300000"),
            )
            setup.items[key] = _items(
                q,
                ["路面修补", "路灯更换", "健身器材"],
                {
                    "路面修补": Decimal("100000"),
                    "路灯更换": Decimal("150000"),
                    "健身器材": Decimal("200000"),
                },
            )
        elif key == "multiple":
            q = question(
                key, Question.Kind.MULTIPLE, prompt="您家有哪些困难？", max_choices=2
            )
            setup.options[key] = [
                OptionFactory(question=q, position=i, label=label).pk
                for i, label in enumerate(["上下楼难", "停车难", "晾晒难"], 1)
            ]
        elif key == "text":
            question(key, Question.Kind.TEXT, prompt="其他意见", max_length=20)
        elif key == "photo":
            question(key, Question.Kind.PHOTO, prompt="拍一张需要改的地方")
    return setup


def rank_fields(setup: Setup, *places) -> dict[str, str]:
    """Fields that give the rank question's items the places listed."""
    question = setup.q("rank")
    fields = {f"q{question}_i{item}": "" for item in setup.items["rank"]}
    for item, place in zip(setup.items["rank"], places, strict=False):
        fields[f"q{question}_i{item}"] = str(place) if place else ""
    return fields
