"""Demo data for `seed_demo`: the 8 real communities of 白藤街道, 22 estates built
before 2005 with buildings, households, owners, problems, photos and governance
bodies, and one login per role.

Only the community names and the six estate names from the source article are
real; every figure, person and phone number is invented, and every estate is
marked as sample data (Estate.is_sample) with a note saying so. A fixed random
seed makes the data the same on every machine.
"""

import datetime
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from baitang.models import User
from baitang.roles import SYSTEM
from baitang.services import user_ensure

from . import photos, services
from .models import (
    Building,
    Community,
    Estate,
    EstateNeed,
    GovernanceBody,
    Household,
    Owner,
    Photo,
    Problem,
)

DEMO_PASSWORD = "baiteng-demo-2026"
RANDOM_SEED = 2026

COMMUNITY_NAMES = ["好景", "群兴", "团结", "新城", "白藤", "鹤洲", "湖滨", "家和"]

NAMED_NOTE = "名称取自公开报道，各项数字、人员和照片均为示例数据，不是真实登记。"
INVENTED_NOTE = "样例数据：小区名称与各项数字均为虚构，仅供演示。"

M = Estate.ManagementModel


@dataclass(frozen=True)
class EstatePlan:
    name: str
    community: str
    build_year: int
    management: str
    named: bool = False
    address: str = ""


ESTATES = [
    # Named in the source article (real names, invented figures).
    EstatePlan("藤翠苑7号小区", "鹤洲", 1998, M.SELF_MANAGED, True, "鹤洲南路"),
    EstatePlan("逸鸿花园", "白藤", 2001, M.COMMUNITY_RUN, True, "白藤二路"),
    EstatePlan("幸福园小区", "团结", 1993, M.NONE, True, "团结路"),
    EstatePlan("湖景花园", "湖滨", 2000, M.SELF_MANAGED, True, "湖滨路"),
    EstatePlan("海湾豪宅", "新城", 2003, M.SELF_MANAGED, True, "新城大道"),
    EstatePlan("福星苑", "群兴", 1999, M.SELF_MANAGED, True, "群兴路"),
    # Invented.
    EstatePlan("榕荫小区", "好景", 1989, M.NONE),
    EstatePlan("荔景苑", "好景", 1996, M.PROPERTY_COMPANY),
    EstatePlan("翠湖新村", "群兴", 1991, M.COMMUNITY_RUN),
    EstatePlan("金沙苑", "团结", 2002, M.PROPERTY_COMPANY),
    EstatePlan("安居小区", "团结", 1995, M.STATE_FALLBACK),
    EstatePlan("和风苑", "新城", 2004, M.PROPERTY_COMPANY),
    EstatePlan("桂香小区", "新城", 1997, M.NONE),
    EstatePlan("松涛苑", "白藤", 1990, M.COMMUNITY_RUN),
    EstatePlan("文华小区", "白藤", 1987, M.NONE),
    EstatePlan("康乐苑", "鹤洲", 1994, M.STATE_FALLBACK),
    EstatePlan("锦绣小区", "鹤洲", 2002, M.PROPERTY_COMPANY),
    EstatePlan("碧水苑", "湖滨", 1992, M.NONE),
    EstatePlan("长青小区", "湖滨", 1998, M.COMMUNITY_RUN),
    EstatePlan("供销宿舍区", "家和", 1986, M.NONE),
    EstatePlan("南粤苑", "家和", 2000, M.PROPERTY_COMPANY),
    EstatePlan("丰收新村", "家和", 1993, M.SELF_MANAGED),
]

SURNAMES = "陈李黄张梁林刘吴何郑罗谢周杨邓冯曾蔡许苏"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰德福海燕"

