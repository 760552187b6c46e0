"""How cases look in Telegram: the officers' case card and its buttons, worker notices, times.

Pure functions over detached values; every piece of user text is escaped (the card is HTML).
Officers work in Indonesian, so officer-side texts are Indonesian only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from telegram import InlineKeyboardMarkup

from handlers.common import inline
from handlers.texts import (
    CASE_OUTCOME_LABELS, CASE_STATUS_LABELS, CATEGORY_LABELS, SECTOR_LABELS, SINCE_LABELS, esc, t,
)

try:
    from zoneinfo import ZoneInfo

    WIB = ZoneInfo("Asia/Jakarta")
except Exception:  # pragma: no cover - no tz database on the machine
    WIB = timezone(timedelta(hours=7), "WIB")

CARD_SUMMARY_LIMIT = 1500
SEVERITY_BADGE = {"emergency": "🆘 DARURAT", "high": "🔴 PENTING", "normal": "🟢 BIASA"}
SEVERITY_ICON = {"emergency": "🆘", "high": "🔴", "normal": "🟢"}
TOPIC_COLOR = {"emergency": 16478047, "high": 16766590, "normal": 7322096}  # colours Telegram allows for topics
OUTCOMES_OFFICER = {
    "solved": "✅ Terselesaikan", "referred": "🏛 Dirujuk ke KBRI/KP2MI", "unreachable": "📵 Tidak bisa dihubungi",
    "other": "📝 Lainnya", "withdrawn": "🗑 Dibatalkan pekerja",
}
STATUS_OFFICER = {
    "new": "🆕 Baru - belum diambil", "claimed": "👤 Ditangani: {who}",
    "waiting_worker": "⏳ Menunggu jawaban pekerja ({who})", "resolved": "✅ Selesai ({outcome}) - menunggu "
    "konfirmasi pekerja", "closed": "🔒 Ditutup ({outcome})",
}
EVENT_LABELS = {
    "created": "dibuat", "claimed": "diambil", "message_in": "pesan pekerja", "message_out": "balasan petugas",
    "message_edited": "pesan diubah", "note": "catatan", "status_changed": "status", "severity_changed":
    "tingkat diubah", "escalation": "eskalasi", "reassigned": "dialihkan", "resolved": "selesai",
    "reopened": "dibuka lagi", "closed": "ditutup", "evidence": "bukti", "delivery_failed": "gagal terkirim",
    "worker_blocked_bot": "pekerja memblokir bot", "follow_up_due": "pengingat tindak lanjut",
    "anonymised": "data pekerja dihapus",
}
STEP_LABELS = {
    "category": "jenis masalah", "what": "apa yang terjadi", "since": "sejak kapan", "where": "di mana",
    "employer": "majikan/agen", "safe": "aman sekarang", "contact": "boleh dihubungi", "share": "izin berbagi",
}
CAPTION_KINDS = ("photo", "video", "document", "audio", "voice", "animation")


def fmt_time(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")


def fmt_age(now: datetime, since: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} mnt"
    if minutes < 48 * 60:
        return f"{minutes // 60} jam"
    return f"{minutes // 1440} hari"


def wait_label(minutes: int, lang: str) -> str:
    if minutes < 120:
        return t("wait_minutes", lang, n=minutes)
    return t("wait_hours", lang, n=round(minutes / 60))


def category_label(category: str, lang: str = "id") -> str:
    return CATEGORY_LABELS.get(category, CATEGORY_LABELS["other"])[lang]


@dataclass(frozen=True)
class CaseView:
    """What rendering needs of a case and its worker, read in one transaction and detached."""

    id: int
    reference: str
    category: str
    severity: str
    status: str
    source: str
    summary: str
    details: dict[str, Any]
    share_consent: bool | None
    contact_ok: bool | None
    assignee_id: int | None
    outcome: str | None
    created_at: datetime
    first_response_due_at: datetime | None
    card_message_id: int | None
    thread_id: int | None
    group_chat_id: int | None
    escalation_level: int
    worker_id: int
    worker_chat_id: int
    worker_lang: str
    worker_status: str
    worker_country: str | None
    worker_country_other: str | None
    worker_city: str | None
    worker_sector: str | None
    assignee_name: str | None = None

    @classmethod
    def of(cls, case, worker, assignee_name: str | None = None) -> "CaseView":
        return cls(
            id=case.id, reference=case.reference, category=case.category, severity=case.severity,
            status=case.status, source=case.source, summary=case.summary or "", details=dict(case.details or {}),
            share_consent=case.share_consent, contact_ok=case.contact_ok, assignee_id=case.assignee_id,
            outcome=case.outcome, created_at=case.created_at, first_response_due_at=case.first_response_due_at,
            card_message_id=case.card_message_id, thread_id=case.thread_id, group_chat_id=case.group_chat_id,
            escalation_level=case.escalation_level, worker_id=worker.id, worker_chat_id=worker.chat_id,
            worker_lang=worker.language, worker_status=worker.status, worker_country=worker.country,
            worker_country_other=worker.country_other, worker_city=worker.city, worker_sector=worker.sector,
            assignee_name=assignee_name,
        )


def _yes_no(value: bool | None) -> str:
    return "ya" if value is True else "tidak" if value is False else "belum ditanya"


def country_name(code: str | None, other: str | None, kb) -> str | None:
    if not code:
        return None
    if code == "XX":
        return other or "negara lain"
    profile = kb.country(code) if kb is not None else None
    if profile is not None:
        return profile.name.get("id") or code
    return code


def card_text(view: CaseView, kb=None, header: str | None = None) -> str:
    """The case card officers see (HTML)."""
    d = view.details
    lines = []
    if header:
        lines.append(header)
    lines.append(f"<b>{SEVERITY_BADGE.get(view.severity, view.severity)} · {esc(view.reference)}</b>")
    lines.append(f"Kategori: <b>{esc(category_label(view.category))}</b>")
    status = STATUS_OFFICER.get(view.status, view.status).format(
        who=esc(view.assignee_name or "-"), outcome=esc(OUTCOMES_OFFICER.get(view.outcome or "", "-")))
    lines.append(f"Status: {status}")
    place = d.get("where") or ", ".join(p for p in (
        country_name(d.get("country") or view.worker_country, d.get("country_other") or view.worker_country_other,
                     kb), d.get("city") or view.worker_city) if p)
    who = [esc(d["name"])] if d.get("name") else []
    if place:
        who.append(esc(place))
    if view.worker_sector:
        who.append(esc(SECTOR_LABELS.get(view.worker_sector, {}).get("id", view.worker_sector)))
    who.append(f"bahasa {esc(view.worker_lang)}")
    lines.append("Pekerja: " + " · ".join(who))
    if view.worker_status == "blocked_bot":
        lines.append("⚠️ <b>Pekerja memblokir bot</b> - pesan tidak bisa terkirim")
    elif view.worker_status == "deleted":
        lines.append("🗑 <b>Pekerja menghapus datanya</b> - kasus dianonimkan, pesan tidak bisa terkirim")
    source = {"worker": "laporan pekerja", "emergency": "tombol/pesan darurat", "checkin": "cek keamanan tidak "
              "dijawab", "officer": "dibuat petugas"}.get(view.source, view.source)
    lines.append(f"Dibuat: {fmt_time(view.created_at)} ({esc(source)})")
    if view.status == "new" and view.first_response_due_at:
        lines.append(f"Harus diambil sebelum: <b>{fmt_time(view.first_response_due_at)}</b>")
    summary = view.summary.strip()
    if summary:
        clipped = summary[:CARD_SUMMARY_LIMIT] + ("…" if len(summary) > CARD_SUMMARY_LIMIT else "")
        lines.append("")
        lines.append(f"<b>Cerita:</b>\n{esc(clipped)}")
    facts = []
    if d.get("since"):
        facts.append("Sejak: " + esc(SINCE_LABELS.get(d["since"], {}).get("id", d["since"])))
    if d.get("employer"):
        facts.append("Majikan/agen: " + esc(d["employer"]))
    if "safe_now" in d:
        facts.append("Aman sekarang: " + ("ya" if d["safe_now"] else "<b>TIDAK</b>"))
    facts.append("Boleh dihubungi di chat: " + _yes_no(view.contact_ok))
    if view.share_consent is True:
        facts.append("✅ Boleh dibagikan ke KBRI/KJRI/KP2MI")
    else:
        facts.append("🔒 <b>Jangan dibagikan</b> ke KBRI/KJRI/KP2MI (" + _yes_no(view.share_consent) + ")")
    if d.get("storage_consent") == "this_case":
        facts.append("Izin simpan: hanya untuk laporan ini")
    if d.get("evidence"):
        facts.append(f"Bukti: {int(d['evidence'])} file")
    if d.get("stopped_at"):
        facts.append("Pekerja berhenti mengisi di pertanyaan: " + esc(STEP_LABELS.get(d["stopped_at"],
                                                                                       d["stopped_at"])))
    lines.append("")
    lines.extend(facts)
    return "\n".join(lines)


def card_markup(view: CaseView, *, private: bool = False) -> InlineKeyboardMarkup | None:
    cid = view.id
    if view.worker_status == "deleted":
        return None  # anonymised at the worker's request: nothing left to act on
    if view.status == "new":
        rows = [[("✋ Ambil", f"cs:claim:{cid}")]]
        if not private:
            rows.append([("📝 Catatan", f"cs:note:{cid}"), ("⬆️ Eskalasi", f"cs:esc:{cid}"),
                         ("✅ Selesai", f"cs:done:{cid}")])
        return inline(rows)
    if view.status in ("claimed", "waiting_worker"):
        if private:
            return None
        return inline([[("📝 Catatan", f"cs:note:{cid}"), ("⬆️ Eskalasi", f"cs:esc:{cid}"),
                        ("✅ Selesai", f"cs:done:{cid}")]])
    if private:
        return None
    return inline([[("🔄 Buka lagi", f"cs:reopen:{cid}")]])


def outcome_markup(view: CaseView) -> InlineKeyboardMarkup:
    cid = view.id
    return inline([[(OUTCOMES_OFFICER["solved"], f"cs:out:{cid}:solved"),
                    (OUTCOMES_OFFICER["referred"], f"cs:out:{cid}:referred")],
                   [(OUTCOMES_OFFICER["unreachable"], f"cs:out:{cid}:unreachable"),
                    (OUTCOMES_OFFICER["other"], f"cs:out:{cid}:other")],
                   [("↩️ Batal", f"cs:back:{cid}")]])


def topic_name(view: CaseView) -> str:
    return f"{SEVERITY_ICON.get(view.severity, '')} {view.reference} · {category_label(view.category)}"[:128]


# --- alert texts -----------------------------------------------------------------------------------------------

def officer_alert(kind: str, view: CaseView, payload: dict[str, Any], now: datetime, kb=None,
                  officer_names: dict[int, str] | None = None) -> tuple[str, InlineKeyboardMarkup | None]:
    """(HTML text, buttons) of an alert to the group or to one officer."""
    names = officer_names or {}
    ref = esc(view.reference)
    age = fmt_age(now, view.created_at)
    private_card = card_markup(view, private=True)
    if kind == "card":
        return card_text(view, kb), card_markup(view)
    if kind == "new_case_dm":
        return card_text(view, kb, header="🚨 <b>Kasus DARURAT - perlu diambil sekarang</b>"), private_card
    if kind == "sla_unclaimed":
        level = int(payload.get("level") or 1)
        return (f"⏰ <b>{ref} belum diambil</b> sudah {age}. Peringatan ke-{level}. "
                f"Tekan Ambil atau balas kasus ini.", card_markup(view, private=True))
    if kind == "sla_unclaimed_dm":
        level = int(payload.get("level") or 1)
        return card_text(view, kb, header=f"🚨 <b>Untuk supervisor: {ref} belum diambil {age}</b> "
                                          f"(peringatan ke-{level})"), private_card
    if kind == "escalation_dm":
        who = esc(names.get(int(payload.get("officer_id") or 0), "petugas"))
        return card_text(view, kb, header=f"⬆️ <b>Eskalasi dari {who}</b>"), private_card
    if kind == "escalated_by_officer":
        who = esc(names.get(int(payload.get("officer_id") or 0), "petugas"))
        return f"⬆️ {who} meminta supervisor melihat {ref}.", None
    if kind == "assigned_dm":
        return card_text(view, kb, header=f"📌 <b>Kasus {ref} diberikan kepada Anda</b>"), None
    if kind == "reopened_dm":
        return f"🔄 Pekerja bilang masalah {ref} <b>belum selesai</b>. Kasus dibuka lagi untuk Anda.", None
    if kind == "worker_reopened":
        return f"👎 Pekerja bilang masalah {ref} <b>belum selesai</b>. Kasus dibuka lagi.", None
    if kind == "worker_confirmed":
        return f"👍 Pekerja mengonfirmasi masalah {ref} sudah selesai. Kasus ditutup.", None
    if kind == "worker_withdrew":
        return f"🗑 Pekerja membatalkan laporan {ref}. Kasus ditutup.", None
    if kind == "worker_blocked":
        return (f"⚠️ Pekerja pada {ref} <b>memblokir bot</b>. Pesan ke pekerja tidak bisa terkirim sampai dia "
                f"menulis lagi.", None)
    if kind == "worker_deleted_data":
        return (f"🗑 Pekerja pada {ref} <b>menghapus datanya</b>. Kasus dianonimkan dan ditutup; isi pesan "
                f"sudah dihapus dan pesan ke pekerja tidak bisa dikirim lagi.", None)
    if kind == "worker_blocked_dm":
        return f"⚠️ Pekerja pada {ref} memblokir bot. Pesan Anda tidak bisa terkirim.", None
    if kind == "now_emergency":
        return f"🆘 <b>{ref} sekarang DARURAT</b>: pekerja mengirim pesan bahaya. Lihat pesan di bawah.", \
            card_markup(view, private=True) if view.status == "new" else None
    if kind == "follow_up":
        return f"⏰ {ref}: belum ada kabar lagi. Mohon ditindaklanjuti.", None
    if kind == "follow_up_dm":
        return f"⏰ Pengingat: kasus {ref} Anda belum ada kegiatan. Mohon ditindaklanjuti.", None
    return f"ℹ️ {ref}: {esc(kind)}", None


def worker_notice(kind: str, view: CaseView, payload: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = view.worker_lang
    if kind == "claimed":
        return t("notice_claimed", lang, ref=view.reference), None
    if kind == "ask_solved":
        outcome = CASE_OUTCOME_LABELS.get(payload.get("outcome") or "other", CASE_OUTCOME_LABELS["other"])[lang]
        return t("notice_ask_solved", lang, ref=view.reference, outcome=outcome), inline(
            [[(t("solved_yes", lang), f"cw:yes:{view.id}"), (t("solved_no", lang), f"cw:no:{view.id}")]])
    if kind == "reopened":
        return t("notice_reopened", lang, ref=view.reference), None
    return t("notice_reopened", lang, ref=view.reference), None


def status_label(status: str, lang: str) -> str:
    return CASE_STATUS_LABELS.get(status, {}).get(lang, status)
