# maskpipe — one build for everything.
#   make            libraries and tools in build/
#   make test       unit and pipeline tests, then again under ASan+UBSan
#   make fuzz       a short libFuzzer run on the stream reader
#   make bench      the figures the issues name
#   make demo       the README demo
#   make install PREFIX=/usr/local

PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
VERSION := 0.1.0
SAN     ?=

# V=1 shows the full commands
Q := $(if $(filter 1,$(V)),,@)

# GCC's -O2 vectorises only loops that need no runtime checks; "cheap"
# lets the filters' and histograms' loops vectorise too (exact: no
# reassociation of sums, so results do not change)
OPT      = -O2 -fvect-cost-model=cheap
ifeq ($(SAN),1)
OPT      = -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
# Includes name their folder ("mae/mae_model.h", "cli/cli.h"): the library's
# layers sit in lib/, the tools' shared driver in tools/cli/, the public
# headers (the only ones installed) in include/maskpipe/.
CPPFLAGS += -D_GNU_SOURCE -DMASKPIPE_VERSION='"$(VERSION)"' -Ilib -Itools -Iinclude $(BLAS_CFLAGS)
# Hidden by default: the shared library exports what the public headers
# mark MP_API (lib/api/), all mp_, and nothing else.
CFLAGS   += -std=c11 -g $(OPT) -fPIC -fvisibility=hidden -pthread -fopenmp -Wall -Wextra -Werror
LDFLAGS  += -pthread -fopenmp $(filter -fsanitize=%,$(OPT))
LDLIBS   += -lpng -ljpeg -lzstd -lmsgpackc -lz -lopenblas -ldnnl -lcjson -lm

# OpenBLAS's own cblas.h (it declares openblas_set_num_threads): the plain
# <cblas.h> is an alternatives link that may name the reference BLAS's.
# Expanded when a compile runs, after the deps step has installed it.
BLAS_CFLAGS = $(shell pkg-config --cflags openblas 2>/dev/null)

