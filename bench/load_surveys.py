"""Fill the bench database's order menu at province scale with set-based SQL.

On top of bench.load_scale's register: an access code for every household, an
open campaign in every estate with four questions (a menu ranking of six
items, a single choice, a rating and a free text), and 750,000 responses of
four answers each: 3,000,000 answer rows, with a version per response.
"""

from django.db import connection, transaction

RESPONDING_PER_HUNDRED = 19  # households answering, per hundred
MENU_ITEMS_PER_QUESTION = 6
OPTIONS = ["需要", "不需要", "无所谓"]


@transaction.atomic
def load_surveys() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            TRUNCATE surveys_reply, surveys_responseversion, surveys_answer,
                surveys_response, surveys_questionitem, surveys_option,
                surveys_question, surveys_statuschange, surveys_campaign,
                surveys_accesscode RESTART IDENTITY CASCADE
            """
        )
        # Codes of the printed alphabet (hex digits are in it), one per household.
        cursor.execute(
            """
            INSERT INTO surveys_accesscode (household_id, code, is_active, issued_at)
            SELECT id, upper(substr(md5('bench-' || id), 1, 15)), true, now()
            FROM communities_household
            """
        )
        cursor.execute(
            """
            INSERT INTO surveys_campaign (estate_id, is_template, title, description,
                phase, channel, opens_at, closes_at, status, created_at, updated_at)
            SELECT id, false, '改造内容征询' || id, '', 'before', 'online',
                now() - interval '1 day', now() + interval '60 days', 'open',
                now(), now()
            FROM communities_estate
            """
        )
        cursor.execute(
            """
            INSERT INTO surveys_question (campaign_id, position, kind, prompt,
                help_text, required, max_choices, max_length)
            SELECT c.id, q.position, q.kind, q.prompt, '', q.position = 1,
                CASE WHEN q.kind = 'menu_rank' THEN 3 END, 500
            FROM surveys_campaign c,
                (VALUES (1, 'menu_rank', '请选出最希望改造的项目并排序'),
                        (2, 'single', '您家是否需要加装电梯？'),
                        (3, 'rating', '您对小区环境满意吗？'),
                        (4, 'text', '还有什么意见和建议？'))
                    AS q(position, kind, prompt)
            """
        )
        cursor.execute(
            """
            INSERT INTO surveys_option (question_id, position, label)
            SELECT q.id, o.position, o.label
            FROM surveys_question q,
                unnest(%s::text[]) WITH ORDINALITY AS o(label, position)
            WHERE q.kind = 'single'
            """,
            [OPTIONS],
        )
        cursor.execute(
            """
            INSERT INTO surveys_questionitem (question_id, item_id, position, cost)
            SELECT q.id, m.id, m.position, coalesce(m.unit_cost, 0)
            FROM surveys_question q,
                (SELECT id, unit_cost, row_number() OVER (ORDER BY id) AS position
                 FROM surveys_menuitem ORDER BY id LIMIT %s) m
            WHERE q.kind = 'menu_rank'
            """,
            [MENU_ITEMS_PER_QUESTION],
        )
        # Responses of the households whose id ends in 00-18 (ids are dense).
        cursor.execute(
            """
            INSERT INTO surveys_response (campaign_id, household_id, channel,
                version, submitted_at, updated_at)
            SELECT c.id, h.id, 'online', 1, now(), now()
            FROM communities_household h
            JOIN communities_building b ON b.id = h.building_id
            JOIN surveys_campaign c ON c.estate_id = b.estate_id
            WHERE h.id %% 100 < %s
            """,
            [RESPONDING_PER_HUNDRED],
        )
        # Four answers each: two ranked items, an option and a rating.
        cursor.execute(
            """
            INSERT INTO surveys_answer (response_id, question_id, option_id,
                item_id, rank, points, rating, text, photo)
            SELECT r.id, q.id, NULL::bigint, qi.item_id, qi.position::smallint,
                NULL::integer, NULL::smallint, '', ''
            FROM surveys_response r
            JOIN surveys_question q ON q.campaign_id = r.campaign_id
                AND q.kind = 'menu_rank'
            JOIN surveys_questionitem qi ON qi.question_id = q.id
                AND qi.position <= 2
            UNION ALL
            SELECT r.id, q.id, o.id, NULL, NULL, NULL, NULL, '', ''
            FROM surveys_response r
            JOIN surveys_question q ON q.campaign_id = r.campaign_id
                AND q.kind = 'single'
            JOIN surveys_option o ON o.question_id = q.id
                AND o.position = 1 + r.household_id % 3
            UNION ALL
            SELECT r.id, q.id, NULL, NULL, NULL, NULL,
                (1 + r.household_id % 5)::smallint, '', ''
            FROM surveys_response r
            JOIN surveys_question q ON q.campaign_id = r.campaign_id
                AND q.kind = 'rating'
            """
        )
        cursor.execute(
            """
            INSERT INTO surveys_responseversion (response_id, version, answers,
                channel, saved_at)
            SELECT a.response_id, 1,
                jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                    'question', a.question_id, 'option', a.option_id,
                    'item', a.item_id, 'rank', a.rank, 'rating', a.rating))),
                'online', now()
            FROM surveys_answer a
            GROUP BY a.response_id
            """
        )
        cursor.execute("ANALYZE")
