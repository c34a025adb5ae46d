# scalegrid build.
#
#   make            libscalegrid.a and the scalegrid program
#   make run        the default sweep (chinchilla, 16384 x 16384 points)
#   make test       unit tests (cmocka) and command-line tests
#   make bench      scalegrid bench, the numpy peer, the fit benchmark and
#                   the vector operations' costs (bench/simd_costs.c);
#                   writes bench/results/<machine>.md (BENCH_ARGS= adds
#                   scalegrid bench options, e.g. BENCH_ARGS=--quick)
#   make valgrind   the tests under valgrind memcheck (leaks are failures)
#   make fuzz       libFuzzer targets (clang), FUZZ_SECONDS each (default 30)
#   make test-gpu   the CUDA backend against the reference on this machine's
#                   GPU (says so and exits 0 without one)
#   make bench-gpu  the CUDA backend's benchmark and kernel lab; writes
#                   bench/results/<device>.md (exits 0 without a GPU)
#   make clean
#
# Options: NO_OMP=1 (build without OpenMP), SAN=1 (address + undefined
# behaviour sanitizers), WERROR=0 (warnings are errors by default),
# ARCH=-march=... (default -march=native), CC=clang, CUDA=0 (skip the CUDA
# backend even when nvcc is found), CUDA=1 (stop if nvcc is missing),
# CUDA_ARCH=... (nvcc -gencode flags; default sm_80 and sm_90 + PTX).

CC ?= cc
ARCH ?= -march=native
WERROR ?= 1
NO_OMP ?= 0
SAN ?= 0

BUILD := build
LIB := $(BUILD)/libscalegrid.a
PROGRAM := scalegrid

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN += -Werror
endif

# -ffp-contract=off: no fused multiply-adds, so every backend rounds the
# per-point math exactly as the reference does (kernels/point_math.h).
# -fno-trapping-math: nothing here reads floating-point exception flags;
# it lets the compiler turn sg_math.h's selects into vector blends (values
# are unchanged: no reassociation, no contraction).
OPT := -O3 $(ARCH) -ffp-contract=off -fno-trapping-math
ifeq ($(SAN),1)
OPT := -O1 -g $(ARCH) -ffp-contract=off -fno-trapping-math -fno-omit-frame-pointer \
       -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_LDFLAGS := -fsanitize=address,undefined
endif

CPPFLAGS := -Iinclude -D_POSIX_C_SOURCE=200809L
CFLAGS := -std=c11 $(OPT) $(WARN)
LDLIBS = -lcjson -lcairo -lfontconfig -llbfgs -lm -lpthread $(CUDA_LDLIBS)

# --- optional tools: detect, say what was found, build without them -------
HASH := \#
# OpenMP is detected by compiling *and linking* a program that calls it.
ifeq ($(NO_OMP),1)
HAVE_OMP := no (NO_OMP=1)
else
HAVE_OMP := $(shell printf '$(HASH)include <omp.h>\nint main(void){return omp_get_max_threads() > 0 ? 0 : 1;}\n' | \
              $(CC) -fopenmp -x c - -o /dev/null >/dev/null 2>&1 && echo yes || echo no)
endif
ifeq ($(HAVE_OMP),yes)
CFLAGS += -fopenmp
LDFLAGS += -fopenmp
endif

NVCC ?= $(shell command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null)
CUDA ?= auto
ifeq ($(CUDA),1)
ifeq ($(NVCC),)
$(error CUDA=1 but nvcc was not found: install the CUDA toolkit or give NVCC=/path/to/nvcc)
endif
endif
ifeq ($(CUDA),0)
HAVE_NVCC := skipped (CUDA=0)
else ifneq ($(NVCC),)
HAVE_NVCC := yes ($(NVCC))
BUILD_CUDA := 1
else
HAVE_NVCC := no (the CUDA backend is left out)
endif

