"""Every table, imported in one place so Alembic and the model/migration test see the whole schema."""
from bot.storage.base import Base
from bot.storage.dedup import ProcessedUpdate
from bot.workers.models import Officer, Worker

__all__ = ["Base", "Officer", "ProcessedUpdate", "Worker"]
