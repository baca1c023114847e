# voxkd — the two commands a user needs are `make reproduce` and `make test`.
SHELL := /bin/bash
JAVA_HOME := $(shell tools/find-jdk.sh)
export JAVA_HOME
# Kernel threads and OpenBLAS threads follow the machine (2 on CI).
export OPENBLAS_NUM_THREADS ?= $(shell nproc)
# Idle OpenBLAS workers sleep at once instead of spinning ~0.1 s on the cores the Java kernels need (see bin/voxkd).
export OPENBLAS_THREAD_TIMEOUT ?= 4
# oneDNN's OpenMP threads (engine/cpu/OneDnn), as many as OpenBLAS's.
export OMP_NUM_THREADS ?= $(OPENBLAS_NUM_THREADS)
MVN := mvn -B --no-transfer-progress

.PHONY: all build javadoc install test reproduce verify report paper bench bench-peers gpu-check gpu-check-build opencl-runtime slurm-runtime ffmpeg-runtime clean help
.PHONY: gpu-bundle ptx-check test-gpu-ready

all: build

help:
	@echo "make reproduce  - run the whole pipeline on the embedded default corpus"
	@echo "make test       - build and run the whole test suite (OpenCL tests on PoCL when no GPU)"
	@echo "make verify     - re-run a committed run on this machine and judge it (RUN=id; default: v2-cosine seed 1)"
	@echo "make build      - build target/voxkd.jar (launcher: bin/voxkd) and the Java API's javadoc (target/javadoc)"
	@echo "make install    - install org.voxkd:voxkd into your local Maven repository (the Java API for your own pom)"
	@echo "make bench      - per-op timings, engine vs raw SGEMM, training and inference samples/s against PyTorch"
	@echo "make gpu-check  - on a GPU machine: devices, OpenCL parity tests, bench train|infer on opencl, PyTorch CUDA peer; one JSON"
	@echo "make gpu-bundle - target/gpu-bundle: voxkd with its own Java runtime and OpenCL loader, for a GPU machine without Java (<= 36 MiB)"
	@echo "make ptx-check  - every OpenCL kernel compiled to PTX and assembled for sm_80 and sm_90 (clang-14 + libclc, CUDA's ptxas)"
	@echo "make report     - rebuild paper/generated/ from results/ (and README's headline paragraph)"
	@echo "make paper      - paper/main.pdf (installs TeX on Debian when root)"

build:
	$(MVN) -q package -DskipTests
	@$(MAKE) --no-print-directory javadoc || echo "warning: the API's javadoc failed (see above); the jar is built" >&2

# The Java API's documentation (org.voxkd.api, and the scoring back-end it uses) by the JDK's own javadoc: no Maven plugin
# to download. target/javadoc/index.html.
javadoc:
	@test -d target/lib || $(MVN) -q package -DskipTests
	@"$(JAVA_HOME)/bin/javadoc" -quiet -Xdoclint:all,-missing -d target/javadoc --add-modules jdk.incubator.vector \
	  -cp "target/classes:target/lib/*" -sourcepath src/main/java -subpackages org.voxkd.api:org.voxkd.scoring \
	  -windowtitle "voxkd Java API" 2>&1 | grep -v -e 'jdk.incubator.vector' -e '^[0-9]* warnings$$' || true
	@test -f target/javadoc/index.html && echo "javadoc: target/javadoc/index.html"

# org.voxkd:voxkd:$(version) in ~/.m2, for `<dependency>` in your own pom (README "Java API").
install:
	$(MVN) -q install -DskipTests

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

# ffmpeg decodes VoxCeleb2's AAC (.m4a) for `voxkd data prepare voxceleb`; the end-to-end test makes m4a files with it.
# Installed as root with apt-get when missing (like the OpenCL driver); without it that test says why and is skipped.
ffmpeg-runtime:
	@if command -v ffmpeg >/dev/null; then \
	  echo "ffmpeg present: $$(ffmpeg -version | head -n1 | cut -d' ' -f1-3)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing ffmpeg (VoxCeleb2 m4a conversion and its test) ..."; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null \
	    && echo "installed ffmpeg"; \
	else \
	  echo "warning: no ffmpeg and no root apt-get; the VoxCeleb2 end-to-end test will be skipped (it says so)" >&2; \
	fi

# The Slurm daemons are stopped afterwards if this run started them.
test: opencl-runtime ffmpeg-runtime test-gpu-ready slurm-runtime
	$(MVN) test; rc=$$?; tools/slurm-local.sh stop-started || true; exit $$rc

# The PyTorch performance peer (shared/peers, next to the checkout); `bench compare` runs it when it and python3-torch exist.
PEER ?= ../shared/peers/pytorch_cpu_bench.py

# The libtorch peer: the bench/ module (DJL + libtorch 2.7.1 CPU, kept out of voxkd's jar) and a TorchScript trace of the
# V2 student (tools/torch_peer.py, needs python3-torch). A peer that cannot be built is reported by `bench compare`.
bench-peers:
	@if ! /usr/bin/python3 -c 'import torch' 2>/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing python3-torch (the PyTorch peer, the TorchScript trace) ..."; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null || true; \
	fi
	@$(MVN) -q -f bench/pom.xml package -DskipTests || echo "warning: the libtorch peer (bench/) did not build; bench compare will say so" >&2
	@[ -f target/bench/student_v2.pt ] || /usr/bin/python3 tools/torch_peer.py trace --out target/bench/student_v2.pt \
	  || echo "warning: no TorchScript trace (python3-torch missing?); bench compare will say so" >&2

bench: build bench-peers
	bin/voxkd bench ops
	bin/voxkd bench gemm --graph infer
	bin/voxkd bench compare --peer $(PEER) --rounds 3