PROBLEM_TEXTS = {
    "治安": ["单元门禁损坏，外来人员随意进出", "监控探头不足，夜间电动车被盗"],
    "停车": ["车辆乱停乱放，占用消防通道", "缺少电动自行车停放棚，楼道停车"],
    "环境卫生": ["楼道杂物堆积，清理后又反弹", "垃圾收集点异味大，蚊蝇多"],
    "管网": ["雨污合流，雨季排水不畅", "供水管老化，高层水压不足"],
    "消防": ["消火栓无水，灭火器过期", "楼道堆放杂物，影响疏散"],
    "道路": ["路面破损积水", "小区道路坑洼，老人易摔倒"],
    "房屋安全": ["外墙瓷砖脱落，危及行人", "屋面渗漏，顶层住户受影响"],
    "无障碍/适老": ["单元入口台阶无坡道", "楼梯缺少扶手，老人上下楼困难"],
    "照明": ["路灯损坏，夜间照明不足", "楼道声控灯失灵"],
    "绿化": ["绿地被占用种菜", "树木过密，遮挡低层采光"],
    "违建": ["顶楼加建，存在安全隐患", "首层私搭乱建占用公共空间"],
    "其他": ["飞线充电现象突出", "快递无处存放，堆在门口"],
}

# 幸福园: "27 problems in 8 categories solved by the self-governance group".
XINGFU_CATEGORIES = ["治安", "停车", "环境卫生", "管网", "消防", "道路", "照明", "绿化"]
XINGFU_SOLVED = 27

PROBLEM_BASE_DATE = datetime.date(2025, 1, 6)
GOVERNANCE_START = datetime.date(2023, 3, 1)
PALETTE = [
    (176, 196, 222),
    (205, 170, 125),
    (143, 188, 143),
    (222, 184, 135),
    (188, 143, 143),
    (169, 169, 169),
]


@dataclass
class SeedSummary:
    communities: int = 0
    estates_created: int = 0
    estates: int = 0
    buildings: int = 0
    households: int = 0
    problems: int = 0
    photos: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # lines from later apps

    def describe(self) -> str:
        return "\n".join(
            [
                f"演示数据已就绪：{self.communities} 个社区，{self.estates} 个小区"
                f"（本次新建 {self.estates_created} 个），{self.buildings} 栋楼，"
                f"{self.households} 户，{self.problems} 个问题，{self.photos} 张照片。"
                "小区均标记为样例数据。",
                *self.extra,
            ]
        )


# Later apps add their demo data through this hook (each registers in its
# AppConfig.ready), so the register never imports them. An extension takes the
# demo street login and returns summary lines; it must be idempotent too.
DEMO_EXTENSIONS: list[Callable[..., list[str]]] = []


def register_demo_extension(seed: Callable[..., list[str]]) -> None:
    if seed not in DEMO_EXTENSIONS:
        DEMO_EXTENSIONS.append(seed)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(
        rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))
    )


def _phone(rng: random.Random) -> str:
    # A Zhuhai landline whose local part starts with 0: well-formed, so it
    # passes the phone checks, yet no local number starts with 0, so it can
    # reach nobody.
    return f"0756-0{rng.randrange(10**6):06d}"


def _area(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.2f}")


@transaction.atomic
def seed_demo() -> SeedSummary:
    """Create what is missing of the demo data; running it twice changes nothing.
    Estates that already exist are left exactly as they are."""
    summary = SeedSummary()
    communities = {name: _community(f"{name}社区") for name in COMMUNITY_NAMES}
    summary.communities = len(communities)
    # The demo street login does the rest, as a clerk would.
    street_user = _ensure_logins(summary, communities)
    categories = services.problem_categories_ensure_defaults(actor=street_user)

    master = random.Random(RANDOM_SEED)
    estate_seeds = [master.getrandbits(32) for _ in ESTATES]
    for index, (plan, seed) in enumerate(zip(ESTATES, estate_seeds, strict=True)):
        community = communities[plan.community]
        if Estate.objects.filter(community=community, name=plan.name).exists():
            continue
        _seed_estate(
            plan,
            index=index,
            community=community,
            rng=random.Random(seed),
            categories=categories,
            actor=street_user,
        )
        summary.estates_created += 1

    demo_estates = Estate.objects.filter(name__in=[plan.name for plan in ESTATES])
    summary.estates = demo_estates.count()
    summary.buildings = Building.objects.filter(estate__in=demo_estates).count()
    summary.households = Household.objects.filter(
        building__estate__in=demo_estates
    ).count()
    summary.problems = Problem.objects.filter(estate__in=demo_estates).count()
    summary.photos = Photo.objects.filter(estate__in=demo_estates).count()
    for extend in DEMO_EXTENSIONS:
        summary.extra.extend(extend(street_user=street_user))
    return summary


