# Intercoder. `make run` and `make test` are the two set-up commands (see README.md); both install
# everything they need into .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install test-deps run test lint format typecheck migrate shell up down benchmarks faults

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# irrCAC (a reference library for tests) pins scipy==1.12; its code runs on current scipy.
	$(BIN)/python -m pip install --quiet --no-deps 'irrCAC>=0.4,<0.5'
	@touch $(STAMP)

install: $(STAMP)

# The OpenID Connect provider the single sign-on browser tests start (Node; versions pinned by the lock file).
OIDC_PROVIDER := tests/frontend/oidc_provider
$(OIDC_PROVIDER)/node_modules/.installed: $(OIDC_PROVIDER)/package-lock.json
	cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund
	@touch $@

test-deps: $(OIDC_PROVIDER)/node_modules/.installed

run: install
	@./scripts/run.sh

test: install test-deps
	@./scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m mypy
	$(BIN)/python -m mypy --strict workers/stats

format: install
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/python -m mypy
	$(BIN)/python -m mypy --strict workers/stats

migrate: install
	$(BIN)/python manage.py migrate

shell: install
	$(BIN)/python manage.py shell

benchmarks: install
	@for b in benchmarks/[a-z]*.py; do echo "# $$b"; $(BIN)/python $$b; done

# The fault suite, long form (a few minutes): results and date in docs/RELIABILITY.md.
faults: install
	@./scripts/ensure_services.sh
	$(BIN)/python scripts/faults.py

up:
	docker compose up --build

down:
	docker compose down
