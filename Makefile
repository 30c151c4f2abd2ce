# fk: fk-fetch | fk-shape | gcs-put.  GNU make.
#
#   make              build the three tools into $(B)/
#   make check        build, then run every test; ends "N passed, N failed"
#   make check SAN=address,undefined B=build-san   the same under sanitizers
#   make bench        benchmarks against peer tools (printed, never asserted)
#   make demo         the whole job offline, against the local test servers
#   make run BUCKET=b the whole job against fakerapi.it and a real bucket
#   make deps         install the Debian packages needed to build and test
#   make install      PREFIX=/usr/local DESTDIR= MANPREFIX=$(PREFIX)/share/man

VERSION    = 0.1.0
PREFIX     = /usr/local
MANPREFIX  = $(PREFIX)/share/man
B          = build
CC         = cc
CFLAGS     = -O2 -g
WERROR     = -Werror
SAN        =
PKG_CONFIG = pkg-config

SANFLAGS   = $(if $(SAN),-fsanitize=$(SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer)
FK_CPPFLAGS = -D_GNU_SOURCE -DFK_VERSION=\"$(VERSION)\" -Ilib
FK_CFLAGS  = -std=c11 -Wall -Wextra $(WERROR) -pthread $(SANFLAGS)
FK_LDFLAGS = -pthread $(SANFLAGS)

pc = $(shell $(PKG_CONFIG) $(1) 2>/dev/null)
CURL_CFLAGS := $(call pc,--cflags libcurl)
CURL_LIBS   := $(or $(call pc,--libs libcurl),-lcurl)
JQ_LIBS     := $(or $(call pc,--libs libjq),-ljq)
GCRYPT_LIBS := $(or $(call pc,--libs libgcrypt),-lgcrypt)
AVRO_LIBS   := $(or $(call pc,--libs avro-c),-lavro)
SNAPPY_LIBS := $(or $(call pc,--libs snappy),-lsnappy)
ZSTD_LIBS   := $(or $(call pc,--libs libzstd),-lzstd)
Z_LIBS      = -lz

# lib/: shared modules, archived so each tool links only what it uses.
LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
LIBFK    = $(B)/libfk.a

# Tool-private modules live in cmd/<short>/ beside the thin cmd/<tool>.c,
# in subfolders by stage where a tool has many (cmd/shape/check/, ...).
tree = $(wildcard $(1)/*.$(2) $(1)/*/*.$(2) $(1)/*/*/*.$(2) $(1)/*/*/*/*.$(2))
FETCH_OBJ = $(B)/cmd/fk-fetch.o $(patsubst %.c,$(B)/%.o,$(call tree,cmd/fetch,c))
SHAPE_OBJ = $(B)/cmd/fk-shape.o $(patsubst %.c,$(B)/%.o,$(call tree,cmd/shape,c))
GCS_OBJ   = $(B)/cmd/gcs-put.o $(patsubst %.c,$(B)/%.o,$(call tree,cmd/gcs,c))
# A tool's modules name each other from cmd/ ("shape/check/schema.h"); lib/
# sees only itself.
$(B)/cmd/%.o: FK_CPPFLAGS += -Icmd

FETCH_LIBS = $(CURL_LIBS) $(JQ_LIBS) -lm
SHAPE_LIBS = $(JQ_LIBS) $(AVRO_LIBS) $(GCRYPT_LIBS) $(SNAPPY_LIBS) $(ZSTD_LIBS) $(Z_LIBS) -lm
GCS_LIBS   = $(CURL_LIBS) $(JQ_LIBS) $(GCRYPT_LIBS) $(Z_LIBS) -lm
ALL_LIBS   = $(CURL_LIBS) $(JQ_LIBS) $(AVRO_LIBS) $(GCRYPT_LIBS) $(SNAPPY_LIBS) $(ZSTD_LIBS) $(Z_LIBS) -lm

BIN = $(B)/fk-fetch $(B)/fk-shape $(B)/gcs-put
HDR = $(wildcard lib/*.h) $(call tree,cmd,h) $(wildcard cmd/*.def)

# C unit tests: tests/unit/test_*.c, each linked with every object.
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:%.c=$(B)/%)
TOOL_PRIV_OBJ = $(filter-out $(B)/cmd/%-fetch.o $(B)/cmd/%-shape.o $(B)/cmd/gcs-put.o,$(FETCH_OBJ) $(SHAPE_OBJ) $(GCS_OBJ))

MAN = $(wildcard man/*.1 man/*.5 man/*.7)

all: $(BIN)

$(B)/%.o: %.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(FK_CPPFLAGS) $(CPPFLAGS) $(CURL_CFLAGS) $(FK_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBFK): $(LIB_OBJ)
	@rm -f $@
	$(AR) rc $@ $(LIB_OBJ)

$(B)/fk-fetch: $(FETCH_OBJ) $(LIBFK)
	$(CC) $(FK_LDFLAGS) $(LDFLAGS) -o $@ $(FETCH_OBJ) $(LIBFK) $(FETCH_LIBS)

$(B)/fk-shape: $(SHAPE_OBJ) $(LIBFK)
	$(CC) $(FK_LDFLAGS) $(LDFLAGS) -o $@ $(SHAPE_OBJ) $(LIBFK) $(SHAPE_LIBS)

$(B)/gcs-put: $(GCS_OBJ) $(LIBFK)
	$(CC) $(FK_LDFLAGS) $(LDFLAGS) -o $@ $(GCS_OBJ) $(LIBFK) $(GCS_LIBS)

$(B)/tests/unit/%: tests/unit/%.c tests/unit/t.h $(TOOL_PRIV_OBJ) $(LIBFK) $(HDR)
	@mkdir -p $(@D)
	$(CC) $(FK_CPPFLAGS) -Icmd $(CURL_CFLAGS) $(FK_CFLAGS) $(CFLAGS) $(FK_LDFLAGS) $(LDFLAGS) -o $@ $< $(TOOL_PRIV_OBJ) $(LIBFK) $(ALL_LIBS)

unit: $(UNIT_BIN)

# The README's test command.  FK_TESTS=pattern runs a subset.
check: deps-if-missing
	@$(MAKE) --no-print-directory all unit
	@FK_BIN=$(abspath $(B)) sh tests/run.sh

# The README's main job, offline against the local test servers.
demo: deps-if-missing
	@$(MAKE) --no-print-directory all
	@FK_BIN=$(abspath $(B)) sh examples/demo.sh

# The real job: fakerapi.it into gs://$(BUCKET), credentials from ADC.
# Its settings (BUCKET, COUNT, CONFIG, PII, ...) reach examples/job.mk as
# they were given here: command-line variables through MAKEFLAGS, the
# environment as it is, so job.mk's order of precedence holds.
run: all
	PATH="$(abspath $(B)):$$PATH" $(MAKE) -f examples/job.mk

deps-if-missing:
	@sh .ci/deps.sh --if-missing

bench: all
	@FK_BIN=$(abspath $(B)) sh tests/bench/run.sh

deps:
	sh .ci/deps.sh

install: all
	mkdir -p "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(MANPREFIX)/man1" \
	    "$(DESTDIR)$(MANPREFIX)/man7"
	cp -f $(BIN) "$(DESTDIR)$(PREFIX)/bin/"
	cd "$(DESTDIR)$(PREFIX)/bin" && chmod 755 fk-fetch fk-shape gcs-put
	for m in $(filter %.1,$(MAN)); do cp -f $$m "$(DESTDIR)$(MANPREFIX)/man1/"; \
	    chmod 644 "$(DESTDIR)$(MANPREFIX)/man1/$${m##*/}"; done
	for m in $(filter %.7,$(MAN)); do cp -f $$m "$(DESTDIR)$(MANPREFIX)/man7/"; \
	    chmod 644 "$(DESTDIR)$(MANPREFIX)/man7/$${m##*/}"; done

uninstall:
	cd "$(DESTDIR)$(PREFIX)/bin" && rm -f fk-fetch fk-shape gcs-put
	for m in $(notdir $(filter %.1,$(MAN))); do rm -f "$(DESTDIR)$(MANPREFIX)/man1/$$m"; done
	for m in $(notdir $(filter %.7,$(MAN))); do rm -f "$(DESTDIR)$(MANPREFIX)/man7/$$m"; done

clean:
	rm -rf build build-* 

.PHONY: all unit check demo run bench deps deps-if-missing install uninstall clean
.DELETE_ON_ERROR:
