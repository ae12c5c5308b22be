# Égide — the two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_ENV := EGIDE_DATA_DIR=$(CURDIR)/var/demo EGIDE_KEY_DIR=$(CURDIR)/var/demo-keys
PYTEST := $(BIN)/pytest -n 2 --dist loadfile

.PHONY: messages demo demo-reset test lint typecheck test-sqlite test-postgresql bench system-deps clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

system-deps:
	@bash scripts/system-deps.sh

# The OpenID Connect provider the Pro Santé Connect tests run (panva's oidc-provider, Node.js),
# installed from its committed lock file; nothing is fetched again once installed.
PSC_OP := egide/psc/tests/op
.PHONY: psc-test-provider
psc-test-provider: $(PSC_OP)/node_modules/.package-lock.json
$(PSC_OP)/node_modules/.package-lock.json: $(PSC_OP)/package-lock.json | system-deps
	cd $(PSC_OP) && npm ci --no-audit --no-fund --prefer-offline

demo: $(STAMP)
	$(DEMO_ENV) $(BIN)/egide demo
	@echo "Ouvrez http://127.0.0.1:8000/ et connectez-vous avec l'un des comptes ci-dessus."
	$(DEMO_ENV) $(BIN)/egide serve --host 127.0.0.1 --port 8000

demo-reset:
	rm -rf var/demo var/demo-keys
	@echo "Démonstration effacée ; « make demo » en crée une nouvelle."

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test-sqlite: $(STAMP) system-deps psc-test-provider
	@echo "=== Suite de tests sur SQLite ==="
	env -u EGIDE_DATABASE_URL $(PYTEST)

test-postgresql: $(STAMP) system-deps psc-test-provider
	@echo "=== Suite de tests sur PostgreSQL ==="
	$(BIN)/python scripts/pg_cluster.py -- $(PYTEST)

test: lint typecheck test-sqlite test-postgresql

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache

# Refresh the French catalogue after adding strings, then translate them in the .po.
messages: $(STAMP)
	cd egide && env -u DJANGO_SETTINGS_MODULE ../$(BIN)/python -m django makemessages -l fr --no-location --no-obsolete
	msgfmt --check -o egide/locale/fr/LC_MESSAGES/django.mo egide/locale/fr/LC_MESSAGES/django.po
