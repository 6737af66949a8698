import os

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://shop@localhost/shop")
SESSION_TTL_SECONDS = int(os.environ.get("SESSION_TTL_SECONDS", "3600"))
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
