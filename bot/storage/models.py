"""Every table, imported in one place so Alembic and the model/migration test see the whole schema."""
from bot.cases.models import (
    Alert, Case, CaseEvent, CaseIntake, CaseSequence, OfficerPrompt, RelayMessage,
)
from bot.checkins.models import Checkin, CheckinSchedule
from bot.storage.base import Base
from bot.storage.dedup import ProcessedUpdate
from bot.workers.models import Officer, Worker
from knowledge_base.overrides import KbChange

__all__ = ["Alert", "Base", "Case", "CaseEvent", "CaseIntake", "CaseSequence", "OfficerPrompt", "RelayMessage",
           "KbChange", "Officer", "ProcessedUpdate", "Worker", "Checkin", "CheckinSchedule"]
