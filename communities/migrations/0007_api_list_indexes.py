# Indexes behind the API lists at province scale: each list's default order
# and the filters used with it (see communities/api/views.py).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0006_normalise_phones_merge_owners'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='estate',
            index=models.Index(fields=['name'], name='estate_name_idx'),
        ),
        migrations.AddIndex(
            model_name='estateneed',
            index=models.Index(fields=['estate', 'kind', 'id'], name='need_estate_kind_id_idx'),
        ),
        migrations.AddIndex(
            model_name='governancebody',
            index=models.Index(fields=['estate', 'kind', 'name'], name='governance_estate_kind_idx'),
        ),
        migrations.AddIndex(
            model_name='household',
            index=models.Index(fields=['occupancy', 'id'], name='household_occupancy_id_idx'),
        ),
        migrations.AddIndex(
            model_name='household',
            index=models.Index(condition=models.Q(('elderly_living_alone', True)), fields=['id'], name='household_alone_id_idx'),
        ),
        migrations.AddIndex(
            model_name='photo',
            index=models.Index(fields=['pair_key', 'id'], name='photo_pair_key_id_idx'),
        ),
        migrations.AddIndex(
            model_name='problem',
            index=models.Index(fields=['status', 'id'], name='problem_status_id_idx'),
        ),
    ]
