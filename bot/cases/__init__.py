"""Protection cases: from a worker's report or SOS to a case officer and back.

models.py   the tables (case, timeline, relay mapping, alerts, intake drafts)
service.py  the case lifecycle and relay bookkeeping (no Telegram here)
intake.py   the guided intake as a small state machine over the database
officers.py officer roles and duty
sla.py      the sweeps: SLA reminders, supervisor escalation, auto-close
"""
