# voxkd — the two commands a user needs are `make reproduce` and `make test`.
SHELL := /bin/bash
JAVA_HOME := $(shell tools/find-jdk.sh)
export JAVA_HOME
# Kernel threads and OpenBLAS threads follow the machine (2 on CI).
export OPENBLAS_NUM_THREADS ?= $(shell nproc)
MVN := mvn -B --no-transfer-progress

.PHONY: all build test reproduce bench opencl-runtime clean help

all: build

help:
	@echo "make reproduce  - run the whole pipeline on the embedded default corpus"
	@echo "make test       - build and run the whole test suite (OpenCL tests on PoCL when no GPU)"
	@echo "make build      - build target/voxkd.jar (launcher: bin/voxkd)"
	@echo "make bench      - print per-op timings and the engine-vs-raw SGEMM comparison"

build:
	$(MVN) -q package -DskipTests

# An OpenCL driver is needed for the opencl backend's tests; PoCL gives CPU OpenCL where no GPU driver exists.
# A driver counts when an ICD file names a library that is really there (apt remove keeps the ICD file).
opencl-runtime:
	@found=""; for f in /etc/OpenCL/vendors/*.icd; do \
	  [ -f "$$f" ] || continue; lib="$$(head -n1 "$$f")"; \
	  for d in "" /lib/ /usr/lib/ /lib/*/ /usr/lib/*/ /usr/local/lib/; do \
	    if [ -e "$$d$$lib" ]; then found="$$found $$(basename "$$f")"; break; fi; \
	  done; \
	done; \
	if [ -n "$$found" ] && ldconfig -p | grep -q 'libOpenCL.so'; then \
	  echo "OpenCL driver present:$$found"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing pocl-opencl-icd (CPU OpenCL) ..."; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pocl-opencl-icd ocl-icd-libopencl1 >/dev/null \
	    && echo "installed pocl-opencl-icd"; \
	else \
	  echo "warning: no OpenCL driver and no root apt-get; the opencl tests will report the missing runtime" >&2; \
	fi

test: opencl-runtime
	$(MVN) test

bench: build
	bin/voxkd bench ops

reproduce: build
	@echo "make reproduce: the experiment pipeline (voxkd reproduce --profile default) is not built yet;"
	@echo "see the open issues for the models/training and ledger/report work." >&2
	@exit 1

clean:
	$(MVN) -q clean