# The CUDA backend: a fat binary for sm_80 (A100) and sm_90 (H100) plus PTX
# for newer GPUs, linked with the static runtime so the program starts (and
# says why there is no GPU) on machines without a driver. --fmad=false and
# -ffp-contract=off: the same rounding as the reference.
CUDA_ARCH ?= -gencode arch=compute_80,code=sm_80 \
             -gencode arch=compute_90,code=sm_90 \
             -gencode arch=compute_90,code=compute_90
ifeq ($(BUILD_CUDA),1)
CUDA_HOME ?= $(patsubst %/bin/nvcc,%,$(realpath $(NVCC)))
CUDA_LIBDIR := $(firstword $(wildcard $(CUDA_HOME)/lib64 $(CUDA_HOME)/targets/x86_64-linux/lib))
NVFLAGS := -std=c++17 --fmad=false -O3 \
           -Xcompiler -Wall,-Wextra,-ffp-contract=off $(CUDA_ARCH) \
           -Iinclude -Ihost -Ikernels -D_POSIX_C_SOURCE=200809L
ifeq ($(WERROR),1)
NVFLAGS += -Werror all-warnings -Xcompiler -Werror
endif
CPPFLAGS += -DSG_HAVE_CUDA=1
CUDA_LDLIBS := -L$(CUDA_LIBDIR) -lcudart_static -ldl -lrt -lpthread -lstdc++
CUDA_OBJ := $(BUILD)/kernels/sweep_cuda.o
endif

HAVE_CJSON := $(shell printf '$(HASH)include <cjson/cJSON.h>\nint main(void){return cJSON_Version() ? 0 : 1;}\n' | \
                $(CC) -x c - -lcjson -o /dev/null >/dev/null 2>&1 && echo yes || echo no)
# cairo draws the plots (SVG, PNG, PDF).
CAIRO_CFLAGS := $(shell pkg-config --cflags cairo fontconfig 2>/dev/null)
HAVE_LBFGS := $(shell printf '$(HASH)include <lbfgs.h>\nint main(void){lbfgs_parameter_t p; lbfgs_parameter_init(&p); return p.m > 0 ? 0 : 1;}\n' | \
                $(CC) -x c - -llbfgs -o /dev/null >/dev/null 2>&1 && echo yes || echo no)
HAVE_CAIRO := $(shell printf '$(HASH)include <cairo.h>\nint main(void){return cairo_version() > 0 ? 0 : 1;}\n' | \
                $(CC) $(CAIRO_CFLAGS) -x c - -lcairo -o /dev/null >/dev/null 2>&1 && echo yes || echo no)

ifeq ($(filter clean,$(MAKECMDGOALS)),)
$(info scalegrid build: OpenMP $(HAVE_OMP); nvcc $(HAVE_NVCC); cJSON $(HAVE_CJSON); cairo $(HAVE_CAIRO))
endif

# Objects remember the flags they were built with: switching NO_OMP, SAN or
# ARCH rebuilds everything instead of linking stale objects.
FLAGS_STAMP := $(BUILD)/.flags
BUILD_FLAGS := $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(SAN_LDFLAGS) $(NVFLAGS)
ifeq ($(filter clean,$(MAKECMDGOALS)),)
$(shell mkdir -p $(BUILD); echo '$(BUILD_FLAGS)' | cmp -s - $(FLAGS_STAMP) || \
        echo '$(BUILD_FLAGS)' > $(FLAGS_STAMP))
endif

# --- sources ----------------------------------------------------------------
LIB_SRC := host/law.c host/cost.c host/error.c host/parse.c host/optimal.c host/sweep.c \
           host/config.c host/output.c host/format.c host/plot.c host/contour.c \
           host/fit.c host/runs_csv.c host/bench.c host/kaplan_batch.c \
           host/cuda_backend.c host/staged.c \
           kernels/bins.c kernels/sweep_reference.c kernels/sweep_openmp.c \
           kernels/sweep_exact.c
CLI_SRC := host/main.c host/cli.c host/progress.c host/cmd_laws.c \
           host/cmd_eval.c host/cmd_optimal.c host/cmd_sweep.c host/cmd_compare.c \
           host/cmd_fit.c host/cmd_bench.c
