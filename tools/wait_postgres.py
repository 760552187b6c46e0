"""Fail with one clear line unless the PostgreSQL server of the given URL answers (used before the PG test run)."""
import asyncio
import sys

import asyncpg


async def main(url: str) -> int:
    for _ in range(10):
        try:
            connection = await asyncpg.connect(url, timeout=3)
            await connection.close()
            return 0
        except (OSError, asyncpg.PostgresError, asyncio.TimeoutError) as err:
            last = err
            await asyncio.sleep(1)
    print(f"PostgreSQL at {url} is not reachable ({last.__class__.__name__}: {last}); start it and retry.",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
