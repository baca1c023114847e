#!/usr/bin/env bash
# make ptx-check: every tornado-kernels/*.cl program compiled to PTX and assembled for sm_80 (A100) and sm_90 (H100/H200),
# without a GPU. Prints per kernel registers, spill stores/loads, shared (smem) and local (stack frame) memory, and
# fails on any compile or assembly error, or on a kernel that was not assembled for both targets.
#
# Each program is built as the runtime builds it (engine/opencl/Programs): common.cl in front, a #line directive, the
# same option -cl-std=CL1.2 and no fast-math flags. OpenCL C -> LLVM -> PTX is Debian's clang-14 with libclc's nvptx64
# builtins linked in (target nvptx64-nvidia-nvcl, as NVIDIA's driver compiles OpenCL C to PTX at run time).
# PTX ISA: clang 14 targets at most sm_86, so the PTX is generated for sm_80 (ISA 7.0, which CUDA 13's ptxas accepts
# unchanged) and that same PTX is assembled with -arch=sm_80 and -arch=sm_90 — for sm_90 this is what the driver's JIT
# does with sm_80 PTX on an H100.
#
#   tools/ptx-check.sh [--out DIR] [--markdown FILE]      (default DIR target/ptx-check; FILE: the table in Markdown)
# Exit: 0 all assembled, 1 an error, 3 the tools are missing (clang-14/llvm-link/libclc: tools/install-ptx-tools.sh;
# ptxas: the CUDA toolkit), with the reason on stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/target/ptx-check"; md=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --markdown) md="$2"; shift 2 ;;
    *) echo "usage: tools/ptx-check.sh [--out DIR] [--markdown FILE]" >&2; exit 2 ;;
  esac
done
ARCHS=(sm_80 sm_90)
PTX_CPU=sm_80
OPTIONS=(-cl-std=CL1.2)   # engine/opencl/Programs.OPTIONS

clang="$(command -v clang-14 || true)"
ptxas="$(command -v ptxas || true)"
[ -n "$ptxas" ] || for p in /usr/local/cuda/bin/ptxas /usr/local/bin/ptxas; do [ -x "$p" ] && { ptxas="$p"; break; }; done
bc=""
for p in /usr/lib/clc/nvptx64--nvidiacl.bc /usr/lib/llvm-14/lib/clc/nvptx64--nvidiacl.bc /usr/share/clc/nvptx64--nvidiacl.bc; do
  [ -f "$p" ] && { bc="$p"; break; }