# A lent GPU machine (15 minutes in all): tools/gpu_check.py runs every step under a timeout, all within ~7.5 minutes, and
# writes target/gpu-check/summary.json. GPU_CHECK_FLAGS=--small is the dry run (batch 8 x 50 frames, e.g. on PoCL).
GPU_CHECK_FLAGS ?=
gpu-check:
	python3 tools/gpu_check.py $(GPU_CHECK_FLAGS)

# What gpu-check runs from (built here, then carried to a machine without a Maven repository): the jar and its lib/,
# the test classes, and the JUnit jars for org.voxkd.GpuCheckRunner.
gpu-check-build: opencl-runtime
	$(MVN) -q package -DskipTests
	$(MVN) -q test-compile dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/test-lib \
	  -DincludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian

# One folder that runs voxkd on a GPU machine with no Java, Maven or OpenCL loader (tools/gpu-bundle.sh says what is in it;
# README "GPU machines"): carry target/gpu-bundle with the working tree and run `python3 target/gpu-bundle/tools/gpu_check.py`.
gpu-bundle: gpu-check-build
	tools/gpu-bundle.sh

# Every kernel to PTX for sm_80 and sm_90, without a GPU (tools/ptx-check.sh); installs clang-14/libclc-14 as root.
ptx-check:
	@tools/install-ptx-tools.sh
	tools/ptx-check.sh

# Before the suite: ptx-check where ptxas (CUDA) exists, and the GPU bundle that GpuBundleTest runs with an empty
# environment. Each says plainly when it cannot run; an error in either fails `make test`.
test-gpu-ready:
	@if ! command -v ptxas >/dev/null && [ ! -x /usr/local/cuda/bin/ptxas ]; then \
	  echo "make test: ptx-check skipped: no ptxas here (it comes with the CUDA toolkit)"; \
	elif ! tools/install-ptx-tools.sh; then \
	  echo "make test: ptx-check skipped: clang-14/libclc-14 missing and not installable here (see above)"; \
	else \
	  mkdir -p target; tools/ptx-check.sh > target/ptx-check.log 2>&1 || { cat target/ptx-check.log; exit 1; }; \
	  echo "make test: $$(tail -n1 target/ptx-check.log)"; \
	fi
	@$(MAKE) --no-print-directory gpu-bundle

# The whole pipeline on the embedded corpus: SynthVox default, three seeds of the teacher and eight students, the
# deployment study, ledger, report (about 50 min on 2 cores; the profile is in portable numerics, so every run gives the
# same bits on any machine: `make verify`). Two workers share results/ through run claims, each taking
# the next run whose teacher is done, with one kernel thread and one BLAS thread each: on 2 cores that is ~1.5× the
# throughput of one process with two threads (the scaled models are too small for two threads to pay). The second
# worker's log is target/reproduce-worker2.log; the first builds the deployment study and the report. The records name
# the thread counts (environment), which `voxkd ledger verify` compares.
REPRODUCE_ENV := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 VOXKD_JAVA_OPTS="-Xmx6g -Dvoxkd.cpu.threads=1"
reproduce: build
	@mkdir -p target
	@start=$$(date +%s); \
	( $(REPRODUCE_ENV) bin/voxkd reproduce --profile default --no-report --no-deploy > target/reproduce-worker2.log 2>&1; echo $$? > target/reproduce-worker2.rc ) & \
	$(REPRODUCE_ENV) bin/voxkd reproduce --profile default; rc=$$?; wait; \
	w2=$$(cat target/reproduce-worker2.rc 2>/dev/null || echo 1); \
	echo "make reproduce: $$(( ($$(date +%s) - start + 30) / 60 )) min wall clock (worker 2 exit $$w2, log target/reproduce-worker2.log)"; \
	if [ $$w2 -ne 0 ]; then tail -20 target/reproduce-worker2.log; fi; \
	[ $$rc -eq 0 ] && [ $$w2 -eq 0 ]

# Verify a committed run on this machine: the corpus is regenerated when missing (the same data hash), the run is re-run
# in a scratch folder — with the teacher run it reads first, as committed results hold no checkpoints — and judged:
# exit 0 "reproduced bit for bit" (the committed default profile is in portable numerics: on any CPU), 3 within
# tolerance (the differing environment fields named), 4 not reproduced. RUN=id picks the run (`bin/voxkd ledger list`).
verify: build
	@test -f data/synthvox-default-seed1/manifest.json || bin/voxkd data synth --profile default --seed 1 --out data/synthvox-default-seed1
	@run="$(RUN)"; [ -n "$$run" ] || run=$$(bin/voxkd ledger list 2>/dev/null | awk '$$3 == "v2-cosine" && $$4 == 1 { id = $$1 } END { print id }'); \
	[ -n "$$run" ] || { echo "make verify: no run given (RUN=id) and no v2-cosine seed 1 run in results/ledger.jsonl"; exit 2; }; \
	bin/voxkd ledger verify $$run

# The report alone, from results/ (deterministic: the same results give the same bytes).
report: build
	bin/voxkd report
	tools/readme-headline.sh

# paper/main.pdf from paper/main.tex and paper/generated/ (every table and figure of the report; figures are pgfplots).
# Installs TeX first on Debian when root (tools/install-tex.sh).
paper: report
	tools/install-tex.sh
	cd paper && latexmk -pdf -interaction=nonstopmode -halt-on-error main.tex >/dev/null && latexmk -c main.tex >/dev/null
	@echo "paper/main.pdf: $$(pdfinfo paper/main.pdf 2>/dev/null | awk '/^Pages/ {print $$2}') pages"

clean:
	$(MVN) -q clean
