"""Safety check-ins: every worker who wants them is asked "Apakah Anda aman?" on their own schedule.

Schedules and check-ins live in the database (models.py); schedule.py is the pure time arithmetic (time zones,
DST, quiet hours, a fixed per-worker offset); service.py claims due work, records answers and escalates;
sender.py sends in bulk within Telegram's limits; sweep.py is what the scheduler runs every few seconds.
"""
