from django.db import migrations


def create_default_menu(apps, schema_editor):
    from surveys.menu_defaults import menu_ensure_defaults

    menu_ensure_defaults(apps.get_model("surveys", "MenuItem"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create_default_menu, migrations.RunPython.noop)]