TEST_SRC := tests/test_laws.c tests/test_optimal.c tests/test_parse.c \
            tests/test_sweep.c tests/test_output.c tests/test_reliability.c \
            tests/test_plot.c tests/test_fit.c tests/test_kaplan.c \
            tests/test_beyond.c tests/test_math.c tests/test_f32.c
ifeq ($(BUILD_CUDA),1)
TEST_SRC += tests/test_cuda.c
endif
TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TEST_TOOLS := $(BUILD)/tests/jsonq
FUZZ_TARGETS := config syntax runs_csv
# Each fuzz target replayed over its committed corpus and regressions.
REPLAY_TESTS := $(patsubst %,$(BUILD)/tests/fuzz_replay_%,$(FUZZ_TARGETS))

LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC))
CLI_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRC))
HEADERS := include/scalegrid.h host/internal.h host/cli.h host/plot.h host/fit.h \
           host/bench.h \
           kernels/point_math.h kernels/sg_math.h kernels/sg_math_f32.h \
           kernels/sweep_kernels.h \
           $(FLAGS_STAMP)

.PHONY: all run test valgrind check-deps check-cuda bench fuzz clean \
        test-gpu bench-gpu
all: check-deps $(PROGRAM)

check-deps:
ifneq ($(HAVE_CJSON),yes)
	@echo "scalegrid: cJSON is missing: run .ci/install-deps (Debian: apt-get install libcjson-dev)" >&2
	@exit 1
endif
ifneq ($(HAVE_LBFGS),yes)
	@echo "scalegrid: libLBFGS is missing: run .ci/install-deps (Debian: apt-get install liblbfgs-dev)" >&2
	@exit 1
endif
ifneq ($(HAVE_CAIRO),yes)
	@echo "scalegrid: cairo is missing: run .ci/install-deps (Debian: apt-get install libcairo2-dev)" >&2
	@exit 1
endif

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# Only the plotting code sees cairo's headers.
$(BUILD)/host/plot.o $(BUILD)/host/contour.o $(BUILD)/tests/test_plot: CPPFLAGS += $(CAIRO_CFLAGS)

