"""Storage: the SQLAlchemy base, the database handle (one session per update) and Alembic migrations."""
from bot.storage.base import Base, Database, UTCDateTime

__all__ = ["Base", "Database", "UTCDateTime"]
