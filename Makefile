# The two commands a fresh machine needs:  `make run`  and  `make test`.
# Everything is installed into .venv; a second run reinstalls nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install model index eval eval-user bench clean-index

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned: an open range would pull a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	# [qdrant]: the Qdrant store's client, so the store contract tests run on Qdrant local mode too
	$(BIN)/python -m pip install --quiet -e '.[export,test,qdrant]'
	touch $(STAMP)

install: $(STAMP)

model: $(STAMP)
	$(BIN)/qa-service prepare-model

index: $(STAMP)
	$(BIN)/qa-service index

## Run the service: install, prepare the model (conversion + ONNX export, once), build the index
## if needed, serve on :8000 (the server itself runs without torch).
run: $(STAMP)
	$(BIN)/qa-service prepare-model
	$(BIN)/qa-service serve

## Run the whole test suite (browser tests need Debian's chromium, the reverse-proxy test Debian's
## nginx: installed if missing and root), after checking the import layers (a back-edge fails here).
test: $(STAMP)
	scripts/ensure-chromium
	scripts/ensure-nginx
	$(BIN)/lint-imports
	# the model converted and exported once here, before the pytest workers start and need it
	$(BIN)/qa-service prepare-model
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/qa-service eval

## The user-added documents (eval/user_corpus) with the seed texts, no metadata.json, own gold set.
eval-user: $(STAMP)
	scripts/eval-user-corpus /tmp/qa-user-corpus --modes hybrid_rerank

clean-index:
	find index -mindepth 1 ! -name README.md -exec rm -rf {} +
