#!/usr/bin/env bash
# make gpu-bundle: one folder that runs voxkd, its OpenCL tests and tools/gpu_check.py on an x86-64 Linux machine with
# no Java at all (a lent GPU machine: CUDA, the NVIDIA driver and a python3, nothing else). Built from `make build`'s
# target/voxkd.jar and target/lib/, and `make gpu-check-build`'s target/test-classes and target/test-lib/.
#
#   tools/gpu-bundle.sh [--out target/gpu-bundle] [--max-mib 36]
#
# What goes in, and why (sizes are measured and printed at the end; the folder must stay <= --max-mib):
#   runtime.tar.xz  a jlinked JDK runtime (JAVA_HOME from tools/find-jdk.sh) with only the modules voxkd's OpenCL path
#                   needs (jdeps; jdk.incubator.vector for the cpu kernels), debug symbols stripped, plus OpenBLAS's
#                   natives for the cpu reference of the parity tests. It is xz-compressed because unpacked it is 118 MB
#                   (libjvm.so alone is 25 MB stripped): bin/voxkd unpacks it once per machine into a cache folder named
#                   by its SHA-256, never into this folder, so what travels keeps its measured size.
#   app/            voxkd.jar and the jars the OpenCL path uses; the JOCL and CLBlast jars keep only their linux-x86_64
#                   natives. Left out: ONNX Runtime, oneDNN (optional: the cpu backend falls back to OpenBLAS), the
#                   JavaCPP OpenCL preset (oneDNN's), protobuf (ONNX export only), OpenBLAS's LAPACK bindings.
#   native/         Debian's ICD loader libOpenCL.so.1 (ocl-icd-libopencl1), also as libOpenCL.so (JOCL dlopens that
#                   name first, and a system libOpenCL.so must not win).
#   tests/          the test classes and the JUnit jars, for org.voxkd.GpuCheckRunner (the OpenCL parity tests).
#   tools/          gpu_check.py, torch_peer.py and gen_model_fixtures.py (the PyTorch CUDA peer).
#   bin/voxkd       the launcher (tools/gpu-bundle/voxkd): runtime, ICD loader, OpenCL vendors (tools/gpu-bundle/opencl-vendors.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/target/gpu-bundle"; max_mib=36
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --max-mib) max_mib="$2"; shift 2 ;;
    *) echo "usage: tools/gpu-bundle.sh [--out DIR] [--max-mib N]" >&2; exit 2 ;;
  esac
done
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
jdk="$("$root/tools/find-jdk.sh")"
t="$root/target"
for need in "$t/voxkd.jar" "$t/lib" "$t/test-classes/org/voxkd/GpuCheckRunner.class" "$t/test-lib"; do
  [ -e "$need" ] || { echo "gpu-bundle: $need is missing: run 'make gpu-check-build' first (make gpu-bundle does)" >&2; exit 1; }
done
loader=""
for p in /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 /usr/lib64/libOpenCL.so.1 /lib/x86_64-linux-gnu/libOpenCL.so.1; do
  [ -e "$p" ] && { loader="$(readlink -f "$p")"; break; }
done
[ -n "$loader" ] || { echo "gpu-bundle: no libOpenCL.so.1 (Debian: apt-get install ocl-icd-libopencl1; make opencl-runtime does as root)" >&2; exit 1; }
if ! command -v xz >/dev/null || ! command -v unzip >/dev/null || ! command -v zip >/dev/null || ! command -v objcopy >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "gpu-bundle: installing xz-utils, zip, unzip, binutils ..."
    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xz-utils zip unzip binutils >/dev/null
  fi
  for tool in xz unzip zip objcopy; do
    command -v "$tool" >/dev/null || { echo "gpu-bundle: '$tool' is missing (Debian packages xz-utils, unzip, zip, binutils; run as root to install them)" >&2; exit 1; }
  done
fi
jar() { ls "$t/lib/$1"-[0-9]*.jar 2>/dev/null | grep -v -- "-linux-\|-windows-\|-macosx-" | head -n1; }
natjar() { ls "$t/lib/$1"-*-linux-x86_64.jar 2>/dev/null | head -n1; }

work="$t/gpu-bundle.work"
rm -rf "$work"; mkdir -p "$work"
stage="$work/bundle"
mkdir -p "$stage/bin" "$stage/app/lib" "$stage/native" "$stage/tests/lib" "$stage/tools"

