"""Demo data of the order menu, added by `seed_demo` after the register's: an
open campaign at 藤翠苑7号小区 with about 40% of households answered (some on
paper), a closed campaign with results at 逸鸿花园, an elevator vote in one
building with its result, two courtyard meetings and three interviews.

Everything is sample data over the register's sample estates; a fixed random
seed makes it the same on every machine, and running it twice adds nothing.
"""

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from baitang.models import User
from communities.models import Estate, Household, Problem

from . import services
from .menu_defaults import menu_ensure_defaults
from .models import Campaign, Interview, Meeting, MenuItem, Question, Vote
from .permissions import Resident
from .selectors import households_in_campaign, households_in_vote

RANDOM_SEED = 7
TENGCUI = "藤翠苑7号小区"
YIHONG = "逸鸿花园"

OPEN_TITLE = "藤翠苑7号小区改造内容征询（施工前）"
CLOSED_TITLE = "逸鸿花园楼道整治满意度回访（施工后）"
VOTE_TITLE = "1栋1单元加装电梯业主表决"

OPEN_MENU = [
    "供水管网改造",
    "雨污分流与排水管网改造",
    "外墙立面整治",
    "停车位规划与划线",
    "照明设施完善",
    "加装电梯",
    "适老化与无障碍改造",
    "电动自行车集中充电棚",
    "长者饭堂/助餐点",
]
# The order residents are drawn to: an ageing estate wants lifts and meals.
OPEN_MENU_WEIGHTS = [6, 5, 3, 7, 4, 8, 6, 5, 7]

WORDS = [
    "希望尽快加装电梯，我家住六楼，老伴腿脚不便。",
    "楼道里的杂物清了又堆，希望有人长期管。",
    "晚上路灯太暗，老人出门不安全。",
    "电动车在楼道充电太危险，希望建充电棚。",
    "停车位太少，消防通道经常被占。",
    "加装电梯要考虑一楼住户的采光和噪音。",
    "希望有个地方让老人一起吃饭聊天。",
]
REPLIES = [
    ("accepted", "已纳入改造方案，计划在第一批施工中实施。"),
    ("later", "已列入后续计划，待资金落实后实施，届时会再次征求意见。"),
    ("not_feasible", "经设计单位现场勘察，该位置为消防通道，暂不具备实施条件。"),
]


def seed_surveys_demo(*, street_user: User) -> list[str]:
    """Add what is missing of the order-menu demo; returns summary lines. The
    鹤洲 community login enters the paper forms, as a grid worker would."""
    menu_ensure_defaults(MenuItem)
    community_user = User.objects.get(username="demo_community")
    lines = []
    tengcui = Estate.objects.filter(name=TENGCUI).first()
    yihong = Estate.objects.filter(name=YIHONG).first()
    if tengcui is None or yihong is None:
        return lines
    rng = random.Random(RANDOM_SEED)
    services.access_codes_ensure(estate=tengcui, actor=street_user)
    services.access_codes_ensure(estate=yihong, actor=street_user)
    services.open_link_ensure(estate=tengcui, actor=street_user)
    lines.append(_open_campaign(tengcui, rng, street_user, community_user))
    lines.append(_closed_campaign(yihong, rng, street_user))
    lines.append(_elevator_vote(tengcui, rng, community_user))
    lines.append(_meetings(tengcui, yihong, street_user))
    lines.append(_interviews(tengcui, yihong, street_user))
    return [line for line in lines if line]


def _paper_day(rng: random.Random) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=rng.randint(0, 5))


def _weighted_ranking(rng: random.Random, item_ids, weights, count):
    pool = list(zip(item_ids, weights, strict=True))
    ranking = []
    for _ in range(count):
        total = sum(weight for _id, weight in pool)
        pick = rng.uniform(0, total)
        for index, (item_id, weight) in enumerate(pool):
            pick -= weight
            if pick <= 0:
                ranking.append(item_id)
                pool.pop(index)
                break
    return ranking


