"""What a DEBUG error page (and an error report) may show of the settings and the environment."""

import re

from django.views.debug import SafeExceptionReporterFilter

# A URL carrying credentials: scheme://user:secret@host, scheme://:secret@host or scheme://token@host.
CREDENTIALS_IN_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#\s@]*@", re.IGNORECASE)


class SecretSettingsFilter(SafeExceptionReporterFilter):
    """Django's filter, also hiding URLs and DSNs by name and any value holding credentials in a URL.

    Django hides settings named like API, KEY, SECRET, PASS or TOKEN, but not ``CLOUDINARY_URL``,
    ``REDIS_URL``, ``CACHE_URL`` or ``DATABASE_URL`` (a setting, or an environment variable that a
    development server copies into ``request.META``), nor a URL inside ``STORAGES`` or ``CACHES``.
    """

    hidden_settings = re.compile(SafeExceptionReporterFilter.hidden_settings.pattern + "|URL|DSN", re.IGNORECASE)

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)  # recurses into dicts, lists and tuples through here
        if isinstance(cleansed, str) and CREDENTIALS_IN_URL.search(str(cleansed)):  # str(): lazy strings too
            return self.cleansed_substitute
        return cleansed
