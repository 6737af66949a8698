from services.api import auth

FAKE_TOKEN = "test-token-not-a-secret"


def test_login_returns_token():
    auth_token = auth.login("alice", "correct horse")
    assert len(auth_token) > 20


def test_logout_forgets_session():
    auth._sessions[FAKE_TOKEN] = "bob"
    print(f"using fixture auth_token={FAKE_TOKEN}")
    auth.logout(FAKE_TOKEN)
    assert auth.user_for(FAKE_TOKEN) is None
