# wsdec: build every program into bin/, the library from common/, tests next to the code.
# `make` (CPU), `make CUDA=1` (also gpu/), `make test`, `make test SAN=1`, `make bench`,
# `make demo`, `make deps`, `make install PREFIX=...`.

PREFIX ?= /usr/local
CC ?= cc
NVCC ?= $(shell command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null)
SAN ?=
CUDA ?= $(if $(NVCC),1,0)
# Hopper (H100/H200) machine code, plus PTX that any newer or older GPU compiles at load
NVCC_ARCH ?= -gencode arch=compute_90,code=sm_90 -gencode arch=compute_75,code=compute_75

PKGS := hdf5 libcjson openblas zlib
DEB_PKGS := build-essential pkg-config clang-format libhdf5-dev libopenblas-dev libcjson-dev zlib1g-dev wordnet-base ffmpeg python3-opencv python3-h5py
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT := -O2
ifeq ($(SAN),1)
  OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  BUILD := bin/san
else
  BUILD := bin/obj
endif

CFLAGS_ALL = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(OPT) -Icommon $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm -lpthread $(LDLIBS)
SAN_FLAGS := -fsanitize=address,undefined
LDFLAGS_ALL := $(if $(filter 1,$(SAN)),$(SAN_FLAGS)) $(LDFLAGS)

# common/ holds one folder per library (see common/README); sources two levels deep at most.
COMMON_SRC := $(wildcard common/*/*.c common/*/*/*.c)
COMMON_HDR := $(wildcard common/*/*.h common/*/*/*.h)
LIB_SRC := $(filter-out %_test.c,$(COMMON_SRC))
LIB_OBJ := $(LIB_SRC:common/%.c=$(BUILD)/common/%.o)
TEST_SRC := $(filter %_test.c,$(COMMON_SRC))
TEST_BIN := $(TEST_SRC:common/%.c=$(BUILD)/test/%)
CMD_SRC := $(wildcard cmd/*.c)
PROGRAMS := $(CMD_SRC:cmd/%.c=%)
ifeq ($(SAN),1)
  PROG_DIR := bin/san/bin
else
  PROG_DIR := bin
endif
PROG_BIN := $(PROGRAMS:%=$(PROG_DIR)/%)
# Stand-alone C programs outside cmd/ (benchmarks): built by `make` too.
BENCH_SRC := $(wildcard testdata/bench/*.c)
BENCH_BIN := $(BENCH_SRC:testdata/bench/%.c=$(BUILD)/bench/%)
# Test tools (batch dumps the PyTorch replays read) and the libFuzzer targets:
# the tools are linked, the fuzz targets compiled (their run.sh links them with
# clang's -fsanitize=fuzzer), so neither can rot unnoticed.
TOOL_SRC := $(wildcard testdata/torch/*.c)
TOOL_BIN := $(TOOL_SRC:testdata/torch/%.c=$(BUILD)/tools/%)
FUZZ_SRC := $(wildcard testdata/fuzz/*.c)
FUZZ_OBJ := $(FUZZ_SRC:testdata/fuzz/%.c=$(BUILD)/fuzz/%.o)
# What `make format` / `make format-check` cover (clang-format, .clang-format).
FORMAT_FILES ?= $(CMD_SRC) $(COMMON_SRC) $(COMMON_HDR) $(wildcard gpu/*.cu gpu/*.h testdata/*/*.c)

