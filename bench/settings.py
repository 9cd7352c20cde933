"""The project's settings for the benchmark: its constant-JSON view, loopback only, quiet logs."""

from uscpis.settings import *  # noqa: F403
from uscpis.settings import LOGGING

ROOT_URLCONF = "bench.urls"
# The benchmark's server listens on 127.0.0.1 over plain HTTP; Django's test client says "testserver".
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
# Hundreds of reports are generated: log warnings and errors only.
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}
# Loading draws the demo logins, whose random passwords nobody uses here: hash them cheaply.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
