"""The guided intake of a protection problem, as a small state machine stored in the database.

Steps (named constants, one question each): CONSENT (only when the worker has not agreed to storage) ->
CATEGORY -> WHAT -> SINCE -> WHERE -> EMPLOYER -> SAFE -> CONTACT -> SHARE -> CONFIRM. Each answer is saved at
once, so a restart mid-intake loses nothing. The worker can stop at any step: `submit` opens the case with
what was given. "Safe right now: no" makes it an emergency and submits at once. Knows nothing of Telegram.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import service
from bot.cases.models import CATEGORIES, Case, CaseIntake
from bot.config import Settings
from bot.workers.models import Worker

CONSENT = "consent"
CATEGORY = "category"
WHAT = "what"
SINCE = "since"
WHERE = "where"
EMPLOYER = "employer"
SAFE = "safe"
CONTACT = "contact"
SHARE = "share"
CONFIRM = "confirm"
ORDER = (CATEGORY, WHAT, SINCE, WHERE, EMPLOYER, SAFE, CONTACT, SHARE, CONFIRM)
TEXT_STEPS = (WHAT, SINCE, WHERE, EMPLOYER)
YES_NO_STEPS = (SAFE, CONTACT, SHARE)
EDITABLE = (CATEGORY, WHAT, SINCE, WHERE, EMPLOYER, SAFE, CONTACT, SHARE)
SINCE_CHOICES = ("today", "week", "month", "longer")
HIGH_CATEGORIES = ("abuse", "trafficking", "health")
MAX_EVIDENCE = 30
ANSWER_LIMIT = 1500

_YES = {"ya", "iya", "y", "yes", "yaa", "iyaa", "yup", "ok", "oke", "boleh", "aman", "benar", "betul", "setuju",
        "sudah", "udah", "ya aman", "saya aman", "sy aman"}
_NO = {"tidak", "tdk", "gak", "ga", "gk", "nggak", "ngga", "enggak", "engga", "no", "n", "tak", "belum", "blm",
       "jangan", "tidak boleh", "tidak aman", "gak aman", "ga aman", "gk aman", "tdk aman", "not safe", "nope"}


class IntakeError(ValueError):
    """A button or answer that does not fit the current step (stale or forged data)."""


def parse_yes_no(text: str) -> bool | None:
    words = " ".join((text or "").lower().replace("!", " ").replace(".", " ").split())
    if words in _YES:
        return True
    if words in _NO:
        return False
    return None


def initial_severity(category: str) -> str:
    return "high" if category in HIGH_CATEGORIES else "normal"


async def get_intake(session: AsyncSession, worker_id: int, lock: bool = False) -> CaseIntake | None:
    if lock:
        from sqlalchemy import select

        return await session.scalar(select(CaseIntake).where(CaseIntake.worker_id == worker_id).with_for_update())
    return await session.get(CaseIntake, worker_id)


async def start(session: AsyncSession, worker: Worker, category: str, now: datetime,
                source_text: str | None = None) -> tuple[CaseIntake, bool]:
    """Begin an intake (or return the one in progress). Returns (intake, is_new).

    The worker's first message is kept as the start of their story only when they agreed to storage."""
    if category not in CATEGORIES:
        category = "other"
    intake = await session.get(CaseIntake, worker.id)
    if intake is not None:
        return intake, False
    answers: dict[str, Any] = {}
    if worker.consent and source_text and source_text.strip():
        answers["source_text"] = source_text.strip()[:ANSWER_LIMIT]
    intake = CaseIntake(worker_id=worker.id, category=category, severity=initial_severity(category),
                        step=CATEGORY if worker.consent else CONSENT, answers=answers, evidence=[],
                        started_at=now, updated_at=now)
    session.add(intake)
    await session.flush()
    return intake, True


def _set(intake: CaseIntake, key: str, value: Any, now: datetime) -> None:
    answers = dict(intake.answers or {})  # a new dict, so SQLAlchemy sees the JSON change
    answers[key] = value
    intake.answers = answers
    intake.updated_at = now


