"""django-otp's TOTP secrets (in clear) become sealed devices; the clear rows are deleted."""

from django.db import migrations

from egide.mfa.legacy import legacy_totp_secrets_seal


class Migration(migrations.Migration):
    dependencies = [
        ("mfa", "0001_initial"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(legacy_totp_secrets_seal, migrations.RunPython.noop)]