# ---- app/: voxkd and the jars of the OpenCL path ----
cp "$t/voxkd.jar" "$stage/app/"
for a in picocli jackson-databind jackson-core jackson-annotations jackson-dataformat-yaml snakeyaml commons-csv commons-io \
         commons-codec javacpp openblas; do
  j="$(jar "$a")"; [ -n "$j" ] || { echo "gpu-bundle: no $a jar in target/lib" >&2; exit 1; }
  cp "$j" "$stage/app/lib/"
done
# A jar with only the natives of one platform: unpack, drop the others, repack at the highest compression.
repack() { # repack SRC.jar DEST.jar KEEP-REGEX (paths of non-class files to keep)
  local d="$work/repack-$(basename "$1" .jar)"; mkdir -p "$d"
  (cd "$d" && unzip -q "$1" && find . -type f ! -name '*.class' | sed 's|^\./||' | grep -v -E "$3" | grep -v '^META-INF/MANIFEST.MF$' | xargs -r rm -f \
     && zip -q -9 -r -X "$2" . )
}
repack "$(jar jocl)" "$stage/app/lib/$(basename "$(jar jocl)")" '^lib/libJOCL_.*-linux-x86_64\.so$|^META-INF/'
repack "$(jar jocl-blast)" "$stage/app/lib/$(basename "$(jar jocl-blast)")" '^lib/libJOCLBlast_.*-linux-x86_64\.so$|^lib/linux/x86_64/|^META-INF/'

# ---- runtime: jlinked JDK + OpenBLAS natives, xz; rebuilt only when the JDK, the module list or the recipe change ----
modules="$("$jdk/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps --class-path "$stage/app/lib/*" \
           "$stage/app/voxkd.jar" "$stage/app/lib/"*.jar 2>/dev/null | tail -n1)"
# java.sql (and java.xml under it, ~40% of the image) serves only optional paths of Jackson (java.sql.Date) and
# commons-csv (printing a ResultSet), never voxkd's; java.logging (JOCL) came in through java.sql, so it is named here;
# jdk.incubator.vector is loaded reflectively (--add-modules).
modules="$(echo "$modules,java.logging,java.management,jdk.incubator.vector,jdk.management,jdk.unsupported" | tr ',' '\n' | grep -v -x -E 'java\.sql|java\.xml|java\.transaction\.xa|java\.desktop' \
           | sort -u | paste -sd, -)"
obl="$(natjar openblas)"; jcpp="$(natjar javacpp)"
recipe=3  # bump when the runtime's recipe below changes (a cached runtime is reused while JDK, modules, jars and recipe stay)
key="$( { cat "$jdk/release"; echo "$modules recipe $recipe"; sha256sum "$obl" "$jcpp" | cut -d' ' -f1; } | sha256sum | cut -c1-16)"
cache="$t/gpu-bundle-runtime-$key.tar.xz"
if [ ! -f "$cache" ]; then
  echo "gpu-bundle: jlink $modules (once per JDK and module list) ..."
  rm -f "$t"/gpu-bundle-runtime-*.tar.xz
  rt="$work/runtime"
  "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-0 \
    --strip-native-debug-symbols=objcopy="$(command -v objcopy)" --output "$rt" 2>&1 | grep -v 'Using incubator modules' || true
  [ -x "$rt/bin/java" ] || { echo "gpu-bundle: jlink failed" >&2; exit 1; }
  # jlink's objcopy plugin keeps the symbol table; the JVM needs only the dynamic symbols (25 MB instead of 30).
  find "$rt" -name '*.so' -exec objcopy --strip-unneeded {} \;
  # OpenBLAS for the cpu reference of the parity tests: the JNI libraries of the openblas_nolapack class (cblas_sgemm) and
  # of the openblas class (which voxkd's calls initialise; 24 MB, 2 MB in xz), libopenblas and its Fortran runtime
  # (libjniopenblas_full, the LAPACK one, stays out); JavaCPP's own JNI library.
  mkdir -p "$rt/voxkd-natives"
  unzip -q -j -o "$obl" -d "$rt/voxkd-natives" 'org/bytedeco/openblas/linux-x86_64/libjniopenblas_nolapack.so' \
    'org/bytedeco/openblas/linux-x86_64/libjniopenblas.so' \
    'org/bytedeco/openblas/linux-x86_64/libopenblas.so.0' 'org/bytedeco/openblas/linux-x86_64/libgfortran.so.5' \
    'org/bytedeco/openblas/linux-x86_64/libquadmath.so.0' 'org/bytedeco/openblas/linux-x86_64/libgcc_s.so.1'
  unzip -q -j -o "$jcpp" -d "$rt/voxkd-natives" 'org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so'
  # jniopenblas_nolapack needs libopenblas_nolapack.so.0, which JavaCPP makes from libopenblas.so.0 when it extracts a jar:
  # here a link (inside the archive; found through the JNI library's $ORIGIN runpath).
  ln -s libopenblas.so.0 "$rt/voxkd-natives/libopenblas_nolapack.so.0"
  echo "VOXKD_MODULES=\"$modules\"" >> "$rt/release"
  tar -C "$rt" --owner=0 --group=0 --numeric-owner --sort=name --mtime=@0 -cf - . | xz -4 -T2 > "$cache.tmp"
  mv "$cache.tmp" "$cache"
