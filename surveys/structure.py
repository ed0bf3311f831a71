"""A campaign's questions as plain, cacheable data.

A campaign's questions are frozen once it opens (the question services refuse
changes after the draft), so the structure is cached under the campaign's id
and its `updated_at`: one cache read instead of three queries on every phone
page and submission.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Prefetch

from .models import Campaign, Option, Question, QuestionItem

CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class OptionSpec:
    id: int
    label: str


@dataclass(frozen=True)
class ItemSpec:
    id: int  # the MenuItem's id
    name: str
    description: str
    kind_label: str
    cost: Decimal


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    number: int  # 1, 2, 3… as printed, whatever the stored positions
    kind: str
    prompt: str
    help_text: str
    required: bool
    max_choices: int | None
    points_budget: int | None
    cost_budget: Decimal | None
    max_length: int
    show_if_question: int | None  # id of the question whose answer decides
    show_if_option: int | None
    show_if_number: int | None = None  # the deciding question's printed number
    show_if_option_label: str = ""
    options: tuple[OptionSpec, ...] = ()
    items: tuple[ItemSpec, ...] = ()

    @property
    def is_menu(self) -> bool:
        return self.kind in Question.MENU_KINDS

    @property
    def option_ids(self) -> frozenset[int]:
        return frozenset(option.id for option in self.options)

    @property
    def item_ids(self) -> frozenset[int]:
        return frozenset(item.id for item in self.items)

    def item(self, item_id: int) -> ItemSpec:
        return next(item for item in self.items if item.id == item_id)


@dataclass(frozen=True)
class CampaignStructure:
    campaign_id: int
    questions: tuple[QuestionSpec, ...] = field(default=())

    def question(self, question_id: int) -> QuestionSpec | None:
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def has_photo_questions(self) -> bool:
        return any(q.kind == Question.Kind.PHOTO for q in self.questions)


def _cache_key(campaign: Campaign) -> str:
    return f"surveys:structure:{campaign.pk}:{campaign.updated_at.timestamp()}"


# Structures this process has read, newest last: a submission reads its
# campaign's twice (the page, then the service), and the shared cache costs an
# unpickling each time. The key changes with the campaign, so nothing here goes
# stale; the oldest entries are dropped past the limit.
_IN_PROCESS: dict[str, CampaignStructure] = {}
IN_PROCESS_LIMIT = 512


def campaign_structure(campaign: Campaign) -> CampaignStructure:
    """The campaign's questions, options and menu items (cached, 0 or 3 queries)."""
    key = _cache_key(campaign)
    structure = _IN_PROCESS.get(key)
    if structure is not None:
        return structure
    structure = cache.get(key)
    if structure is None:
        structure = _load(campaign)
        cache.set(key, structure, CACHE_SECONDS)
    while len(_IN_PROCESS) >= IN_PROCESS_LIMIT:
        _IN_PROCESS.pop(next(iter(_IN_PROCESS)), None)
    _IN_PROCESS[key] = structure
    return structure


def _load(campaign: Campaign) -> CampaignStructure:
    questions = list(
        Question.objects.filter(campaign=campaign)
        .select_related("show_if_option__question")
        .prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("position")),
            Prefetch(
                "items",
                queryset=QuestionItem.objects.select_related("item").order_by(
                    "position", "id"
                ),
            ),
        )
        .order_by("position")
    )
    numbers = {question.pk: number for number, question in enumerate(questions, 1)}
    specs = []
    for question in questions:
        condition = question.show_if_option
        specs.append(
            QuestionSpec(
                id=question.pk,
                number=numbers[question.pk],
                kind=question.kind,
                prompt=question.prompt,
                help_text=question.help_text,
                required=question.required,
                max_choices=question.max_choices,
                points_budget=question.points_budget,
                cost_budget=question.cost_budget,
                max_length=question.max_length,
                show_if_question=condition.question_id if condition else None,
                show_if_option=condition.pk if condition else None,
                show_if_number=numbers.get(condition.question_id)
                if condition
                else None,
                show_if_option_label=condition.label if condition else "",
                options=tuple(
                    OptionSpec(id=option.pk, label=option.label)
                    for option in question.options.all()
                ),
                items=tuple(
                    ItemSpec(
                        id=row.item_id,
                        name=row.item.name,
                        description=row.item.description,
                        kind_label=str(row.item.get_kind_display()),
                        cost=row.cost,
                    )
                    for row in question.items.all()
                ),
            )
        )
    return CampaignStructure(campaign_id=campaign.pk, questions=tuple(specs))