done
missing=()
[ -n "$clang" ] || missing+=("clang-14")
[ -n "$bc" ] || missing+=("libclc's nvptx64--nvidiacl.bc (Debian package libclc-14)")
[ -n "$ptxas" ] || missing+=("ptxas (CUDA toolkit; not in Debian's main archive)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "ptx-check: missing ${missing[*]}" >&2
  exit 3
fi

mkdir -p "$out"
families=()
for f in "$root"/tornado-kernels/*.cl; do
  n="$(basename "$f" .cl)"
  [ "$n" = common ] || families+=("$n")
done
rows="$out/rows.tsv"; : > "$rows"
errors=0; kernels_total=0
echo "ptx-check: $(basename "$clang") $("$clang" --version | head -n1 | sed 's/.*version //'), libclc $bc, $("$ptxas" --version | tail -n1)"
for fam in "${families[@]}"; do
  src="$out/$fam.full.cl"; ptx="$out/$fam.ptx"
  { cat "$root/tornado-kernels/common.cl"; printf '\n#line 1 "%s.cl"\n' "$fam"; cat "$root/tornado-kernels/$fam.cl"; } > "$src"
  # The libclc module's triple is spelled nvptx64-unknown-nvidiacl: the same target, so that linker warning is dropped.
  if ! "$clang" -x cl "${OPTIONS[@]}" -target nvptx64-nvidia-nvcl -Xclang -target-cpu -Xclang "$PTX_CPU" -O2 \
       -Xclang -finclude-default-header -Xclang -mlink-bitcode-file -Xclang "$bc" -S -o "$ptx" "$src" 2> "$out/$fam.clang.log"; then
    echo "ERROR $fam.cl: clang failed:" >&2; grep -v 'target triples\|Wlinker-warnings' "$out/$fam.clang.log" | head -n 30 >&2
    errors=$((errors + 1)); continue
  fi
  grep -v 'target triples\|Wlinker-warnings\|warning generated' "$out/$fam.clang.log" | grep . >&2 || true
  # Every __kernel of the source must be an .entry of the PTX (a kernel clang dropped would not be checked).
  # Kernels may be declared by macros (activation.cl), with attributes or over several lines: read them from the
  # preprocessed source, attributes removed.
  want="$("$clang" -E -P -x cl "${OPTIONS[@]}" -target nvptx64-nvidia-nvcl -Xclang -finclude-default-header "$src" 2>/dev/null \
          | tr '\n' ' ' | sed -E 's/__attribute__[[:space:]]*\(\(([^()]|\([^()]*\))*\)\)//g' | grep -oE '(__)?kernel[[:space:]]+void[[:space:]]+[A-Za-z_][A-Za-z0-9_]*' | awk '{ print $NF }' | sort -u)"
  have="$(sed -n 's/^\.entry[[:space:]]\+\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' "$ptx" | sort -u)"
  if [ "$want" != "$have" ]; then
    echo "ERROR $fam.cl: kernels in the source and entries in the PTX differ:" >&2
    diff <(echo "$want") <(echo "$have") >&2 || true
    errors=$((errors + 1))
  fi
  kernels_total=$((kernels_total + $(echo "$want" | grep -c .)))
  for arch in "${ARCHS[@]}"; do
    log="$out/$fam.$arch.ptxas.log"
    if ! "$ptxas" -arch="$arch" -v -o "$out/$fam.$arch.cubin" "$ptx" > "$log" 2>&1; then
      echo "ERROR $fam.cl: ptxas -arch=$arch failed:" >&2; grep -iv '^ptxas info' "$log" | head -n 30 >&2
      errors=$((errors + 1)); continue
    fi
    # ptxas -v, per entry: "Compiling entry function 'k' for 'sm_80'", "N bytes stack frame, S bytes spill stores,
    # L bytes spill loads", "Used R registers, ..., X bytes smem, ...".
    awk -v fam="$fam" -v arch="$arch" '
      function flush() { if (k != "") print fam "\t" k "\t" arch "\t" regs "\t" st "\t" ld "\t" smem "\t" stack; k = "" }
      /Compiling entry function/ { flush(); k = $0; sub(/.*function .?/, "", k); sub(/.? for .*/, "", k); regs = st = ld = smem = stack = 0 }
      /bytes stack frame/ { stack = $1 + 0; for (i = 1; i <= NF; i++) { if ($(i) == "spill" && $(i + 1) == "stores,") st = $(i - 2) + 0;
                                                                        if ($(i) == "spill" && $(i + 1) == "loads") ld = $(i - 2) + 0 } }
      /Used [0-9]+ registers/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^registers/) regs = $(i - 1) + 0; if ($(i) ~ /^smem/) smem = $(i - 2) + 0 } }
      END { flush() }' "$log" >> "$rows"
    n="$(awk -F'\t' -v f="$fam" -v a="$arch" '$1 == f && $3 == a' "$rows" | wc -l)"
    if [ "$n" -ne "$(echo "$want" | grep -c .)" ]; then
      echo "ERROR $fam.cl: ptxas -arch=$arch reported $n kernels, the source has $(echo "$want" | grep -c .)" >&2
      errors=$((errors + 1))
    fi
  done
done

# The table: one row per kernel, sm_80 and sm_90 side by side.
table="$(awk -F'\t' '
  { key = $1 "\t" $2; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
    v[key, $3] = $4 "\t" $5 "/" $6 "\t" $7 "\t" $8; if ($5 + $6 > 0) spill[key] = 1 }
  END { for (i = 1; i <= n; i++) { k = order[i]; split(k, p, "\t");
          split(v[k, "sm_80"], a, "\t"); split(v[k, "sm_90"], b, "\t");
          printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%s\n", p[1], p[2], a[1], a[2], a[3], a[4], b[1], b[2], b[3], b[4],
                 (k in spill) ? " SPILLS" : "" } }' "$rows")"
header="| file | kernel | sm_80 regs | sm_80 spill st/ld B | sm_80 smem B | sm_80 local (stack) B | sm_90 regs | sm_90 spill st/ld B | sm_90 smem B | sm_90 local (stack) B |
|---|---|---|---|---|---|---|---|---|---|"
echo "$header"
echo "$table"
[ -z "$md" ] || { echo "$header"; echo "$table"; } > "$md"
spills="$(echo "$table" | grep -c ' SPILLS$' || true)"
assembled="$(awk -F'\t' '{ n[$1 "\t" $2]++ } END { c = 0; for (k in n) if (n[k] == 2) c++; print c }' "$rows")"
echo "ptx-check: ${#families[@]} programs, $kernels_total kernels, $assembled assembled for ${ARCHS[*]}, $spills spilling, $errors errors (logs and PTX in ${out#$root/})"
[ "$errors" -eq 0 ] && [ "$assembled" -eq "$kernels_total" ]
