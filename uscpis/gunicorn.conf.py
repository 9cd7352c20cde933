"""Gunicorn settings for the `web` process (see Procfile)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 30
accesslog = "-"
# The path without its query string: a search in the admin may carry a patient's name.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss'
# Nor the one-time token of a password-reset link.
logger_class = "uscpis.access_log.AccessLogger"
# Django alone decides whether a request came over HTTPS: it believes X-Forwarded-Proto only from
# TRUSTED_PROXIES (uscpis/middleware.py), so gunicorn must not act on it from its own allow-list.
secure_scheme_headers = {}
