"""Update de-duplication: Telegram may deliver an update twice (restart, webhook retry); act on it once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, Database, UTCDateTime


class ProcessedUpdate(Base):
    __tablename__ = "processed_update"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


async def first_time_seen(db: Database, update_id: int, now: datetime) -> bool:
    """Record the update id; False when it was processed before."""
    try:
        async with db.transaction() as session:
            if await session.scalar(select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id)):
                return False
            session.add(ProcessedUpdate(update_id=update_id, received_at=now))
    except IntegrityError:
        return False
    return True