@transaction.atomic
def _open_campaign(estate, rng, street_user, community_user) -> str:
    if Campaign.objects.filter(estate=estate, title=OPEN_TITLE).exists():
        return ""
    campaign = services.campaign_create(
        estate=estate,
        title=OPEN_TITLE,
        actor=street_user,
        description="改不改、改什么、怎么改，由居民说了算。请每户填写一份，截止前可以修改。",
        phase=Campaign.Phase.BEFORE,
        channel=Campaign.Channel.ONLINE,
        closes_at=timezone.now() + datetime.timedelta(days=21),
    )
    menu = services.question_create(
        campaign=campaign,
        kind=Question.Kind.MENU_RANK,
        prompt="请选出您最希望改造的项目，并按重要程度排序（最多5项）",
        required=True,
        max_choices=5,
        actor=street_user,
    )
    items = {item.name: item for item in MenuItem.objects.filter(name__in=OPEN_MENU)}
    for name in OPEN_MENU:
        services.question_item_add(question=menu, item=items[name], actor=street_user)
    lift = services.question_create(
        campaign=campaign,
        kind=Question.Kind.SINGLE,
        prompt="您家是否需要加装电梯？",
        actor=street_user,
    )
    need, no_need, _either = (
        services.option_create(question=lift, label=label, actor=street_user)
        for label in ("需要", "不需要", "无所谓")
    )
    why = services.question_create(
        campaign=campaign,
        kind=Question.Kind.TEXT,
        prompt="您住几楼？对加装电梯有什么想法或顾虑？",
        show_if_option=need,
        max_length=300,
        actor=street_user,
    )
    rating = services.question_create(
        campaign=campaign,
        kind=Question.Kind.RATING,
        prompt="您对小区目前的居住环境满意吗？",
        required=True,
        actor=street_user,
    )
    words = services.question_create(
        campaign=campaign,
        kind=Question.Kind.TEXT,
        prompt="还有什么意见和建议？",
        max_length=500,
        actor=street_user,
    )
    services.campaign_set_status(campaign=campaign, status="open", actor=street_user)

    households = list(households_in_campaign(campaign).order_by("pk"))
    answering = rng.sample(households, k=round(len(households) * 0.4))
    item_ids = [items[name].pk for name in OPEN_MENU]
    replied = 0
    for number, household in enumerate(answering):
        choice = rng.choices([need, no_need, _either], weights=[5, 3, 2])[0]
        answers = {
            menu.pk: _weighted_ranking(
                rng, item_ids, OPEN_MENU_WEIGHTS, rng.randint(2, 5)
            ),
            lift.pk: choice.pk,
            rating.pk: rng.choices([1, 2, 3, 4, 5], weights=[2, 4, 5, 3, 1])[0],
        }
        if choice == need:
            answers[why.pk] = f"住{household.floor}楼，" + rng.choice(
                WORDS[:1] + WORDS[5:6]
            )
        if rng.random() < 0.35:
            answers[words.pk] = rng.choice(WORDS)
        on_paper = number % 5 == 0  # every fifth, an elderly resident's paper form
        response = services.response_submit(
            campaign=campaign,
            household=household,
            answers=answers,
            actor=community_user if on_paper else Resident(household),
            paper_date=_paper_day(rng) if on_paper else None,
        )
        if words.pk in answers and replied < 6:
            status, text = REPLIES[replied % len(REPLIES)]
            services.reply_set(
                response=response,
                question=words,
                status=status,
                text=text,
                actor=street_user,
            )
            replied += 1
    return f"征询：{OPEN_TITLE}，{len(answering)}/{len(households)} 户已作答。"


@transaction.atomic
def _closed_campaign(estate, rng, street_user) -> str:
    if Campaign.objects.filter(estate=estate, title=CLOSED_TITLE).exists():
        return ""
    campaign = services.campaign_create(
        estate=estate,
        title=CLOSED_TITLE,
        actor=street_user,
        phase=Campaign.Phase.AFTER,
        channel=Campaign.Channel.DOOR_TO_DOOR,
    )
    rating = services.question_create(
        campaign=campaign,
        kind=Question.Kind.RATING,
        prompt="楼道整治完成后，您对楼道环境满意吗？",
        required=True,
        actor=street_user,
    )
    relapse = services.question_create(
        campaign=campaign,
        kind=Question.Kind.MULTIPLE,
        prompt="整治后又出现了哪些问题？（可多选）",
        actor=street_user,
    )
    options = [
        services.option_create(question=relapse, label=label, actor=street_user)
        for label in ("杂物又堆积", "电动车进楼道", "楼道灯又坏了", "没有出现问题")
    ]
    services.campaign_set_status(campaign=campaign, status="open", actor=street_user)
    households = list(households_in_campaign(campaign).order_by("pk"))
    answering = rng.sample(households, k=round(len(households) * 0.6))
    for household in answering:
        picked = rng.sample(options[:3], k=rng.randint(0, 2)) or [options[3]]
        services.response_submit(
            campaign=campaign,
            household=household,
            answers={
                rating.pk: rng.choices([2, 3, 4, 5], weights=[1, 2, 5, 4])[0],
                relapse.pk: [option.pk for option in picked],
            },
            actor=street_user,
            paper_date=_paper_day(rng),
        )
    services.campaign_set_status(campaign=campaign, status="closed", actor=street_user)
    return f"征询：{CLOSED_TITLE}（已结束），{len(answering)} 户作答。"


