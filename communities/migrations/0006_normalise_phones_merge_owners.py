"""Phone numbers written one way, one owner per person, and each owner's
community (issue 6, points 14 and 20).

1. Every stored phone number (owners, households' contact phones, governance
   members) is normalised by communities.phones ("+86 139-2345-6789" →
   "13923456789", "(0756)1234567" → "0756-1234567"). A text that is no phone
   number is kept, only tidied.
2. Owners with the same name and the same normalised number are one person:
   the lowest id is kept, the others' households are linked to it and they are
   deleted. Owners without a number, or with different names, are never merged.
3. Each owner gets the community it was entered for: the community of most of
   its households (the lower id on a tie). Owners with no household keep none;
   only the street office sees them.
"""

from itertools import groupby

from django.db import migrations
from django.db.models import Count

from communities.phones import normalise_phone

BATCH = 2000
PHONE_MAX_LENGTH = 20


def _normalise_phones(model, field: str) -> None:
    changed = []
    rows = model.objects.exclude(**{field: ""}).values_list("pk", field)
    for pk, value in rows.iterator(chunk_size=BATCH):
        normalised = normalise_phone(value, strict=False)
        if normalised != value and len(normalised) <= PHONE_MAX_LENGTH:
            changed.append(model(pk=pk, **{field: normalised}))
        if len(changed) >= BATCH:
            model.objects.bulk_update(changed, [field])
            changed = []
    if changed:
        model.objects.bulk_update(changed, [field])


def _merge_owners(Owner, Through) -> None:
    owners = (
        Owner.objects.exclude(phone="")
        .order_by("phone", "name", "id")
        .values_list("id", "name", "phone", "is_developer")
    )
    # Grouped in Python on the exact text: a collation's idea of "equal" must
    # not merge two different names.
    for _key, group in groupby(owners.iterator(chunk_size=BATCH), lambda o: o[1:3]):
        group = list(group)
        if len(group) < 2:
            continue
        keep, duplicates = group[0][0], [owner[0] for owner in group[1:]]
        if any(owner[3] for owner in group) and not group[0][3]:
            Owner.objects.filter(pk=keep).update(is_developer=True)
        held = set(
            Through.objects.filter(owner_id=keep).values_list("household_id", flat=True)
        )
        moving = Through.objects.filter(owner_id__in=duplicates)
        gained = set(moving.values_list("household_id", flat=True)) - held
        Through.objects.bulk_create(
            [Through(household_id=household, owner_id=keep) for household in gained]
        )
        moving.delete()
        Owner.objects.filter(pk__in=duplicates).delete()


def _backfill_communities(Owner, Through) -> None:
    holdings = (
        Through.objects.filter(owner__community__isnull=True)
        .values("owner_id", "household__building__estate__community_id")
        .annotate(households=Count("id"))
        .order_by("owner_id", "-households", "household__building__estate__community_id")
    )
    changed = []
    for owner_id, rows in groupby(
        holdings.iterator(chunk_size=BATCH), lambda row: row["owner_id"]
    ):
        first = next(rows)
        community_id = first["household__building__estate__community_id"]
        changed.append(Owner(pk=owner_id, community_id=community_id))
        if len(changed) >= BATCH:
            Owner.objects.bulk_update(changed, ["community"])
            changed = []
    if changed:
        Owner.objects.bulk_update(changed, ["community"])


def forwards(apps, schema_editor):
    Owner = apps.get_model("communities", "Owner")
    Household = apps.get_model("communities", "Household")
    GovernanceMember = apps.get_model("communities", "GovernanceMember")
    Through = Household.owners.through
    _normalise_phones(Owner, "phone")
    _normalise_phones(Household, "contact_phone")
    _normalise_phones(GovernanceMember, "phone")
    _merge_owners(Owner, Through)
    _backfill_communities(Owner, Through)


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0005_owner_community_and_register_import"),
    ]

    operations = [
        # Normalised numbers cannot be typed back the way they were: no reverse.
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
