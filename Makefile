# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1:8000

.PHONY: install run test lint typecheck check-migrations pytest messages clean mutation

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.txt package.json package-lock.json
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --host $(HOST)
	$(PY) manage.py runserver $(HOST)

test: install lint typecheck check-migrations pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck:
	$(BIN)/mypy .

check-migrations:
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test

# Two pytest-xdist processes (PYTEST_WORKERS=0 for one), in random order (pytest-randomly: the
# seed is printed at the top; `-p randomly --randomly-seed=N` replays an order). The browser,
# Redis and real-worker tests run one after the other in one of the two (tests/conftest.py).
PYTEST_WORKERS ?= 2
pytest:
	@test -x /usr/bin/chromium || echo "Chromium not found at /usr/bin/chromium: the browser tests are skipped (apt-get install chromium)."
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

# Mutation testing of the parts that decide money (README, Tests): slow, not part of `make test`.
# First the pure ones, the scoring core and the reading of numbers and files (pyproject's
# [tool.mutmut]), then the close. Survivors: `.venv/bin/mutmut show <name>` (in .mutation-close/
# for the close's).
mutation: install
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results
	$(MAKE) mutation-close

# The close's mutants: the claim (cycle_close_start, _part_claim), the chunks (cycle_chunk_score,
# cycle_close_work), the finish (cycle_close_finish) and the writing (metrics/results/chunks.py's
# chunk_results_write and its COPY), against the close's tests on PostgreSQL and Redis (the
# services of .ci/run), one mutant at a time, in a copy of the project that tests/mutation_close.cfg
# configures. About an hour on two cores (each surviving mutant costs the close's tests, ~30 s).
MUTATION_CLOSE := .mutation-close
MUTATION_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mutation
MUTATION_BROKER_URL ?= $(or $(CELERY_BROKER_URL),redis://127.0.0.1:6379/0)
CLOSE_MUTANTS := $(addprefix metrics.results.closing.x_,cycle_close_start* _part_claim* cycle_close_work* \
	cycle_chunk_score* cycle_close_finish*) $(addprefix metrics.results.chunks.x_,chunk_results_write* \
	_results_copy* _line_tail* _line_values* _text*)
.PHONY: mutation-close
mutation-close: install
	rm -rf $(MUTATION_CLOSE) && mkdir $(MUTATION_CLOSE)
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t $(MUTATION_CLOSE)
	sed '/^\[tool\.mutmut\]/,$$d' pyproject.toml > $(MUTATION_CLOSE)/pyproject.toml
	cp tests/mutation_close.cfg $(MUTATION_CLOSE)/setup.cfg
	# A run stopped mid-test leaves rows in the test database it keeps: start from an empty one.
	psql "$(dir $(MUTATION_DATABASE_URL))postgres" -qc 'DROP DATABASE IF EXISTS "test_$(notdir $(MUTATION_DATABASE_URL))" WITH (FORCE)'
	cd $(MUTATION_CLOSE) && SHARED_EXAMPLES=$(abspath ../shared/examples) DATABASE_URL=$(MUTATION_DATABASE_URL) \
		CELERY_BROKER_URL=$(MUTATION_BROKER_URL) CELERY_TASK_DEFAULT_QUEUE=mutation-close-$$$$ REQUIRE_SERVICES=1 \
		../$(BIN)/mutmut run --max-children 1 $(foreach name,$(CLOSE_MUTANTS),"$(name)")
	cd $(MUTATION_CLOSE) && ../$(BIN)/mutmut results

# Catalogs: edit locale/*/LC_MESSAGES/django.po, then compile (the .mo files are committed).
messages:
	$(PY) manage.py makemessages --no-location --locale zh_Hans --locale en --ignore=.venv --ignore=node_modules --ignore=tests --ignore=docs --ignore=mutants --ignore=.mutation-close
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) node_modules staticfiles .test-db-*.sqlite3

# Pictures of every page over the demo data, in Chinese into docs/screenshots/ and in English into
# docs/screenshots/en/ (see README): the command's pages, then the three its demo cannot show (a
# calibration, a draft tried, a closed year), taken by their browser tests (the year's needs Redis).
SCREENSHOT_DIR ?= docs/screenshots
SCREENSHOT_TESTS := tests/metrics/results/test_calibration_browser.py tests/metrics/results/test_simulation_browser.py \
	tests/metrics/results/test_year_browser.py
.PHONY: screenshots
screenshots: install
	@dpkg -s fonts-noto-cjk >/dev/null 2>&1 || { echo "Installing fonts-noto-cjk for the Chinese text..."; \
		$$(test "$$(id -u)" = 0 || echo sudo) apt-get install -y --no-install-recommends fonts-noto-cjk; }
	$(PY) manage.py screenshots --output $(SCREENSHOT_DIR)
	SCREENSHOT_DIR=$(abspath $(SCREENSHOT_DIR)) $(BIN)/pytest -q $(SCREENSHOT_TESTS)

# The benchmarks of the README's "Performance" section, on PostgreSQL and Redis (the services of
# .ci/run; override BENCH_DATABASE_URL / BENCH_BROKER_URL / BENCH_CACHE_URL). Each works in a database of its own,
# dropped at the end; together they take a few minutes on two cores.
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/postgres)
BENCH_BROKER_URL ?= $(or $(CELERY_BROKER_URL),redis://127.0.0.1:6379/0)
BENCH_CACHE_URL ?= $(or $(CACHE_URL),redis://127.0.0.1:6379/1)
BENCH_EMPLOYEES ?= 100000
.PHONY: bench
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) \
		$(PY) manage.py bench_close --employees $(BENCH_EMPLOYEES)
	DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) CACHE_URL=$(BENCH_CACHE_URL) \
		$(PY) manage.py bench_load --employees $(BENCH_EMPLOYEES) --users 20 --seconds 60
