# QCity: `make run` sets everything up and serves the demo; `make test` sets up and runs the suite.
# Python packages come from requirements/lock.txt (exact versions); `make lock` refreshes it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements/lock.txt
PIP_TOOLS := pip-tools==7.6.2
ASSETS := qcity/static/vendor/.stamp
MO := qcity/locale/en/LC_MESSAGES/django.mo
export QCITY_DEV ?= 1

.PHONY: setup run test eval lint bench messages lock clean

setup: $(STAMP) $(ASSETS) $(MO)

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "QCity needs Python >= 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Refresh the lock after editing the dependencies in pyproject.toml: keeps the pinned versions
# that still fit; `make lock UPGRADE=1` moves every package to the newest version allowed.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet '$(PIP_TOOLS)'
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet $(if $(UPGRADE),--upgrade) \
	  --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file $(LOCK) pyproject.toml

$(ASSETS): frontend/package.json frontend/package-lock.json frontend/copy_assets.py
	cd frontend && npm ci --no-audit --no-fund --silent
	$(PYTHON) frontend/copy_assets.py
	touch $@

# compilemessages leaves an up-to-date .mo untouched: touch it so that it is newer than the stamp
$(MO): qcity/locale/en/LC_MESSAGES/django.po $(STAMP)
	cd qcity && ../$(BIN)/qcity compilemessages -v 0
	touch $@

messages: $(STAMP)
	cd qcity && ../$(BIN)/qcity makemessages -l en --ignore="*/tests/*" -v 0
	$(BIN)/python scripts/untranslated.py

run: setup
	$(BIN)/qcity migrate --no-input -v 0
	$(BIN)/qcity demo --size full
	@echo "QCity 已启动：http://127.0.0.1:8000/ （演示账号见上，Ctrl-C 停止）"
	QCITY_JOBS_INLINE=1 $(BIN)/qcity runserver --insecure 127.0.0.1:8000

test: setup
	bash scripts/test.sh

eval: $(STAMP)
	rm -rf eval-out && $(BIN)/qcity extract --out eval-out ../shared/corpus/seeds/*.txt >/dev/null; \
	$(BIN)/python ../shared/corpus/score_extraction.py eval-out ../shared/corpus/gold

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/qcity check
	$(BIN)/qcity makemigrations --check --dry-run

bench: setup
	$(BIN)/python bench/extract

clean:
	rm -rf $(VENV) var frontend/node_modules qcity/static/vendor
