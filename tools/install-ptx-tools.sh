#!/usr/bin/env bash
# Installs what `make ptx-check` needs besides CUDA's ptxas on Debian (as root): clang 14 (OpenCL C -> NVPTX), llvm-link
# and libclc 14's nvptx64 builtins (get_global_id, exp, ... as LLVM bitcode: package libclc-14; libclc-14-dev holds only the
# headers). Does nothing when all are there. Prints the reason and exits 1 when they are missing and cannot be installed.
# ptxas itself comes with the CUDA toolkit (not from Debian): tools/ptx-check.sh looks for it and says so when absent.
set -euo pipefail
libclc_bc() { ls /usr/lib/clc/nvptx64--nvidiacl.bc /usr/lib/llvm-14/lib/clc/nvptx64--nvidiacl.bc /usr/share/clc/nvptx64--nvidiacl.bc 2>/dev/null | head -n1; }
have() { command -v clang-14 >/dev/null && command -v llvm-link-14 >/dev/null && [ -n "$(libclc_bc)" ]; }
have && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "make ptx-check needs clang-14, llvm-link-14 and libclc's nvptx64 bitcode (Debian: clang-14 llvm-14 libclc-14);" \
       "run as root with apt-get, or install them" >&2
  exit 1
fi
echo "installing clang-14, llvm-14, libclc-14 (OpenCL C -> PTX for make ptx-check) ..."
(apt-get update -qq || true)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang-14 llvm-14 libclc-14 >/dev/null
have || { echo "clang-14 / llvm-link-14 / libclc-14 installation incomplete" >&2; exit 1; }
echo "installed clang-14, llvm-14, libclc-14"
