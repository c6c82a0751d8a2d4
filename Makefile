# The two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench catalog notification-catalog clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)  ## create the virtualenv and install pinned packages

run: setup  ## start the whole mall: services, outbox relays, gateway, demo data
	scripts/run-mall

test: setup  ## lint (ruff, lint-imports), then the whole suite on SQLite and PostgreSQL, the real RabbitMQ, Chromium
	scripts/ensure-infrastructure
	scripts/ensure-browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

bench: setup  ## RPC round trips: nameko vs raw kombu
	scripts/ensure-infrastructure
	$(BIN)/python -m bench.rpc_roundtrip

catalog: setup  ## add new texts of the pages and refusals to the Indonesian catalog, compile it
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k N_ --add-location=file \
		--sort-output -o $(VENV)/messages.pot .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d gateway/translations \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d gateway/translations

clean:
	rm -rf var $(VENV)

notification-catalog: setup  ## add new texts of the notifications to their Indonesian catalog, compile it
	cd services/notifications && ../../$(BIN)/pybabel extract -F babel.cfg --sort-output \
		--no-location -o ../../$(VENV)/notifications.pot . && \
		../../$(BIN)/pybabel update -i ../../$(VENV)/notifications.pot -d translations \
		--no-fuzzy-matching --ignore-obsolete && ../../$(BIN)/pybabel compile -d translations