# The library, layer by layer (scripts/check-layers.sh holds the rule of
# which layer may include which), and the tools' shared driver apart: it
# parses options and exits the process, which a library must not.
LIB_SRC   := $(sort $(wildcard lib/*/*.c lib/kernels/cpu/*.c) lib/kernels/cuda/arena.c)
CLI_SRC   := $(sort $(wildcard tools/cli/*.c))
CLI_LIB   := $(BUILD)/lib/libmaskpipe-cli.a

# The CUDA backend is built whenever nvcc is found: one translation unit,
# a fat binary with SASS for each of CUDA_ARCHS and PTX for the last (run
# by newer GPUs through the driver's JIT). Its object does not depend on
# BUILD or SAN, so the normal and the sanitizer builds share one compile.
NVCC       ?= $(firstword $(shell command -v nvcc 2>/dev/null) $(wildcard /usr/local/cuda/bin/nvcc))
# the toolkit nvcc belongs to (its lib64 holds cuBLAS and cudart)
CUDA_HOME  ?= $(patsubst %/bin/nvcc,%,$(NVCC))
CUDA_ARCHS := 80 86 89 90
CUDA_SRC   := lib/kernels/cuda/cuda_backend.cu
CUDA_DEPS  := $(wildcard lib/kernels/cuda/*.cuh lib/kernels/cuda/*.h) lib/kernels/backend.h \
	lib/common/err.h
CUDA_OBJ   := build/cuda/cuda_backend.o
CUDA_GENCODE := $(foreach a,$(CUDA_ARCHS),-gencode arch=compute_$(a),code=sm_$(a)) \
	-gencode arch=compute_$(lastword $(CUDA_ARCHS)),code=compute_$(lastword $(CUDA_ARCHS))
ifneq ($(NVCC),)
CUDA_LIBS  := -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcublas -lcudart -lstdc++
# for maskpipe.pc: the toolkit's directory through -Wl, which pkg-config
# does not prefix with a sysroot as it does -L (the toolkit is not part
# of maskpipe's install)
CUDA_PC_LIBS := -Wl,-L$(CUDA_HOME)/lib64,-rpath,$(CUDA_HOME)/lib64 -lcublas -lcudart -lstdc++
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(CUDA_OBJ)
else
CUDA_LIBS  :=
CUDA_PC_LIBS :=
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/lib/kernels/cuda/cuda_none.o
endif
LDLIBS += $(CUDA_LIBS)

# The emulation build: the same CUDA source compiled for the host under
# kernels/cuda/cuda_emu.h, linked into the parity test alone.
CXX      ?= g++
EMU_OBJ  := $(BUILD)/obj/lib/kernels/cuda/cuda_emu.o
EMU_CXXFLAGS = -std=c++20 -g $(OPT) -fPIC -pthread -fno-exceptions -fno-rtti \
	-fno-threadsafe-statics -Wall -Wextra -Werror
TOOL_SRC  := $(sort $(wildcard tools/*.c))
TOOLS     := $(TOOL_SRC:tools/%.c=$(BUILD)/bin/%)
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNITS     := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/test/%)
TESTBIN_SRC := $(sort $(wildcard tests/bin/*.c))
TESTBINS  := $(TESTBIN_SRC:tests/bin/%.c=$(BUILD)/test/%)
PUBLIC_HEADERS := $(sort $(wildcard include/maskpipe/*.h))
MAN3      := $(wildcard man/man3/*.3)
MAN7      := $(wildcard man/man7/*.7)
# The library as installed: its objects linked into one relocatable
# object whose only global symbols are the mp_ API, from which come the
# shared library and the archive `make install` installs, so a program
# linking either meets no name of ours but mp_ ones. -fvisibility=hidden
# alone would not do: GCC (12) exports the dispatchers of target_clones
# functions (kernels/cpu) whatever their visibility. The tools and tests
# link the build's own archive, where every symbol stays global.
LD        ?= ld
OBJCOPY   ?= objcopy
DIST_OBJ  := $(BUILD)/lib/dist/maskpipe.o
DIST_LIB  := $(BUILD)/lib/dist/libmaskpipe.a
DEPS_OK   := $(BUILD)/.deps-ok

.PHONY: all deps test test-gpu check-units fuzz bench demo install clean
all: $(BUILD)/lib/libmaskpipe.a $(BUILD)/lib/libmaskpipe.so $(DIST_LIB) $(CLI_LIB) $(TOOLS)

# Missing Debian packages are installed (as root) or named, before any compile.
$(DEPS_OK): scripts/deps.sh
	@scripts/deps.sh
	@mkdir -p $(@D) && touch $@
deps: $(DEPS_OK)

$(BUILD)/obj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC    $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(CUDA_OBJ): $(CUDA_SRC) $(CUDA_DEPS) | $(DEPS_OK)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  NVCC  $<")
	$(Q)$(NVCC) -std=c++20 -O2 -g $(filter -D% -I%,$(CPPFLAGS)) $(CUDA_GENCODE) \
		-Werror all-warnings -Xcompiler -fPIC,-fvisibility=hidden,-Wall,-Wextra,-Werror -c $< -o $@

$(EMU_OBJ): $(CUDA_SRC) | $(DEPS_OK)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CXX   $< (emulation)")
	$(Q)$(CXX) $(CPPFLAGS) -DCUDA_EMU -x c++ $(EMU_CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/test/test_cuda_parity: $(BUILD)/obj/tests/unit/test_cuda_parity.o $(EMU_OBJ) \
		$(BUILD)/lib/libmaskpipe.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(EMU_OBJ) $(BUILD)/lib/libmaskpipe.a $(LDLIBS)

$(BUILD)/lib/libmaskpipe.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR    $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(DIST_OBJ): $(LIB_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD    $@ (mp_ symbols global)")
	$(Q)$(LD) -r -o $@ $^
	$(Q)$(OBJCOPY) --wildcard --keep-global-symbol='mp_*' $@

$(DIST_LIB): $(DIST_OBJ)
	@$(if $(Q),echo "  AR    $@")
	$(Q)rm -f $@ && ar rcs $@ $<

$(CLI_LIB): $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR    $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libmaskpipe.so: $(DIST_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD    $@")
	$(Q)$(CC) -shared -Wl,-soname,libmaskpipe.so.0 $(LDFLAGS) -o $@ $< $(LDLIBS)

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(CLI_LIB) $(BUILD)/lib/libmaskpipe.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(CLI_LIB) $(BUILD)/lib/libmaskpipe.a $(LDLIBS)

$(BUILD)/test/%: $(BUILD)/obj/tests/unit/%.o $(CLI_LIB) $(BUILD)/lib/libmaskpipe.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(CLI_LIB) $(BUILD)/lib/libmaskpipe.a $(LDLIBS)

$(BUILD)/test/%: $(BUILD)/obj/tests/bin/%.o $(CLI_LIB) $(BUILD)/lib/libmaskpipe.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(CLI_LIB) $(BUILD)/lib/libmaskpipe.a $(LDLIBS)

check-units: all $(UNITS) $(TESTBINS)

# The suite runs twice: the normal build, then an ASan+UBSan build of everything.
test: check-units
	@scripts/deps.sh --test
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 check-units >/dev/null
	@tests/run.sh $(BUILD) build/san

# Each fuzz target runs FUZZ_TIME seconds, starting from small valid inputs
# the test helpers and the tools write: streams (reader), PNGs and JPEGs
# (image), single records with a field of every kind (fields: the field
# decoders), and a tiny MAE checkpoint (safetensors: the reader and the
# checkpoint loader).
FUZZ_TIME ?= 20
FUZZ_TARGETS := reader image fields safetensors
FUZZ_MAE := --img-size 8 --in-chans 3 --patch 4 --dim 8 --depth 1 --heads 2 --dec-dim 8 \
	--dec-depth 1 --dec-heads 2
# a segments map of a 4x4 image in one segment: w, h, n, then 16 u32 zeros
FUZZ_SEGMENTS := 84a17704a16804a16e01a27078c440$(subst x,00000000,xxxxxxxxxxxxxxxx)
fuzz: check-units
	@scripts/deps.sh --fuzz
	@mkdir -p $(foreach t,$(FUZZ_TARGETS),$(BUILD)/fuzz/corpus-$(t))
	MASKPIPE_PLAIN=1 $(BUILD)/test/mkrec --no-header --img 8x8x3 --field id=str:a \
		--field label=int:1 --field boxes=mpk:9294000004049402010506 \
		--field grid=mpk:83a17004a2676802a2677702 --field boxcount=u16le:1,2,0,1 \
		--field mask=bin:05 --field emb=f32le:0.5,1,2 --field classes=mpk:92a161a162 \
		> $(BUILD)/fuzz/corpus-fields/full.rec
	MASKPIPE_PLAIN=1 $(BUILD)/test/mkrec --no-header --img 4x4x1 --field id=str:b \
		--field segments=mpk:$(FUZZ_SEGMENTS) --field grid=mpk:83a17004a2676801a2677701 \
		> $(BUILD)/fuzz/corpus-fields/segments.rec
	$(BUILD)/test/mkrec -n 2 --img 8x8x3 | $(BUILD)/test/addmask --patch 4 --ratio 0.5 \
		> $(BUILD)/fuzz/masked.rec
	$(BUILD)/bin/mae-train $(FUZZ_MAE) -q -b 2 --steps 1 \
		-o $(BUILD)/fuzz/corpus-safetensors/seed.st $(BUILD)/fuzz/masked.rec
	$(BUILD)/test/mkrec -n 3 --img 4x3x1 --field id=str:t:{i} --field label=int:2 \
		--field boxes=mpk:919400010203 > $(BUILD)/fuzz/corpus-reader/seed.rec
	MASKPIPE_PLAIN=1 $(BUILD)/test/mkrec -n 2 --img 2x2x3 > $(BUILD)/fuzz/corpus-reader/plain.rec
	$(BUILD)/test/mkfixtures $(BUILD)/fuzz/fixtures >/dev/null
	cp $(BUILD)/fuzz/fixtures/png/*-7x5.png $(BUILD)/fuzz/fixtures/jpeg/*.jpg $(BUILD)/fuzz/corpus-image/
	for t in $(FUZZ_TARGETS); do \
		clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
			-o $(BUILD)/fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c $(LIB_SRC) lib/kernels/cuda/cuda_none.c \
			$(filter-out $(CUDA_LIBS),$(LDLIBS)) -pthread && \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) -max_len=65536 \
			$(BUILD)/fuzz/corpus-$$t > $(BUILD)/fuzz/$$t.log 2>&1 || \
			{ tail -n 40 $(BUILD)/fuzz/$$t.log; exit 1; }; \
		echo "fuzz_$$t: $$(tail -n 1 $(BUILD)/fuzz/$$t.log)"; \
	done

# The parity test on a real GPU, the comparisons the emulation passes in
# `make test`; it says so and succeeds when there is no device.
test-gpu: check-units
	@MASKPIPE_PARITY_DEVICE=cuda $(BUILD)/test/test_cuda_parity

bench: all $(TESTBINS)
	@scripts/deps.sh --bench
	@bench/run.sh $(BUILD)

demo: all
	@pipelines/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/maskpipe $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man3 \
		$(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(DIST_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/lib/libmaskpipe.so $(DESTDIR)$(PREFIX)/lib/libmaskpipe.so.$(VERSION)
	ln -sf libmaskpipe.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libmaskpipe.so.0
	ln -sf libmaskpipe.so.0 $(DESTDIR)$(PREFIX)/lib/libmaskpipe.so
	install -m 644 $(PUBLIC_HEADERS) $(DESTDIR)$(PREFIX)/include/maskpipe/
	install -m 644 man/man1/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/man5/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	$(if $(MAN3),install -m 644 $(MAN3) $(DESTDIR)$(PREFIX)/share/man/man3/)
	$(if $(MAN7),install -m 644 $(MAN7) $(DESTDIR)$(PREFIX)/share/man/man7/)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@CUDA_LIBS@|$(CUDA_PC_LIBS)|' maskpipe.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/maskpipe.pc

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_SRC:%.c=$(BUILD)/obj/%.d) $(EMU_OBJ:.o=.d) $(TOOL_SRC:%.c=$(BUILD)/obj/%.d) $(UNIT_SRC:%.c=$(BUILD)/obj/%.d) \
	$(TESTBIN_SRC:%.c=$(BUILD)/obj/%.d)
.SECONDARY:
