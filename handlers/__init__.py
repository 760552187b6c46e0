"""Telegram edge: each handler parses an update, calls a service, renders the reply. No business logic here."""
