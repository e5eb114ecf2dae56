from django.db import migrations

from toolkit.sdq_bands import BAND_TABLES


def seed(apps, schema_editor):
    table_model = apps.get_model("toolkit", "SDQBandTable")
    for (informant, version), table in BAND_TABLES.items():
        table_model.objects.get_or_create(
            informant=informant, form_version=version,
            defaults={
                "provisional": table["provisional"],
                "scales": {scale: [list(band) for band in bands]
                           for scale, bands in table["scales"].items()},
            },
        )


class Migration(migrations.Migration):
    dependencies = [("toolkit", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
