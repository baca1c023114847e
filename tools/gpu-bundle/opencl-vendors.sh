#!/usr/bin/env bash
# OpenCL drivers for the bundle's own ICD loader (sourced by bin/voxkd; run alone it prints what it found):
#   opencl_vendors DIR   writes DIR/*.icd, one per usable driver, each naming its library by absolute path, and sets
#                        VENDORS_NOTE (one line: what was found, and where NVIDIA's library was looked for) and
#                        VENDORS_LIBDIRS (folders of the libraries, for LD_LIBRARY_PATH: libnvidia-opencl.so.1 loads
#                        libcuda.so.1 from its own folder, which may be outside the linker's cache, e.g. /usr/local/nvidia/lib64).
# Drivers: every /etc/OpenCL/vendors/*.icd whose library exists (apt remove keeps a stale ICD file), and, when none of
# them names an NVIDIA library, libnvidia-opencl.so.1 where GPU images put the driver: /usr/local/nvidia/lib64 (the
# container toolkit's mount), /usr/lib64, /usr/lib/x86_64-linux-gnu (and its nvidia/current), or wherever `ldconfig -p`
# knows it. Where the image has no ICD loader and no ICD file at all, this is what makes the GPU visible.

# VOXKD_DRIVER_DIRS (colon-separated) are searched first and VOXKD_SYSTEM_ICD_DIR replaces /etc/OpenCL/vendors: for an
# image that keeps its driver elsewhere, and for tests (GpuBundleTest).
VENDOR_LIBDIRS_SEARCH=()
IFS=: read -r -a VENDOR_LIBDIRS_SEARCH <<< "${VOXKD_DRIVER_DIRS:-}"
VENDOR_LIBDIRS_SEARCH+=(/usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib64 /usr/lib/x86_64-linux-gnu
                        /usr/lib/x86_64-linux-gnu/nvidia/current /lib/x86_64-linux-gnu /lib64 /usr/lib /lib /usr/local/lib)
SYSTEM_ICD_DIR="${VOXKD_SYSTEM_ICD_DIR:-/etc/OpenCL/vendors}"
# ldconfig lives in /sbin or /usr/sbin, which a plain user's PATH (or env -i PATH=/usr/bin:/bin) may lack.
LDCONFIG="$(command -v ldconfig || ls /sbin/ldconfig /usr/sbin/ldconfig 2>/dev/null | head -n1 || true)"
LDCONFIG="${LDCONFIG:-ldconfig}"

# The absolute path of a library named in an ICD file (a bare name is looked up like the loader's dlopen would).
opencl_resolve_lib() {
  local name="$1" d p
  case "$name" in
    /*) [ -e "$name" ] && { echo "$name"; return 0; }; name="$(basename "$name")" ;;
  esac
  for d in "${VENDOR_LIBDIRS_SEARCH[@]}"; do
    [ -n "$d" ] && [ -e "$d/$name" ] && { echo "$d/$name"; return 0; }
  done
  p="$("$LDCONFIG" -p 2>/dev/null | awk -v n="$name" '$1 == n && /x86-64/ { print $NF; exit }')"
  [ -n "$p" ] && [ -e "$p" ] && { echo "$p"; return 0; }
  return 1
}

opencl_vendors() {
  local dir="$1" f lib path name found=() nvidia="" searched d p
  VENDORS_NOTE=""; VENDORS_LIBDIRS=""
  mkdir -p "$dir"
  rm -f "$dir"/*.icd
  for f in "$SYSTEM_ICD_DIR"/*.icd; do
    [ -f "$f" ] || continue
    lib="$(head -n1 "$f" | tr -d '\r' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')"
    [ -n "$lib" ] || continue
    if path="$(opencl_resolve_lib "$lib")"; then
      name="$(basename "$f")"
      echo "$path" > "$dir/$name"
      found+=("$name=$path")
      VENDORS_LIBDIRS="$VENDORS_LIBDIRS:$(dirname "$path")"
      case "$path" in *nvidia*) nvidia="$path" ;; esac
    fi
  done
  if [ -z "$nvidia" ]; then
    searched="${VENDOR_LIBDIRS_SEARCH[*]} and ldconfig -p"
    if path="$(opencl_resolve_lib libnvidia-opencl.so.1)"; then
      nvidia="$path"
    else
      # A driver folder may hold only the versioned file (libnvidia-opencl.so.550.54.15).
      for d in "${VENDOR_LIBDIRS_SEARCH[@]}"; do
        [ -n "$d" ] || continue
        for p in "$d"/libnvidia-opencl.so.[0-9]*; do [ -e "$p" ] && { nvidia="$p"; break 2; }; done
      done
    fi
    if [ -n "$nvidia" ]; then
      echo "$nvidia" > "$dir/voxkd-nvidia.icd"
      found+=("voxkd-nvidia.icd=$nvidia")
      VENDORS_LIBDIRS="$VENDORS_LIBDIRS:$(dirname "$nvidia")"
      VENDORS_NOTE="NVIDIA found outside the ICD files: $nvidia; "
    else
      VENDORS_NOTE="no libnvidia-opencl.so.1 (searched $searched); "
    fi
  fi
  VENDORS_LIBDIRS="${VENDORS_LIBDIRS#:}"
  if [ ${#found[@]} -eq 0 ]; then
    VENDORS_NOTE="${VENDORS_NOTE}no OpenCL driver found"
  else
    VENDORS_NOTE="${VENDORS_NOTE}drivers: ${found[*]}"
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  d="${1:-$(mktemp -d)}"
  opencl_vendors "$d"
  echo "vendors folder: $d"
  echo "$VENDORS_NOTE"
  echo "library folders: ${VENDORS_LIBDIRS:-none}"
fi
