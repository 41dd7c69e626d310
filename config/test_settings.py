"""Test settings: the real settings with what tests need fixed at import time (see STACK.md)."""

import os

os.environ.setdefault("HTTPS_ONLY", "0")
# Tests run with DEBUG off, as production does, so they need a key of their own (never a production one).
os.environ.setdefault("SECRET_KEY", "django-insecure-test-only-key-not-for-production")

from .settings import *  # noqa: E402,F403
from .settings import BASE_DIR, REDIS_URL  # noqa: E402

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
NOTIFICATION_BACKEND = "core.notifications.backends.MemoryBackend"
MEDIA_ROOT = BASE_DIR / ".test-media"
FEED_DIR = BASE_DIR / ".test-feeds"
# Tasks run in-process in tests unless a test starts a real worker itself.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
AXES_ENABLED = True
# Counters in this process only: tests on the shared Redis must not see each other's (conftest clears it).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LANGUAGE_CODE = "zh-hans"
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
