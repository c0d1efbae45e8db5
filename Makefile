# Entry points. Everything goes through CMake; this file only names the
# commands the README promises.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= 2

.PHONY: all deps build demo test test-asan test-tsan soak fuzz format format-check clean source-dist go-sources

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DLAKEBASE_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# Command one: the whole flow against the local emulator, no account needed.
demo: deps
	@sh scripts/demo.sh $(BUILD)

# Command two: every test (unit, fuzz corpora, ABI, emulator, integration,
# conformance, pool, soak, hostile servers, bindings), then the unit, fuzz,
# pool, short soak and hostile-server tests under ASan+UBSan (with leak
# checks) and the unit and pool tests under ThreadSanitizer.
test: build
	ctest --test-dir $(BUILD) --output-on-failure
	$(MAKE) test-asan
	$(MAKE) test-tsan

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DLAKEBASE_WERROR=ON -DLAKEBASE_SANITIZE=address,undefined >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	ctest --test-dir $(ASAN_BUILD) -L 'unit|fuzz|pool|soak|hostile' --output-on-failure

test-tsan: deps
	cmake -S . -B build-tsan -DLAKEBASE_SANITIZE=thread >/dev/null
	cmake --build build-tsan -j$(JOBS)
	ctest --test-dir build-tsan -L 'unit|pool' --output-on-failure

# The long soak against an emulator of its own (not in CI; CI runs the
# short one): make soak DURATION=1800 [SOAK_ARGS='--callers 16 ...']
# [SOAK_WRAP='heaptrack -o build/soak.heaptrack']. The report lands in
# $(BUILD)/soak-report.md.
DURATION ?= 1800
SOAK_ARGS ?=
SOAK_WRAP ?=
soak: build
	SOAK_WRAP='$(SOAK_WRAP)' sh tests/soak/run.sh $(BUILD) $(DURATION) $(SOAK_ARGS)

# libFuzzer runs (clang): make fuzz RUNS=1000000
RUNS ?= 1000000
fuzz:
	CC=clang cmake -S . -B build-fuzz -DLAKEBASE_FUZZ=ON -DLAKEBASE_SANITIZE=address,undefined >/dev/null
	cmake --build build-fuzz -j$(JOBS)
	sh scripts/fuzz.sh build-fuzz $(RUNS)

# The source distribution the packages build from: the C sources flat, with
# manifest.json (docs/source-distribution.md).
source-dist:
	cmake -D OUT=$(BUILD)/source-dist -P scripts/source-dist.cmake

# The Go package's copy of the C sources (go/*.c, go/*.h, go/cgo_bundled.go):
# run after changing core/, bindings/src/ or include/, and commit go/.
go-sources:
	sh scripts/go-sources.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h' '*.cc')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h' '*.cc')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-tsan build-fuzz