@transaction.atomic
def _elevator_vote(estate, rng, community_user) -> str:
    if Vote.objects.filter(estate=estate, title=VOTE_TITLE).exists():
        return ""
    building = estate.buildings.order_by("name").first()
    if building is None:
        return ""
    vote = services.vote_create(
        estate=estate,
        building=building,
        unit=1,
        matter=7,
        item=MenuItem.objects.get(name="加装电梯"),
        title=VOTE_TITLE,
        description="在1栋1单元北侧加装电梯一部，费用按楼层分摊，"
        "一楼住户不分摊并获得采光补偿，电梯由自管委员会管理。",
        actor=community_user,
    )
    services.vote_set_status(vote=vote, status="open", actor=community_user)
    households = list(households_in_vote(vote).order_by("floor", "pk"))
    for household in households:
        if household.occupancy == Household.Occupancy.UNSOLD or rng.random() < 0.05:
            continue
        choice = "no" if household.floor <= 1 and rng.random() < 0.5 else "yes"
        if rng.random() < 0.1:
            choice = "abstain"
        by_proxy = rng.random() < 0.1  # a son or daughter signs with a written proxy
        services.ballot_cast(
            vote=vote,
            household=household,
            choice=choice,
            actor=community_user,
            paper_date=_paper_day(rng),
            proxy_name="业主子女" if by_proxy else "",
            proxy_document="书面授权委托书" if by_proxy else "",
        )
    # The flat whose window the shaft passes consents in writing.
    ground = next((h for h in households if h.floor <= 1), None)
    if ground is not None:
        services.consent_record(
            vote=vote,
            household=ground,
            consented=True,
            document="采光补偿协议及书面同意书",
            actor=community_user,
        )
    services.vote_set_status(vote=vote, status="closed", actor=community_user)
    vote.refresh_from_db()
    outcome = "通过" if vote.passed else "未通过"
    return f"表决：{VOTE_TITLE}，{outcome}。"


def _picture(label: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 420), (143, 188, 143))
    ImageDraw.Draw(image).text((20, 20), label, fill=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return SimpleUploadedFile(f"{label}.jpg", buffer.getvalue(), "image/jpeg")


@transaction.atomic
def _meetings(tengcui, yihong, street_user) -> str:
    made = 0
    plans = [
        (
            tengcui,
            datetime.datetime(2026, 9, 12, 19, 30),
            "7号楼下凉亭",
            "加装电梯方案和费用分摊；楼道杂物长效管理",
            "四方协同：街道、社区、设计单位、专业咨询机构与居民代表商议加装电梯方案。"
            "一楼住户提出采光顾虑，设计单位调整井道位置。",
        ),
        (
            yihong,
            datetime.datetime(2026, 10, 18, 9, 30),
            "逸鸿花园活动室",
            "停车位规划方案公示后的意见",
            "居民对停车位划线方案提出修改意见，党员带头协商，同意保留消防通道。",
        ),
    ]
    for estate, held, place, agenda, minutes in plans:
        held_at = timezone.make_aware(held)
        if Meeting.objects.filter(estate=estate, held_at=held_at).exists():
            continue
        meeting = services.meeting_create(
            estate=estate,
            actor=street_user,
            held_at=held_at,
            place=place,
            agenda=agenda,
            minutes=minutes,
            other_attendees=12,
        )
        for name, role in [
            ("街道城建办", "street"),
            ("社区居委会", "community"),
            ("专业咨询机构", "consultant"),
            ("设计单位", "designer"),
            ("陈伟（党员）", "party"),
            ("李芳（议事代表）", "representative"),
            ("张建国", "resident"),
        ]:
            services.meeting_participant_add(
                meeting=meeting, name=name, role=role, actor=street_user
            )
        campaigns = list(Campaign.objects.filter(estate=estate))
        problems = list(Problem.objects.filter(estate=estate)[:2])
        services.meeting_decision_add(
            meeting=meeting,
            text="同意按居民意见调整方案，并在公示栏公示七天。",
            items=MenuItem.objects.filter(name__in=["加装电梯", "停车位规划与划线"]),
            problems=problems,
            campaigns=campaigns,
            actor=street_user,
        )
        services.meeting_photo_add(
            meeting=meeting,
            image_file=_picture("meeting"),
            caption="小院议事庭现场（示例图片）",
            actor=street_user,
        )
        made += 1
    return f"小院议事庭：新增 {made} 场。" if made else ""


@transaction.atomic
def _interviews(tengcui, yihong, street_user) -> str:
    plans = [
        (
            tengcui,
            Interview.Group.ELDERLY,
            6,
            "老人普遍反映上下楼困难，希望加装电梯和扶手。",
            ["加装电梯", "适老化与无障碍改造"],
        ),
        (
            tengcui,
            Interview.Group.TENANTS,
            4,
            "租户关心电动车充电和快递存放。",
            ["电动自行车集中充电棚", "智能快递柜"],
        ),
        (
            yihong,
            Interview.Group.SHOP_OWNERS,
            3,
            "临街商户希望规范停车，方便顾客。",
            ["停车位规划与划线"],
        ),
    ]
    made = 0
    held_on = datetime.date(2026, 9, 5)
    for estate, group, count, notes, names in plans:
        if Interview.objects.filter(estate=estate, group=group).exists():
            continue
        services.interview_create(
            estate=estate,
            group=group,
            held_on=held_on,
            interviewer="社区网格员",
            interviewee_count=count,
            notes=notes,
            items=MenuItem.objects.filter(name__in=names),
            problems=Problem.objects.filter(estate=estate)[:1],
            actor=street_user,
        )
        made += 1
    return f"分层分类访谈：新增 {made} 次。" if made else ""