def _community(name: str) -> Community:
    existing = Community.objects.filter(name=name).first()
    return existing or services.community_create(name=name, actor=SYSTEM)


def _ensure_logins(summary: SeedSummary, communities: dict) -> User:
    logins = [
        ("demo_street", "街道办工作人员（全部小区）", User.Role.STREET, [], ""),
        (
            "demo_community",
            "鹤洲社区工作人员（仅鹤洲社区）",
            User.Role.COMMUNITY,
            [communities["鹤洲"]],
            "",
        ),
        (
            "demo_party",
            "外部参与方：设计单位",
            User.Role.PARTY,
            [],
            User.PartyKind.DESIGNER,
        ),
    ]
    users = {}
    for username, description, role, scope, party_kind in logins:
        users[username], _created = user_ensure(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            communities=scope,
            party_kind=party_kind,
            organisation="演示账号",
        )
        summary.logins.append((username, description))
    return users["demo_street"]


def _seed_estate(plan, *, index, community, rng, categories, actor) -> Estate:
    building_specs = [
        (f"{number}栋", rng.randint(5, 8), rng.randint(1, 3))
        for number in range(1, rng.randint(3, 10) + 1)
    ]
    households = _plan_households(building_specs, rng)
    estate = _create_estate(plan, community, rng, building_specs, households, actor)
    buildings = {
        name: services.building_create(
            estate=estate,
            name=name,
            storeys=storeys,
            unit_count=units,
            has_elevator=storeys >= 8 and rng.random() < 0.3,
            actor=actor,
        )
        for name, storeys, units in building_specs
    }
    _create_households(estate, buildings, households, rng)
    problems = _seed_problems(
        plan, estate, rng, categories, list(buildings.values()), actor
    )
    _seed_photos(plan, index, estate, rng, problems, actor)
    _seed_governance(plan, estate, rng, list(buildings.values()), actor)
    _seed_needs(plan, estate, actor)
    return estate


def _plan_households(building_specs, rng) -> list[dict]:
    """Two households per floor and stairwell unit, with owners and occupancy."""
    planned = []
    for name, storeys, units in building_specs:
        for unit in range(1, units + 1):
            for floor in range(1, storeys + 1):
                for position in (1, 2):
                    roll = rng.random()
                    if roll < 0.05:
                        occupancy = Household.Occupancy.UNSOLD
                    elif roll < 0.13:
                        occupancy = Household.Occupancy.VACANT
                    elif roll < 0.35:
                        occupancy = Household.Occupancy.RENTED
                    else:
                        occupancy = Household.Occupancy.OWNER_OCCUPIED
                    empty = occupancy in (
                        Household.Occupancy.UNSOLD,
                        Household.Occupancy.VACANT,
                    )
                    residents = (
                        0 if empty else rng.choices([1, 2, 3, 4, 5], [2, 4, 4, 3, 1])[0]
                    )
                    basis = rng.choices(list(Household.AreaBasis.values), [80, 12, 8])[
                        0
                    ]
                    planned.append(
                        {
                            "building": name,
                            "unit": unit,
                            "number": f"{floor}0{position}",
                            "floor": floor,
                            "exclusive_area": _area(rng, 45, 130),
                            "area_basis": basis,
                            "occupancy": occupancy,
                            "resident_count": residents,
                            "contact_phone": "" if empty else _phone(rng),
                            "elderly_living_alone": residents == 1
                            and rng.random() < 0.45,
                            "has_disabled_member": residents > 0
                            and rng.random() < 0.03,
                            "has_children": residents >= 3 and rng.random() < 0.5,
                        }
                    )
    return planned


