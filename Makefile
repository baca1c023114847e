# voxkd — the two commands a user needs are `make reproduce` and `make test`.
SHELL := /bin/bash
JAVA_HOME := $(shell tools/find-jdk.sh)
export JAVA_HOME
# Kernel threads and OpenBLAS threads follow the machine (2 on CI).
export OPENBLAS_NUM_THREADS ?= $(shell nproc)
# Idle OpenBLAS workers sleep at once instead of spinning ~0.1 s on the cores the Java kernels need (see bin/voxkd).
export OPENBLAS_THREAD_TIMEOUT ?= 4
MVN := mvn -B --no-transfer-progress

.PHONY: all build test reproduce report paper bench opencl-runtime slurm-runtime clean help

all: build

help:
	@echo "make reproduce  - run the whole pipeline on the embedded default corpus"
	@echo "make test       - build and run the whole test suite (OpenCL tests on PoCL when no GPU)"
	@echo "make build      - build target/voxkd.jar (launcher: bin/voxkd)"
	@echo "make bench      - per-op timings, engine vs raw SGEMM, training and inference samples/s against PyTorch"
	@echo "make report     - rebuild paper/generated/ from results/"
	@echo "make paper      - paper/main.pdf (installs TeX on Debian when root)"

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

# A one-node Slurm cluster for the Slurm integration test (tools/slurm-local.sh: installs slurm-wlm and munge when
# missing, as root with apt-get; seconds when installed). Without it that test says why and is skipped.
slurm-runtime:
	@tools/slurm-local.sh setup || echo "warning: no local Slurm cluster (see above); the Slurm integration test will be skipped" >&2

# The Slurm daemons are stopped afterwards if this run started them.
test: opencl-runtime slurm-runtime
	$(MVN) test; rc=$$?; tools/slurm-local.sh stop-started || true; exit $$rc

# The PyTorch performance peer (shared/peers, next to the checkout); `bench compare` runs it when it and python3-torch exist.
PEER ?= ../shared/peers/pytorch_cpu_bench.py

bench: build
	bin/voxkd bench ops
	bin/voxkd bench compare --peer $(PEER) --rounds 3

# The whole pipeline on the embedded corpus: SynthVox default, teacher, six students, ledger, report (~8 min on 2 cores).
reproduce: build
	bin/voxkd reproduce --profile default

# The report alone, from results/ (deterministic: the same results give the same bytes).
report: build
	bin/voxkd report

# paper/main.pdf from paper/main.tex and paper/generated/ (every table and figure of the report; figures are pgfplots).
# Installs TeX first on Debian when root (tools/install-tex.sh).
paper: report
	tools/install-tex.sh
	cd paper && latexmk -pdf -interaction=nonstopmode -halt-on-error main.tex >/dev/null && latexmk -c main.tex >/dev/null
	@echo "paper/main.pdf: $$(pdfinfo paper/main.pdf 2>/dev/null | awk '/^Pages/ {print $$2}') pages"

clean:
	$(MVN) -q clean
