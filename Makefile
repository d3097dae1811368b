# HotPlex developer entry points. `make run` and `make test` work on a fresh
# Debian 12 machine as root: they install what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
export CCACHE_DIR ?= /var/cache/hotplex/ccache
CONFIG ?=
CTEST_ARGS ?=

.PHONY: deps build run test bench clean format

deps:
	./scripts/install-deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./scripts/run-default $(BUILD_DIR)

test: build
	HOTPLEX_BUILD_DIR=$(BUILD_DIR) ./scripts/test-setup
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

bench: build
	HOTPLEX_WITH_BENCH=1 ./scripts/install-deps
	./tests/bench/run-all $(BUILD_DIR)

format:
	./scripts/format

clean:
	rm -rf $(BUILD_DIR)