def _create_estate(plan, community, rng, building_specs, households, actor) -> Estate:
    """The estate's register figures agree with the generated rows."""
    residents = sum(h["resident_count"] for h in households)
    rented = sum(1 for h in households if h["occupancy"] == Household.Occupancy.RENTED)
    exclusive = sum(h["exclusive_area"] for h in households)
    floor_area = (exclusive * Decimal("1.22")).quantize(Decimal("0.01"))
    land_area = (floor_area / Decimal(str(rng.uniform(1.3, 2.2)))).quantize(
        Decimal("0.01")
    )
    elderly_60 = round(residents * rng.uniform(0.18, 0.34))
    fund = (
        Decimal("0.00")
        if plan.management == M.NONE
        else Decimal(rng.randrange(30_000, 800_000, 500))
    )
    return services.estate_create(
        community=community,
        name=plan.name,
        build_year=plan.build_year,
        address=plan.address or f"{community.name[:-2]}路{rng.randint(1, 99)}号",
        land_area=land_area,
        floor_area=floor_area,
        building_count=len(building_specs),
        household_count=len(households),
        resident_count=residents,
        elderly_60_count=elderly_60,
        elderly_80_count=round(elderly_60 * rng.uniform(0.12, 0.25)),
        disabled_count=sum(1 for h in households if h["has_disabled_member"]),
        children_count=round(residents * rng.uniform(0.08, 0.15)),
        low_income_count=max(1, round(len(households) * rng.uniform(0.005, 0.03))),
        tenant_share=Decimal(100 * rented / len(households)).quantize(Decimal("0.01")),
        management_model=plan.management,
        has_owners_committee=plan.management == M.SELF_MANAGED and rng.random() < 0.5,
        maintenance_fund=fund,
        notes=NAMED_NOTE if plan.named else INVENTED_NOTE,
        is_sample=True,
        actor=actor,
    )


def _owner(estate, rng) -> Owner:
    return Owner(name=_person(rng), phone=_phone(rng), community=estate.community)


def _create_households(estate, buildings, planned, rng) -> None:
    """Households in bulk, with their owners: most have one, some two co-owners,
    a few owners hold a second unit, and the developer holds the unsold ones."""
    rows = [
        Household(**{**spec, "building": buildings[spec["building"]]})
        for spec in planned
    ]
    Household.objects.bulk_create(rows, batch_size=1000)

    developer = Owner(
        name=f"{estate.name}原开发建设单位（示例）",
        phone="",
        is_developer=True,
        community=estate.community,
    )
    owners: list[Owner] = [developer]
    links: list[tuple[int, int]] = []  # (household index, owner index)
    for position, household in enumerate(rows):
        if household.occupancy == Household.Occupancy.UNSOLD:
            links.append((position, 0))
            continue
        if len(owners) > 5 and rng.random() < 0.06:
            # An owner of an earlier household holds this one too.
            links.append((position, rng.randrange(1, len(owners))))
            continue
        owners.append(_owner(estate, rng))
        links.append((position, len(owners) - 1))
        if rng.random() < 0.1:
            owners.append(_owner(estate, rng))
            links.append((position, len(owners) - 1))
    Owner.objects.bulk_create(owners, batch_size=1000)
    Through = Household.owners.through
    Through.objects.bulk_create(
        [Through(household_id=rows[h].pk, owner_id=owners[o].pk) for h, o in links],
        batch_size=2000,
    )


