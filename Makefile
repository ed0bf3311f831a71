# Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/baitang
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test lint format messages bench

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(BIN)/python -m baitang.launch

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=$${DEBUG:-1} DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(BIN)/pytest --create-db

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var

bench: $(STAMP)
	$(BIN)/python bench/run.py
