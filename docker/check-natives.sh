#!/usr/bin/env bash
# Fails when a native library in the given folders links a library that neither its own folder
# nor the system provides, so a missing dependency stops the IMAGE BUILD (the Dockerfile runs it in
# the runtime stage, on the runtime base) instead of the first start on a GPU node.
# DJL System.load()s every library of a folder, so each is resolved with its folder on the
# search path. libcuda.so.1 is the NVIDIA driver's own library: the NVIDIA container runtime
# mounts it into the container at run time, so no image has it.
# Usage: check-natives.sh DIR...
set -euo pipefail
missing=""
checked=0
while IFS= read -r -d '' lib; do
  checked=$((checked + 1))
  # ldd's exit status is ignored: it is non-zero for files that are not dynamic objects.
  unresolved="$(LD_LIBRARY_PATH="$(dirname "$lib")" ldd "$lib" 2>/dev/null \
    | awk '/=> not found/ {print $1}' | grep -vx 'libcuda.so.1' || true)"
  for dep in $unresolved; do
    missing+="  ${lib} needs ${dep}"$'\n'
  done
done < <(find "$@" \( -type f -o -type l \) -name '*.so*' -print0)
if [ -n "$missing" ]; then
  echo "native libraries with unresolved dependencies (install them in the runtime base or keep them in the library's folder):" >&2
  printf '%s' "$missing" >&2
  exit 1
fi
echo "all ${checked} native libraries resolve (libcuda.so.1 comes from the driver at run time)"
