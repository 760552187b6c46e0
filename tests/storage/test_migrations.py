"""The models and the Alembic migrations describe the same schema, on SQLite and on PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.storage.models import Base


async def test_models_match_migrations(db):
    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


async def test_migrating_twice_is_a_no_op(db):
    await db.migrate()
    async with db.engine.connect() as connection:
        version = (await connection.execute(text("select version_num from alembic_version"))).scalar_one()
    from alembic.script import ScriptDirectory

    from bot.storage.migrate import alembic_config

    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