def next_step(intake: CaseIntake, after: str) -> str:
    if (intake.answers or {}).get("_editing"):
        return CONFIRM
    index = ORDER.index(after)
    return ORDER[min(index + 1, len(ORDER) - 1)]


def _advance(intake: CaseIntake, after: str, now: datetime) -> None:
    intake.step = next_step(intake, after)
    if intake.step == CONFIRM and (intake.answers or {}).get("_editing"):
        answers = dict(intake.answers)
        answers.pop("_editing", None)
        intake.answers = answers
    intake.updated_at = now


def give_consent(intake: CaseIntake, agreed: bool, now: datetime) -> None:
    if intake.step != CONSENT:
        raise IntakeError("not at the consent step")
    if agreed:
        _set(intake, "storage_consent", "this_case", now)
        intake.step = CATEGORY


def set_category(intake: CaseIntake, category: str, now: datetime) -> None:
    if category not in CATEGORIES:
        raise IntakeError(f"unknown category {category!r}")
    if intake.step == CONSENT:
        raise IntakeError("consent first")
    intake.category = category
    if intake.severity != "emergency":
        intake.severity = initial_severity(category)
    _advance(intake, CATEGORY, now)


def confirm_category(intake: CaseIntake, now: datetime) -> None:
    if intake.step != CATEGORY:
        raise IntakeError("not at the category step")
    _advance(intake, CATEGORY, now)


def answer_text(intake: CaseIntake, text: str, now: datetime) -> None:
    """Free text for the current step. At a button step the text is kept as extra information."""
    text = (text or "").strip()[:ANSWER_LIMIT]
    if not text:
        raise IntakeError("empty answer")
    step = intake.step
    if step == WHAT:
        previous = (intake.answers or {}).get("what")
        _set(intake, "what", f"{previous}\n{text}"[:ANSWER_LIMIT * 2] if previous and not
             (intake.answers or {}).get("_editing") else text, now)
        _advance(intake, WHAT, now)
    elif step == SINCE:
        _set(intake, "since", text, now)
        _advance(intake, SINCE, now)
    elif step == WHERE:
        _set(intake, "where", text, now)
        _advance(intake, WHERE, now)
    elif step == EMPLOYER:
        _set(intake, "employer", text, now)
        _advance(intake, EMPLOYER, now)
    elif step in YES_NO_STEPS and parse_yes_no(text) is not None:
        answer_choice(intake, step, "yes" if parse_yes_no(text) else "no", now)
    elif step == CONSENT:
        raise IntakeError("consent first")  # nothing is stored before consent
    else:
        extra = list((intake.answers or {}).get("extra") or [])
        extra.append(text)
        _set(intake, "extra", extra[-10:], now)


def answer_choice(intake: CaseIntake, step: str, value: str, now: datetime) -> None:
    """A button answer: since:<choice|skip>, where:<ok|skip>, employer:skip, safe/contact/share:<yes|no>."""
    if step != intake.step:
        raise IntakeError(f"button for {step!r} but the intake is at {intake.step!r}")
    if step == SINCE:
        if value not in SINCE_CHOICES + ("skip",):
            raise IntakeError(f"bad since {value!r}")
        _set(intake, "since", None if value == "skip" else value, now)
    elif step == WHERE:
        if value not in ("ok", "skip"):
            raise IntakeError(f"bad where {value!r}")
        _set(intake, "where", "profile" if value == "ok" else None, now)
    elif step == WHAT:
        if value != "skip":
            raise IntakeError(f"bad what {value!r}")
    elif step == EMPLOYER:
        if value != "skip":
            raise IntakeError(f"bad employer {value!r}")
        _set(intake, "employer", None, now)
    elif step in YES_NO_STEPS:
        if value not in ("yes", "no"):
            raise IntakeError(f"bad {step} {value!r}")
        _set(intake, {"safe": "safe_now", "contact": "contact_ok", "share": "share_consent"}[step], value == "yes",
             now)
        if step == SAFE and value == "no":
            intake.severity = "emergency"
    else:
        raise IntakeError(f"no choice at step {step!r}")
    _advance(intake, step, now)