$(LIB): $(LIB_OBJ) $(CUDA_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/kernels/sweep_cuda.o: kernels/sweep_cuda.cu kernels/sweep_cuda.h $(HEADERS)
	@mkdir -p $(dir $@)
	$(NVCC) $(NVFLAGS) -c $< -o $@

$(PROGRAM): $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $(SAN_LDFLAGS) $(CLI_OBJ) $(LIB) $(LDLIBS) -o $@

# --- tests --------------------------------------------------------------------
$(BUILD)/tests/%: tests/%.c tests/test_util.h tests/sweep_util.h tests/file_util.h \
                  $(LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Ihost -Ikernels $(CFLAGS) $(LDFLAGS) $(SAN_LDFLAGS) \
	    $< $(LIB) -lcmocka $(LDLIBS) -o $@

$(BUILD)/tests/jsonq: tests/tools/jsonq.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(SAN_LDFLAGS) $< -lcjson -o $@

$(BUILD)/tests/fuzz_replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Ihost $(CFLAGS) -DFUZZ_TARGET='"$*"' $(LDFLAGS) $(SAN_LDFLAGS) \
	    tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(LIB) $(LDLIBS) -o $@

# The per-point math must compile as CUDA device code too (the CUDA backend
# includes it); nvcc checks that here whenever the backend is built.
check-cuda:
ifeq ($(BUILD_CUDA),1)
	@mkdir -p $(BUILD)/tests
	$(NVCC) -std=c++17 --fmad=false -Iinclude -c tests/cuda/point_math_device.cu \
	    -o $(BUILD)/tests/point_math_device.o
else
	@echo "check-cuda: skipped, the CUDA backend is not built ($(HAVE_NVCC))"
endif

# The GPU checks: the CUDA test program (every path against the reference,
# bin for bin) and the command line's cuda backend against openmp's files.
test-gpu: check-deps $(PROGRAM) $(TEST_TOOLS)
ifeq ($(BUILD_CUDA),1)
	@$(MAKE) --no-print-directory $(BUILD)/tests/test_cuda
	$(BUILD)/tests/test_cuda
	SCALEGRID=./$(PROGRAM) JSONQ=$(BUILD)/tests/jsonq bash tests/cli_cuda.sh
else
	@echo "test-gpu: no CUDA backend in this build ($(HAVE_NVCC)); nothing to test"
endif

test: check-deps $(PROGRAM) $(TESTS) $(REPLAY_TESTS) $(TEST_TOOLS) check-cuda
	@SCALEGRID=./$(PROGRAM) JSONQ=$(BUILD)/tests/jsonq tests/run.sh $(TESTS) $(REPLAY_TESTS)

# The whole suite under valgrind memcheck: any error or definitely/indirectly
# lost block fails the run.
VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect \
            --show-leak-kinds=definite,indirect
# Suites run side by side, one per core (valgrind is single-threaded).
VALGRIND_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
valgrind: check-deps $(PROGRAM) $(TESTS) $(REPLAY_TESTS) $(TEST_TOOLS)
	@SG_TEST_JOBS=$(VALGRIND_JOBS) SG_TEST_WRAPPER="$(VALGRIND)" SCALEGRID=./$(PROGRAM) \
	    JSONQ=$(BUILD)/tests/jsonq tests/run.sh $(TESTS) $(REPLAY_TESTS)

run: all
	./$(PROGRAM)

# --- benchmarks -------------------------------------------------------------
$(BUILD)/bench/%: bench/%.c $(LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Ihost -Ikernels $(CFLAGS) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

# glibc's vector math (libmvec), measured beside our own powers
$(BUILD)/bench/simd_costs: LDLIBS += -lmvec

BENCH_ARGS ?= --max-seconds 180 --repeats 5
bench: check-deps $(PROGRAM) $(BUILD)/bench/fit_bench $(BUILD)/bench/simd_costs
	bench/run.sh ./$(PROGRAM) $(BUILD)/bench/fit_bench \
	    $(BUILD)/bench/simd_costs $(BENCH_ARGS)

# The kernel lab #includes kernels/sweep_cuda.cu: it times what ships.
$(BUILD)/bench/sweep_lab: bench/cuda/sweep_lab.cu kernels/sweep_cuda.cu \
                          kernels/sweep_cuda.h $(LIB)
	@mkdir -p $(dir $@)
	$(NVCC) $(NVFLAGS) $< $(LIB) -Xcompiler -fopenmp -lgomp -lpthread -o $@

bench-gpu: check-deps $(PROGRAM)
ifeq ($(BUILD_CUDA),1)
	@$(MAKE) --no-print-directory $(BUILD)/bench/sweep_lab
	bench/cuda/run.sh ./$(PROGRAM) $(BUILD)/bench/sweep_lab
else
	@echo "bench-gpu: no CUDA backend in this build ($(HAVE_NVCC)); nothing to run"
endif

# --- fuzzing (libFuzzer through clang; Debian: clang libclang-rt-14-dev) ----
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_BUILD := build-fuzz
FUZZ_CFLAGS := -std=c11 -g -O1 -ffp-contract=off -Wall -Wextra \
               -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(LIB_SRC))
$(FUZZ_BUILD)/host/plot.o $(FUZZ_BUILD)/host/contour.o: CPPFLAGS += $(CAIRO_CFLAGS)

# The fuzz targets never reach a GPU: built without the CUDA backend.
FUZZ_CPPFLAGS = $(filter-out -DSG_HAVE_CUDA=1,$(CPPFLAGS))

$(FUZZ_BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) -Ihost $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -lcjson -lcairo -lfontconfig -llbfgs -lm -lpthread -o $@

.SECONDARY: $(FUZZ_LIB_OBJ)
fuzz: $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(PROGRAM)