def _seed_problems(plan, estate, rng, categories, buildings, actor) -> list[Problem]:
    if plan.name == "幸福园小区":
        specs = [
            (XINGFU_CATEGORIES[i % len(XINGFU_CATEGORIES)], Problem.Status.RESOLVED)
            for i in range(XINGFU_SOLVED)
        ] + [("违建", Problem.Status.OPEN), ("其他", Problem.Status.RECURRED)]
    else:
        names = list(categories)
        rng.shuffle(names)
        statuses = rng.choices(
            list(Problem.Status.values), [40, 25, 25, 10], k=rng.randint(4, 8)
        )
        specs = list(zip(names, statuses, strict=False))
    problems = []
    for number, (category, status) in enumerate(specs):
        reported = PROBLEM_BASE_DATE + datetime.timedelta(days=rng.randint(0, 420))
        problem = services.problem_create(
            estate=estate,
            category=categories[category],
            description=rng.choice(PROBLEM_TEXTS[category]),
            building=rng.choice(buildings) if rng.random() < 0.4 else None,
            severity=rng.choice(list(Problem.Severity.values)),
            source=rng.choice(list(Problem.Source.values)),
            reported_on=reported,
            actor=actor,
        )
        _move(problem, status, reported, rng, number, actor)
        problems.append(problem)
    return problems


def _move(problem, status, reported, rng, number, actor) -> None:
    """Bring a new problem to `status` the way staff would, through the log."""
    resolved_on = reported + datetime.timedelta(days=rng.randint(15, 120))
    steps = {
        Problem.Status.OPEN: [],
        Problem.Status.PLANNED: [(Problem.Status.PLANNED, "列入年度改造计划", None)],
        Problem.Status.RESOLVED: [
            (Problem.Status.PLANNED, "列入年度改造计划", None),
            (Problem.Status.RESOLVED, "整改完成，经回访确认", resolved_on),
        ],
        Problem.Status.RECURRED: [
            (Problem.Status.RESOLVED, "整改完成", resolved_on),
            (
                Problem.Status.RECURRED,
                "回访发现问题反弹",
                resolved_on + datetime.timedelta(days=rng.randint(20, 90)),
            ),
        ],
    }[status]
    if status == Problem.Status.RESOLVED and number % 3 == 0:
        steps = steps[1:]  # some are fixed straight away, without a plan
    for to_status, reason, on in steps:
        services.problem_set_status(
            problem=problem, status=to_status, actor=actor, reason=reason, on=on
        )


