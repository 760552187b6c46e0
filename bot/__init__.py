"""Sahabat PMI bot process: application wiring, configuration, storage, scheduler and the entry point."""
