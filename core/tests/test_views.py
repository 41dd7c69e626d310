import pytest
from django.urls import reverse


@pytest.mark.parametrize("path", ["/", "/stores/", "/sales/test-drives/", "/aftersales/tickets/"])
def test_logged_out_request_redirects_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password_reset/"])
def test_login_and_password_reset_are_public(client, db, path):
    assert client.get(path).status_code == 200


def test_healthz_is_public_and_reports_database_and_broker(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager"}


def test_healthz_names_the_broker_when_redis_is_down(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_login_page_logs_in_and_shows_dashboard(client, staff_user):
    response = client.post(
        reverse("login"), {"username": "staff", "password": "Goodcar-test-2026"}, follow=True, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 200
    assert response.wsgi_request.user == staff_user
    assert "仪表板" in response.content.decode() or "Dashboard" in response.content.decode()


def test_inactive_user_is_logged_out_on_next_request(client, staff_user):
    client.force_login(staff_user)
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])
    response = client.get("/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_does_not_reveal_whether_a_user_exists(client, staff_user, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": staff_user.email})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.cn"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mailoutbox) == 1


def test_language_switch_serves_english(client, staff_user):
    client.force_login(staff_user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/")
    assert '<html lang="en">' in response.content.decode()
