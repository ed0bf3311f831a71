"""Demo data for `seed_demo`: the 8 real communities of 白藤街道, and one login
per role. Everything invented is marked as sample data (Estate.is_sample)."""

from dataclasses import dataclass, field

from django.db import transaction

from baitang.models import User
from baitang.services import user_ensure

from .models import Community

DEMO_PASSWORD = "baiteng-demo-2026"

COMMUNITY_NAMES = ["好景", "群兴", "团结", "新城", "白藤", "鹤洲", "湖滨", "家和"]


@dataclass
class SeedSummary:
    communities: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        return f"演示数据已就绪：{self.communities} 个社区。"


@transaction.atomic
def seed_demo() -> SeedSummary:
    """Create or refresh the demo data; running it twice changes nothing."""
    summary = SeedSummary()
    communities = {
        name: Community.objects.get_or_create(name=f"{name}社区")[0]
        for name in COMMUNITY_NAMES
    }
    summary.communities = len(communities)
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
    for username, description, role, scope, party_kind in logins:
        user_ensure(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            communities=scope,
            party_kind=party_kind,
            organisation="演示账号",
        )
        summary.logins.append((username, description))
    return summary
