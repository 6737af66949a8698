from .auth import user_for


def profile(auth_token: str) -> dict:
    user_id = user_for(auth_token)
    return {"id": user_id, "name": user_id.title() if user_id else None}