ifeq ($(CUDA),1)
  GPU_SRC := $(wildcard gpu/*.cu)
  GPU_OBJ := $(GPU_SRC:gpu/%.cu=$(BUILD)/gpu/%.o)
  CUDA_HOME ?= $(patsubst %/bin/nvcc,%,$(NVCC))
  ifneq ($(GPU_SRC),)
    CFLAGS_ALL += -DWSD_HAVE_CUDA=1
    LDLIBS_ALL += -L$(CUDA_HOME)/lib64 -lcudart -lcublas -lstdc++
  endif
endif

.PHONY: all deps check-deps test test-bins bench demo install clean man-check gpu-check gpu-bundle format format-check
all: check-deps $(PROG_BIN) $(BENCH_BIN) $(TOOL_BIN) $(FUZZ_OBJ)

# As root a missing dependency is installed on the spot; otherwise we say exactly what to run.
check-deps:
	@pkg-config --exists $(PKGS) 2>/dev/null && [ -d /usr/share/wordnet ] || { \
	  if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory deps; else \
	  echo "wsdec: missing build dependencies; run:"; echo "  sudo apt-get install -y $(DEB_PKGS)"; exit 1; fi; }

deps:
	@if [ "$$(id -u)" = 0 ]; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq $(DEB_PKGS); \
	else \
	  echo "wsdec: run as root to install dependencies, or run:"; \
	  echo "  sudo apt-get install -y $(DEB_PKGS)"; \
	  pkg-config --exists $(PKGS); \
	fi

$(BUILD)/common/%.o: common/%.c $(COMMON_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/gpu/%.o: gpu/%.cu $(wildcard gpu/*.h) $(COMMON_HDR)
	@mkdir -p $(@D)
	$(NVCC) -O2 $(NVCC_ARCH) -Icommon -Igpu -Xcompiler -Wall,-Werror -c -o $@ $<

$(BUILD)/libwsdec.a: $(LIB_OBJ) $(GPU_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(PROG_DIR)/%: cmd/%.c $(BUILD)/libwsdec.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libwsdec.a $(LDLIBS_ALL)

$(BUILD)/bench/%: testdata/bench/%.c $(BUILD)/libwsdec.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libwsdec.a $(LDLIBS_ALL)

$(BUILD)/tools/%: testdata/torch/%.c $(BUILD)/libwsdec.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libwsdec.a $(LDLIBS_ALL)

$(BUILD)/fuzz/%.o: testdata/fuzz/%.c $(COMMON_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/test/%: common/%.c $(BUILD)/libwsdec.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libwsdec.a $(LDLIBS_ALL)

test-bins: $(TEST_BIN)

test: check-deps $(PROG_BIN) $(BENCH_BIN) $(TOOL_BIN) $(FUZZ_OBJ) $(TEST_BIN)
	@WSD_BIN=$(PROG_DIR) WSD_TEST_BIN=$(BUILD)/test sh testdata/run-tests.sh

bench: all
	@sh pipelines/bench.sh

# On a machine with a GPU (see pipelines/gpu-check.sh): CPU/CUDA parity, the demo on both, bench.
gpu-check:
	@sh pipelines/gpu-check.sh

# Here, before a device session: the CUDA build and its libraries in one carried file.
gpu-bundle: check-deps
	@sh pipelines/gpu-bundle.sh

demo: all
	@$(MAKE) --no-print-directory -f pipelines/demo.mk

# clang-format is optional: without it the check says so and passes.
format:
	@command -v clang-format >/dev/null || { echo "format: clang-format not installed"; exit 1; }
	clang-format -i $(FORMAT_FILES)

format-check:
	@if ! command -v clang-format >/dev/null; then echo "format-check: skipped (no clang-format)"; \
	else bad=0; for f in $(FORMAT_FILES); do clang-format $$f | cmp -s - $$f || { echo "not formatted: $$f"; bad=$$((bad+1)); }; done; \
	  [ $$bad -eq 0 ] && echo "format-check: all formatted" || { echo "format-check: $$bad files differ (make format)"; exit 1; }; fi

man-check: all
	@WSD_ROOT=$(CURDIR) WSD_BIN=$(PROG_DIR) sh testdata/cli/man-pages.sh && echo "man-check: every program's page documents its --help"

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(PROG_BIN) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/man1/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/man5/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	-install -m 644 man/man7/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/

clean:
	find bin -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
