"""Officer roles and duty, managed by admins. Bootstrap admins come from config (settings.admin_ids) and cannot
be removed here; everybody else lives in the officer table."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.service import CaseError
from bot.workers.models import Officer

ROLES = ("officer", "supervisor", "admin")


async def add_officer(session: AsyncSession, user_id: int, role: str, now: datetime, name: str = "") -> Officer:
    """Add an officer or change the role of an existing one."""
    if role not in ROLES:
        raise CaseError("bad_value", f"role {role!r}")
    if user_id <= 0:
        raise CaseError("bad_value", "user id must be a positive Telegram user id")
    officer = await session.get(Officer, user_id)
    if officer is None:
        officer = Officer(telegram_user_id=user_id, name=(name or "")[:100], role=role, on_duty=True, created_at=now)
        session.add(officer)
    else:
        officer.role = role
        if name:
            officer.name = name[:100]
    await session.flush()
    return officer


async def remove_officer(session: AsyncSession, user_id: int, bootstrap_admins: frozenset[int]) -> bool:
    if user_id in bootstrap_admins:
        raise CaseError("bootstrap_admin")
    officer = await session.get(Officer, user_id)
    if officer is None:
        return False
    await session.delete(officer)
    await session.flush()
    return True


async def list_officers(session: AsyncSession) -> list[Officer]:
    rows = await session.scalars(select(Officer).order_by(Officer.role, Officer.telegram_user_id))
    return list(rows)


async def set_on_duty(session: AsyncSession, user_id: int, on_duty: bool) -> Officer | None:
    officer = await session.get(Officer, user_id)
    if officer is not None:
        officer.on_duty = on_duty
    return officer
