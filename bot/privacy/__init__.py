"""Privacy: a worker's right to delete their data, the retention purge of message texts, and log hygiene.

deletion.py   /hapus: remove the profile and every message text, keep cases only in anonymised form
retention.py  the scheduled purge of old message texts, de-duplication ids and answered check-ins
logs.py       a logging filter that masks Telegram ids and phone numbers

Nothing here knows Telegram: handlers/privacy.py is the edge.
"""