def _picture(label: str, colour, rng: random.Random) -> SimpleUploadedFile:
    """A simple drawn scene: sky, a block of flats with windows, and a label."""
    width, height = 960, 640
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 2 // 3, width, height], fill=(120, 120, 110))
    for block in range(rng.randint(2, 4)):
        left = 60 + block * 220
        top = rng.randint(120, 260)
        draw.rectangle([left, top, left + 180, height * 2 // 3], fill=(235, 225, 205))
        for row in range(top + 20, height * 2 // 3 - 30, 50):
            for column in range(left + 22, left + 150, 42):
                draw.rectangle(
                    [column, row, column + 25, row + 28], fill=(90, 120, 150)
                )
    font = ImageFont.load_default(size=36)
    draw.rectangle([0, 0, width, 64], fill=(40, 40, 40))
    draw.text((20, 12), label, fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile("demo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _seed_photos(plan, index, estate, rng, problems, actor) -> None:
    """A "before" photo per estate, and before/after pairs for the named ones
    (drawn pictures labelled SAMPLE: no real place is shown)."""
    colour = PALETTE[index % len(PALETTE)]
    first_problem = problems[0] if problems else None
    photos.photo_create(
        estate=estate,
        image_file=_picture(f"SAMPLE {index + 1:02d} / before", colour, rng),
        actor=actor,
        stage=Photo.Stage.BEFORE,
        problem=first_problem,
        building=first_problem.building if first_problem else None,
        caption=f"{estate.name}：{first_problem.description}"
        if first_problem
        else f"{estate.name}现状",
        taken_on=PROBLEM_BASE_DATE,
    )
    if not plan.named:
        return
    for stage, shade in [(Photo.Stage.BEFORE, 0.7), (Photo.Stage.AFTER, 1.0)]:
        tone = tuple(min(255, int(c * shade)) for c in colour)
        photos.photo_create(
            estate=estate,
            image_file=_picture(f"SAMPLE {index + 1:02d} / {stage}", tone, rng),
            actor=actor,
            stage=stage,
            caption=f"{estate.name}主干道（{Photo.Stage(stage).label}）",
            pair_key="主干道",
            taken_on=PROBLEM_BASE_DATE
            + datetime.timedelta(days=0 if stage == Photo.Stage.BEFORE else 300),
        )


def _self_management(estate_name: str) -> list[tuple[str, str, str]]:
    """党员 + 自管委员会 + 联络员, the structure of 湖景花园, 海湾豪宅 and 福星苑."""
    return [
        (
            GovernanceBody.Kind.SELF_MANAGEMENT_COMMITTEE,
            f"{estate_name}自管委员会",
            "committee",
        ),
        (
            GovernanceBody.Kind.DELIBERATION_REPRESENTATIVES,
            f"{estate_name}议事代表",
            "reps",
        ),
        (GovernanceBody.Kind.LIAISONS, f"{estate_name}楼栋联络员", "liaisons"),
    ]


GOVERNANCE = {
    "幸福园小区": [
        (GovernanceBody.Kind.SELF_GOVERNANCE_GROUP, "幸福园自治小组", "group"),
    ],
    "湖景花园": _self_management("湖景花园"),
    "海湾豪宅": _self_management("海湾豪宅"),
    "福星苑": _self_management("福星苑"),
    "逸鸿花园": [
        (GovernanceBody.Kind.PARTY_CONTACTS, "逸鸿花园党员联系人", "party"),
    ],
}


def _seed_governance(plan, estate, rng, buildings, actor) -> None:
    term_end = GOVERNANCE_START + datetime.timedelta(days=3 * 365)
    for kind, name, shape in GOVERNANCE.get(plan.name, []):
        body = services.governance_body_create(
            estate=estate,
            kind=kind,
            name=name,
            established_on=GOVERNANCE_START,
            term_ends_on=term_end,
            actor=actor,
        )
        if shape == "group":
            members = [("组长", True, None), ("副组长", True, None)] + [
                ("成员", rng.random() < 0.4, None) for _ in range(4)
            ]
        elif shape == "committee":
            members = [("主任", True, None), ("副主任", False, None)] + [
                ("委员", rng.random() < 0.5, None) for _ in range(3)
            ]
        elif shape == "reps":
            members = [("议事代表", rng.random() < 0.3, None) for _ in range(5)]
        elif shape == "liaisons":
            members = [("楼栋联络员", rng.random() < 0.3, b) for b in buildings[:6]]
        else:
            members = [("党员联系人", True, None) for _ in range(3)]
        for position, is_party_member, building in members:
            services.governance_member_create(
                body=body,
                name=_person(rng),
                position=position,
                is_party_member=is_party_member,
                phone=_phone(rng),
                building=building,
                term_start=GOVERNANCE_START,
                term_end=term_end,
                actor=actor,
            )


NEEDS = {
    "藤翠苑7号小区": [(EstateNeed.Kind.ELEVATOR, 2, "居民集资加民生微实事，试点一栋")],
    "逸鸿花园": [(EstateNeed.Kind.BARRIER_FREE, 1, "主入口坡道")],
    "幸福园小区": [(EstateNeed.Kind.MEAL_POINT, 1, "老人多，希望就近助餐")],
    "湖景花园": [(EstateNeed.Kind.CHARGING, 20, "集中充电棚，消除飞线充电")],
}


def _seed_needs(plan, estate, actor) -> None:
    for kind, quantity, description in NEEDS.get(plan.name, []):
        services.need_create(
            estate=estate,
            kind=kind,
            quantity=quantity,
            description=description,
            actor=actor,
        )
