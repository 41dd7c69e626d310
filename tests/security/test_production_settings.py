"""Production settings: `check --deploy` clean, HTTPS-only cookies and HSTS, clickjacking, a strict
CSP, no debug pages, no secret in the repository."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "DEBUG", "HTTPS_ONLY", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "portal.goodcar.example",
            "CSRF_TRUSTED_ORIGINS": "https://portal.goodcar.example",
            "DATABASE_URL": "sqlite:////tmp/goodcar-deploy-check.sqlite3",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_with_the_development_key():
    """The check bites: without a real SECRET_KEY production settings are refused."""
    env = production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "CONTENT_SECURITY_POLICY", "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE")}, default=list))
"""


def production_settings() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=production_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_are_https_only_with_hsts_and_no_framing():
    s = production_settings()
    assert s["DEBUG"] is False
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and s["SECURE_HSTS_PRELOAD"] is True
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["SESSION_COOKIE_AGE"] <= 12 * 3600 and s["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def test_content_security_policy_forbids_inline_and_foreign_scripts():
    directives = production_settings()["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    for name in ("default-src", "script-src"):
        assert directives[name] == ["'self'"], name
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"] and directives["form-action"] == ["'self'"]
    for values in directives.values():
        assert not any(v.startswith(("http:", "https:", "*")) for v in values)
    # 'unsafe-inline' nowhere for scripts; styles see SECURITY.md.
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]


def test_pages_carry_csp_and_anti_framing_headers(staff_client):
    response = staff_client.get("/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_https_redirect_and_hsts_header_in_production(db):
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True):
        client = Client()
        response = client.get("/accounts/login/")
        assert response.status_code == 301 and response["Location"].startswith("https://")
        secure = client.get("/accounts/login/", secure=True)
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_debug_page_for_a_missing_page_or_a_crash(staff_client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.security.crash_urls"
    missing = staff_client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "URLconf" not in missing.content.decode() and "Traceback" not in missing.content.decode()
    client = Client(raise_request_exception=False)
    client.force_login(missing.wsgi_request.user)
    crash = client.get("/crash/")
    assert crash.status_code == 500
    body = crash.content.decode()
    assert "Traceback" not in body and "secret-in-the-traceback" not in body and "settings" not in body.lower()


# --- no secret in the repository --------------------------------------------------------------

SECRET_PATTERNS = [
    re.compile(r"-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    re.compile(r"AKIA[0-9A-Z]{16}"),  # AWS access key id
    re.compile(r"gh[pousr]_[A-Za-z0-9]{36}"),  # GitHub token
    re.compile(r"xox[baprs]-[A-Za-z0-9-]{10,}"),  # Slack token
    re.compile(r"(?i)\b(secret_key|password|passwd|api_key|token)\b\s*=\s*['\"][^'\"\s]{24,}['\"]"),
    re.compile(r"(?i)postgres(ql)?://[^:/\s]+:[^@\s]{6,}@"),  # a database URL with a password
]
ALLOWED = ("django-insecure-dev-only-key-not-for-production",)


def test_no_secret_is_committed():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    found = []
    for name in listed.stdout.decode().split("\0"):
        path = ROOT / name
        if not name or not path.is_file() or path.suffix in (".mo", ".png", ".jpg", ".woff2", ".map", ".ico"):
            continue
        if path.stat().st_size > 2_000_000:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for pattern in SECRET_PATTERNS:
            found += [
                f"{name}: {m.group(0)[:40]}"
                for m in pattern.finditer(text)
                if not any(a in m.group(0) for a in ALLOWED)
            ]
    assert not found, found
    assert not (ROOT / ".env").exists() or ".env" in (ROOT / ".gitignore").read_text()


def test_production_refuses_to_start_without_a_secret_key_naming_the_setting():
    env = production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr
    assert "django-insecure" not in result.stderr


def test_production_refuses_an_empty_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=production_env(SECRET_KEY=""),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_debug_runs_without_a_secret_key_on_the_development_key():
    env = production_env(DEBUG="1")
    env.pop("SECRET_KEY")
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("django-insecure")
