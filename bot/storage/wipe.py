"""Start a PostgreSQL database from nothing: for tests and benchmarks only, never called by the bot."""
from __future__ import annotations


async def wipe_postgres(url: str) -> None:
    """Drop every table, type and sequence of the `public` schema of the database at `url`."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
