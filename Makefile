# Sahabat PMI. Quickstart: `make run` (the bot; a console chat without a Telegram token) and `make test`.
# Both build what is missing first: the two virtual environments and the NLU model.
PYTHON ?= python3
BOT_PY := .venv/bot/bin/python
export RASA_TELEMETRY_ENABLED := false
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test envs model test-postgres triage nlu-eval kb-validate bench clean

envs:
	@$(PYTHON) tools/envs.py bot nlu

model: envs
	@$(BOT_PY) -m nlu.manage model

run: envs
	@$(BOT_PY) -m bot

test: model
	@$(BOT_PY) -m pytest

# The storage, scheduler and end-to-end tests again, on PostgreSQL (CI runs this after `make test`).
test-postgres: model
	@$(BOT_PY) tools/wait_postgres.py "$(PG_TEST_URL)"
	@TEST_DATABASE_URL="$(PG_TEST_URL)" $(BOT_PY) -m pytest -m "storage or e2e"

# make triage IN=in.jsonl OUT=out.jsonl : route each {"id", "text"} line; only JSON lines go to OUT.
triage: model
	@$(BOT_PY) -m nlu.triage "$(IN)" "$(OUT)"

nlu-eval: model
	@$(BOT_PY) -m nlu.evaluate

kb-validate: envs
	@$(BOT_PY) -m knowledge_base validate

clean:
	rm -rf .venv models var/log
