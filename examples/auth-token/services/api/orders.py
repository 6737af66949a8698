import logging

from .auth import user_for
from .util.redact import redact

logger = logging.getLogger("api.orders")


def list_orders(auth_token: str) -> list[dict]:
    user_id = user_for(auth_token)
    if user_id is None:
        logger.error("unknown session auth_token=%s", auth_token)
        raise PermissionError("not logged in")
    return [{"id": 1, "user": user_id, "total": 42}]


def cancel_order(auth_token: str, order_id: int) -> None:
    user_id = user_for(auth_token)
    logger.info("cancel order %s for %s", order_id, user_id)
