"""A DEBUG error page shows no credentials of the storage, the cache, the queue or the database."""

import sys

from django.views.debug import technical_500_response

SECRETS = {
    "cloudinary": "marker-cloudinary-secret",
    "storages": "marker-storages-secret",
    "redis": "marker-redis-secret",
    "cache": "marker-cache-secret",
    "queue": "marker-queue-secret",
    "broker": "marker-broker-secret",
    "environment": "marker-environment-secret",
    "database": "marker-database-secret",
}


def test_a_debug_error_page_masks_urls_and_any_credentials_in_a_url(rf, settings):
    settings.DEBUG = True
    settings.CLOUDINARY_URL = f"cloudinary://481516:{SECRETS['cloudinary']}@clinic"
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "reports.storage.CloudinaryStorage",
            "OPTIONS": {"url": f"cloudinary://481516:{SECRETS['storages']}@clinic", "connect_timeout": 3},
        },
    }
    settings.REDIS_URL = f"redis://:{SECRETS['redis']}@127.0.0.1:6379/0"
    settings.CACHE_URL = f"redis://clinic:{SECRETS['cache']}@127.0.0.1:6379/1"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.CACHE_URL}
    }
    settings.RQ_QUEUES = {"default": {"URL": f"redis://:{SECRETS['queue']}@127.0.0.1:6379/0"}}
    settings.TASK_BROKER = [f"amqp://clinic:{SECRETS['broker']}@127.0.0.1//"]  # a name Django's filter lets through
    # A development server copies the environment into request.META.
    request = rf.get(
        "/reports",
        CLOUDINARY_URL=f"cloudinary://481516:{SECRETS['environment']}@clinic",
        DATABASE_URL=f"postgres://clinic:{SECRETS['database']}@127.0.0.1:5432/clinic",
    )
    try:
        raise ValueError("a failure while serving")
    except ValueError:
        response = technical_500_response(request, *sys.exc_info())
    page = response.content.decode()
    assert "a failure while serving" in page and "CLOUDINARY_URL" in page and "REDIS_URL" in page
    assert [name for name, secret in SECRETS.items() if secret in page] == []
