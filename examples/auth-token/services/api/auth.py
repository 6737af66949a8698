import logging
import secrets

from .config import SESSION_TTL_SECONDS
from .util.redact import redact

logger = logging.getLogger("api.auth")
_sessions = {}


def login(user_id: str, password: str) -> str:
    if not _check_password(user_id, password):
        logger.warning("login failed for user %s", user_id)
        raise PermissionError("bad credentials")
    auth_token = secrets.token_urlsafe(32)
    _sessions[auth_token] = user_id
    logger.info(f"login ok user={user_id} auth_token={auth_token}")
    return auth_token


def logout(auth_token: str) -> None:
    user_id = _sessions.pop(auth_token, None)
    logger.info(f"logout user={user_id} token={redact(auth_token)}")


def user_for(auth_token: str) -> str | None:
    return _sessions.get(auth_token)


def _check_password(user_id: str, password: str) -> bool:
    return bool(user_id) and len(password) >= 8