fi
cp "$cache" "$stage/runtime.tar.xz"
sha256sum "$stage/runtime.tar.xz" | cut -c1-64 > "$stage/runtime.sha256"

# ---- native/: the ICD loader ----
cp "$loader" "$stage/native/libOpenCL.so.1"
cp "$loader" "$stage/native/libOpenCL.so"

# ---- tests/: test classes (OpenCL tests and GpuCheckRunner) and JUnit ----
(cd "$t/test-classes" && zip -q -9 -r -X "$stage/tests/voxkd-tests.jar" .)
cp "$t"/test-lib/*.jar "$stage/tests/lib/"

# ---- tools/ and the launcher ----
cp "$root/tools/gpu_check.py" "$root/tools/torch_peer.py" "$root/tools/gen_model_fixtures.py" "$stage/tools/"
cp "$root/tools/gpu-bundle/opencl-vendors.sh" "$stage/tools/"
cp "$root/tools/gpu-bundle/voxkd" "$stage/bin/voxkd"
chmod +x "$stage/bin/voxkd" "$stage/tools/"*.sh "$stage/tools/gpu_check.py"
{
  echo "voxkd.version=$(unzip -p "$t/voxkd.jar" voxkd-version.properties | sed -n 's/^voxkd.version=//p')"
  echo "voxkd.fingerprint=$(unzip -p "$t/voxkd.jar" voxkd-fingerprint.txt | head -n1)"
  echo "git.commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo '+dirty')"
  echo "java.runtime=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$jdk/release") ($(sed -n 's/^IMPLEMENTOR="\(.*\)"/\1/p' "$jdk/release"), jlinked)"
  echo "java.modules=$modules"
  echo "runtime.sha256=$(cat "$stage/runtime.sha256")"
  echo "opencl.loader=$(basename "$loader") ($(dpkg-query -W -f='${Package} ${Version}' ocl-icd-libopencl1 2>/dev/null || echo ocl-icd))"
} > "$stage/bundle.properties"
cat > "$stage/README.txt" <<'EOF'
voxkd GPU bundle (make gpu-bundle): runs on x86-64 Linux with no Java installed.
  bin/voxkd --version | devices | bench ...     voxkd itself (the runtime unpacks once into a cache: VOXKD_CACHE)
  python3 tools/gpu_check.py [--small]          the GPU check: devices, OpenCL parity, bench, PyTorch CUDA peer; one JSON
  bin/voxkd --java ARGS                         the bundled java with the launcher's environment
See README.md of voxkd, section "GPU machines".
EOF

rm -rf "$out"
mv "$stage" "$out"
rm -rf "$work"
bytes="$(du -sb "$out" | cut -f1)"
mib="$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
echo "gpu-bundle: ${out#$root/} $mib MiB ($bytes bytes): runtime.tar.xz $(du -b "$out/runtime.tar.xz" | awk '{ printf "%.1f", $1 / 1048576 }') MiB," \
     "app $(du -sb "$out/app" | awk '{ printf "%.1f", $1 / 1048576 }') MiB, tests $(du -sb "$out/tests" | awk '{ printf "%.1f", $1 / 1048576 }') MiB;" \
     "java $(sed -n 's/^java.runtime=//p' "$out/bundle.properties")"
if [ "$bytes" -gt $((max_mib * 1048576)) ]; then
  echo "gpu-bundle: $mib MiB is over the $max_mib MiB limit" >&2
  exit 1
fi
