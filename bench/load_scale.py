"""Fill the bench database at province scale with set-based SQL (seconds, not hours).

4,000,000 households in 40,000 estates of 1,000 communities; 10 households per
building; one owner per household; 5 problems, 10 photos (rows only: the API
lists never open the files), 2 needs and 2 governance bodies of 3 members per
estate. All rows are synthetic and marked as sample data.
"""

from django.db import connection, transaction

COMMUNITIES = 1_000
ESTATES = 40_000
HOUSEHOLDS_PER_BUILDING = 10
BUILDINGS_PER_ESTATE = 10
PROBLEMS_PER_ESTATE = 5
PHOTOS_PER_ESTATE = 10
NEEDS_PER_ESTATE = 2
GOVERNANCE_BODIES_PER_ESTATE = 2
MEMBERS_PER_BODY = 3


def _has_column(cursor, table: str, column: str) -> bool:
    cursor.execute(
        "SELECT 1 FROM information_schema.columns"
        " WHERE table_name = %s AND column_name = %s",
        [table, column],
    )
    return cursor.fetchone() is not None


@transaction.atomic
def load(households: int = 4_000_000) -> None:
    estates = max(1, households // (BUILDINGS_PER_ESTATE * HOUSEHOLDS_PER_BUILDING))
    communities = max(1, min(COMMUNITIES, estates // 10))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            TRUNCATE communities_household_owners, communities_household,
                communities_owner, communities_problemstatuschange,
                communities_problem, communities_photo, communities_building,
                communities_estateneed, communities_governancemember,
                communities_governancebody, communities_estate
                RESTART IDENTITY CASCADE
            """
        )
        cursor.execute(
            """
            INSERT INTO communities_community (name, address, notes)
            SELECT 'Bench社区' || g, '', '' FROM generate_series(1, %s) g
            ON CONFLICT (name) DO NOTHING
            """,
            [communities],
        )
        cursor.execute(
            """
            INSERT INTO communities_estate (
                community_id, name, address, build_year, land_area, floor_area,
                building_count, household_count, resident_count, elderly_60_count,
                elderly_80_count, disabled_count, children_count, low_income_count,
                tenant_share, management_model, has_owners_committee,
                maintenance_fund, notes, is_sample, created_at, updated_at)
            SELECT c.ids[1 + (g %% array_length(c.ids, 1))], 'Bench小区' || g,
                '示例路' || g || '号', 1980 + (g %% 25), 15000, 24000,
                %s, %s, %s * 3, %s * 3 * (10 + g %% 25) / 100,
                %s * 3 * (10 + g %% 25) / 500, g %% 9,
                g %% 60, g %% 7, (g %% 40), 'none', false, 0, '', true, now(), now()
            FROM generate_series(1, %s) g,
                (SELECT array_agg(id) ids FROM communities_community) c
            """,
            [
                BUILDINGS_PER_ESTATE,
                BUILDINGS_PER_ESTATE * HOUSEHOLDS_PER_BUILDING,
                BUILDINGS_PER_ESTATE * HOUSEHOLDS_PER_BUILDING,
                BUILDINGS_PER_ESTATE * HOUSEHOLDS_PER_BUILDING,
                BUILDINGS_PER_ESTATE * HOUSEHOLDS_PER_BUILDING,
                estates,
            ],
        )
        cursor.execute(
            """
            INSERT INTO communities_building (estate_id, name, storeys, unit_count,
                has_elevator)
            SELECT e.id, b || '栋', 4 + (b %% 4), 1 + (b %% 2), b %% 5 = 0
            FROM communities_estate e, generate_series(1, %s) b
            """,
            [BUILDINGS_PER_ESTATE],
        )
        cursor.execute(
            """
            INSERT INTO communities_household (building_id, unit, number, floor,
                exclusive_area, area_basis, contact_phone, occupancy, resident_count,
                elderly_living_alone, has_disabled_member, has_children)
            SELECT b.id, 1, (100 * (1 + h / 2) + h %% 2 + 1)::text, 1 + h / 2,
                60 + (b.id + h) %% 70, 'registered', '',
                (ARRAY['owner','owner','owner','owner','owner','owner','rented',
                       'rented','vacant','unsold'])[1 + (b.id + h) %% 10],
                1 + h %% 4, h = 7, h = 3, h %% 3 = 0
            FROM communities_building b, generate_series(0, %s - 1) h
            ORDER BY b.id, h
            """,
            [HOUSEHOLDS_PER_BUILDING],
        )
        # One owner per household, in household order: owner id = household id.
        community = _has_column(cursor, "communities_owner", "community_id")
        cursor.execute(
            f"""
            INSERT INTO communities_owner (name, phone, is_developer
                {", community_id" if community else ""})
            SELECT '业主' || h.id, '139' || lpad(h.id::text, 8, '0'), false
                {", e.community_id" if community else ""}
            FROM communities_household h
            JOIN communities_building b ON b.id = h.building_id
            JOIN communities_estate e ON e.id = b.estate_id
            ORDER BY h.id
            """
        )
        cursor.execute(
            """
            INSERT INTO communities_household_owners (household_id, owner_id)
            SELECT id, id FROM communities_household
            """
        )
        cursor.execute(
            """
            INSERT INTO communities_problem (estate_id, building_id, category_id,
                severity, description, source, status, reported_on, created_at)
            SELECT e.id, NULL, cat.ids[1 + ((e.id + p) %% array_length(cat.ids, 1))],
                1 + p %% 3, '示例问题', 'inspection',
                (ARRAY['open','planned','resolved','recurred'])[1 + p %% 4],
                DATE '2026-01-01', now()
            FROM communities_estate e, generate_series(1, %s) p,
                (SELECT array_agg(id) ids FROM communities_problemcategory) cat
            """,
            [PROBLEMS_PER_ESTATE],
        )
        cursor.execute(
            """
            INSERT INTO communities_photo (estate_id, building_id, problem_id, stage,
                caption, pair_key, image, thumbnail_small, thumbnail_large, width,
                height, taken_on, uploaded_by_id, created_at)
            SELECT e.id, NULL, NULL,
                (ARRAY['before','during','after'])[1 + p %% 3], '示例照片',
                'P' || (p / 3), 'photos/bench/' || e.id || '-' || p || '.jpg',
                'photos/thumbs/bench-s.jpg', 'photos/thumbs/bench-l.jpg', 1280, 960,
                DATE '2026-01-01', NULL, now()
            FROM communities_estate e, generate_series(1, %s) p
            """,
            [PHOTOS_PER_ESTATE],
        )
        cursor.execute(
            """
            INSERT INTO communities_estateneed (estate_id, kind, quantity,
                description, created_at)
            SELECT e.id, (ARRAY['meal_point','elevator','charging','parking'])
                [1 + (e.id + n) %% 4], 1 + n, '', now()
            FROM communities_estate e, generate_series(1, %s) n
            """,
            [NEEDS_PER_ESTATE],
        )
        cursor.execute(
            """
            INSERT INTO communities_governancebody (estate_id, kind, name,
                established_on, term_ends_on)
            SELECT e.id, (ARRAY['self_group','liaisons'])[n], '示例组织' || n,
                DATE '2024-01-01', NULL
            FROM communities_estate e, generate_series(1, %s) n
            """,
            [GOVERNANCE_BODIES_PER_ESTATE],
        )
        cursor.execute(
            """
            INSERT INTO communities_governancemember (body_id, name, position,
                is_party_member, phone, building_id, term_start, term_end)
            SELECT g.id, '成员' || m, '成员', m = 1, '', NULL, NULL, NULL
            FROM communities_governancebody g, generate_series(1, %s) m
            """,
            [MEMBERS_PER_BODY],
        )
        cursor.execute("ANALYZE")
