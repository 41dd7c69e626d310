"""An over-long username at the login form is refused like any wrong login, on every database.

Axes keeps the name in a 255-character column: a longer one was a 500 on PostgreSQL.
"""

import pytest
from axes.models import AccessAttempt


@pytest.mark.django_db
@pytest.mark.parametrize("length", [151, 256, 400])
def test_an_overlong_username_is_refused_cleanly_and_still_counted(client, length):
    response = client.post("/accounts/login/", {"username": "x" * length, "password": "wrong"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["x" * 150]