def edit(intake: CaseIntake, field: str, now: datetime) -> None:
    """From the read-back summary: go back to one question, then straight back to the summary."""
    if intake.step != CONFIRM or field not in EDITABLE:
        raise IntakeError(f"cannot edit {field!r} at {intake.step!r}")
    _set(intake, "_editing", True, now)
    if field == WHAT:  # the worker rewrites the story
        _set(intake, "what", None, now)
        _set(intake, "source_text", None, now)
    intake.step = field


def add_evidence(intake: CaseIntake, message_id: int, kind: str, now: datetime) -> bool:
    """Attach a photo, document, voice note, video or location. False before consent or when too many."""
    if intake.step == CONSENT:
        return False
    evidence = list(intake.evidence or [])
    if any(item.get("message_id") == message_id for item in evidence):
        return True
    if len(evidence) >= MAX_EVIDENCE:
        return False
    evidence.append({"message_id": message_id, "kind": kind})
    intake.evidence = evidence
    intake.updated_at = now
    return True


@dataclass(frozen=True)
class Submitted:
    case: Case
    evidence_count: int
    complete: bool


def story(answers: dict[str, Any]) -> str:
    """The worker's account in their words: the first message, what they added, and any extra notes."""
    parts = [answers.get("source_text") or ""]
    what = answers.get("what")
    if what and what not in parts[0]:
        parts.append(what)
    parts.extend(answers.get("extra") or [])
    return "\n".join(p for p in parts if p).strip()


def build_summary(intake: CaseIntake) -> str:
    return story(intake.answers or {})


def build_details(intake: CaseIntake, worker: Worker, name: str | None = None) -> dict[str, Any]:
    answers = intake.answers or {}
    where = answers.get("where")
    if where == "profile":
        where = None
        place = {"country": worker.country, "country_other": worker.country_other, "city": worker.city}
    else:
        place = {}
    details: dict[str, Any] = {
        "source_text": answers.get("source_text"),
        "what": answers.get("what"),
        "since": answers.get("since"),
        "where": where,
        **{k: v for k, v in place.items() if v},
        "employer": answers.get("employer"),
        "safe_now": answers.get("safe_now"),
        "storage_consent": answers.get("storage_consent", "profile"),
        "evidence": len(intake.evidence or []),
        "stopped_at": None if intake.step == CONFIRM else intake.step,
    }
    if name:
        details["name"] = name[:60]
    return {k: v for k, v in details.items() if v is not None}


async def submit(session: AsyncSession, intake: CaseIntake, worker: Worker, now: datetime,
                 settings: Settings | None = None, worker_name: str | None = None) -> Submitted:
    """Open the case with what was given, queue the evidence for the officers, and end the intake."""
    if intake.step == CONSENT:
        raise IntakeError("no consent to store this report")
    answers = intake.answers or {}
    complete = intake.step == CONFIRM
    case = await service.open_case(
        session, worker_id=worker.id, category=intake.category, severity=intake.severity,
        summary=build_summary(intake), source="worker", now=now, actor="worker", settings=settings,
        details=build_details(intake, worker, worker_name), share_consent=answers.get("share_consent"),
        contact_ok=answers.get("contact_ok"),
    )
    evidence = list(intake.evidence or [])
    for item in evidence:
        await service.record_worker_message(
            session, case, service.IncomingMessage(worker.chat_id, int(item["message_id"]), str(item["kind"])), now,
            settings, event_kind="evidence")
    await session.delete(intake)
    await session.flush()
    return Submitted(case=case, evidence_count=len(evidence), complete=complete)


async def discard(session: AsyncSession, worker_id: int) -> bool:
    """Drop an intake without a case (the worker declined consent): nothing of it stays."""
    intake = await session.get(CaseIntake, worker_id)
    if intake is None:
        return False
    await session.delete(intake)
    return True
