#!/usr/bin/env bash
# Fills DJL's cache with every native library the service loads, at IMAGE BUILD time, so the
# container runs with DJL_OFFLINE=true and never downloads:
#   cpu: libtorch from the offline pytorch-native-cpu jar (extracted by DJL itself) + JNI
#   gpu: libtorch from PyTorch's official CUDA zip (only the libraries DJL loads) + the matching
#        JNI from the pytorch-jni jar; the app is packaged without the pytorch-native-cpu jar
# Both: the HF tokenizers native library.
# Usage: fetch-natives.sh cpu|gpu QUARKUS_APP_DIR DJL_CACHE_DIR
set -euo pipefail
variant="$1"
app="$(cd "$2" && pwd)"
cache="$3"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$cache"
# RUST_FLAVOR=cpu: the tokenizer runs on the CPU even in the GPU image (no CUDA tokenizer build).
export DJL_CACHE_DIR="$cache" DJL_OFFLINE=true OPT_OUT_TRACKING=true RUST_FLAVOR=cpu
warm() {
  # DJL's own loader extracts from the jars on the app's class path into DJL_CACHE_DIR. The
  # PYTORCH_* overrides (build args of both variants) are cleared so that DJL takes the libtorch
  # of the pytorch-native-cpu jar and never looks for another one.
  env -u PYTORCH_VERSION -u PYTORCH_FLAVOR -u PYTORCH_LIBRARY_PATH \
    java -Dai.djl.offline=true -cp "$app/lib/main/*" "$here/DjlNatives.java" "$@"
}

case "$variant" in
  cpu)
    warm pytorch tokenizers
    ;;
  gpu)
    version="${PYTORCH_VERSION:?PYTORCH_VERSION}"
    flavor="${PYTORCH_FLAVOR:?PYTORCH_FLAVOR}"
    url="${LIBTORCH_URL:-}"
    if [ -z "$url" ]; then
      url="https://download.pytorch.org/libtorch/${flavor}/libtorch-cxx11-abi-shared-with-deps-${version}%2B${flavor}.zip"
    fi
    dir="$cache/pytorch/${version}-${flavor}-linux-x86_64"
    tmp="$(mktemp -d)"
    curl -fsSL --retry 3 -o "$tmp/libtorch.zip" "$url"
    if [ -n "${LIBTORCH_SHA256:-}" ]; then
      echo "${LIBTORCH_SHA256}  $tmp/libtorch.zip" | sha256sum -c -
    fi
    unzip -q "$tmp/libtorch.zip" 'libtorch/lib/*' -d "$tmp"
    mkdir -p "$dir"
    # DJL System.load()s EVERY file in the folder, so only what DJL's own pytorch-native-cu128 jar
    # carries is copied (djl v0.36.0 engines/pytorch/pytorch-native/build.gradle.kts, Linux names):
    # libtorch, c10, caffe2_nvrtc, the bundled CUDA/cuDNN/NVRTC libraries and libgomp. The zip's
    # test and plugin libraries (libtorchbind_test, libjitbackend_test, libbackend_with_compiler,
    # libaoti_custom_ops, ...), libshm, libtorch_global_deps and static archives stay out.
    find "$tmp/libtorch/lib" -maxdepth 1 \( -type f -o -type l \) \( \
        -name 'libtorch.so' -o -name 'libtorch_cpu.so' -o -name 'libtorch_cuda*.so' \
        -o -name 'libc10.so' -o -name 'libc10_cuda.so' -o -name 'libcaffe2_nvrtc.so' \
        -o -name 'libcu*.so*' -o -name 'libnv*.so*' -o -name 'libgomp*.so*' \) \
      -exec cp -P {} "$dir/" \;
    jni_jar="$(ls "$app"/lib/main/ai.djl.pytorch.pytorch-jni-*.jar)"
    djl_version="$(unzip -p "$jni_jar" jnilib/pytorch.properties | sed -n 's/^jni_version=.*-//p')"
    unzip -p "$jni_jar" "jnilib/linux-x86_64/${flavor}/libdjl_torch.so" > "$dir/${djl_version}-libdjl_torch.so"
    test -s "$dir/libtorch.so" && test -s "$dir/libtorch_cuda.so" && test -s "$dir/${djl_version}-libdjl_torch.so"
    rm -rf "$tmp"
    warm tokenizers
    ;;
  *)
    echo "VARIANT must be gpu or cpu, not '$variant'" >&2
    exit 2
    ;;
esac
echo "DJL cache ($variant), bytes per file:"
find "$cache" -maxdepth 3 \( -type f -o -type l \) -printf '  %P %s\n' | sort
echo "DJL cache total: $(du -sh "$cache" | cut -f1)"
