"""A failed report keeps the class of the error that failed it and the reference of its log record (for ADMIN)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0012_document_filter_labels'),
    ]

    operations = [
        migrations.AlterField(
            model_name='generatedreport',
            name='error_message',
            field=models.CharField(blank=True, help_text='What failed, in words its user can act on', max_length=500),
        ),
        migrations.AddField(
            model_name='generatedreport',
            name='error_class',
            field=models.CharField(blank=True, help_text='The error that failed it (shown to ADMIN)', max_length=200),
        ),
        migrations.AddField(
            model_name='generatedreport',
            name='error_reference',
            field=models.CharField(
                blank=True, help_text="The reference of its failure's server log record (shown to ADMIN)", max_length=16
            ),
        ),
    ]
