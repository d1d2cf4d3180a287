#!/bin/bash
# On the lent GPU machine (no network), from the repo root, after gpu/prepare.sh packed .gpucheck here:
#   run(carry=[".gpucheck"], command="bash .gpucheck/run-device.sh", timeout_s=540)
# Builds DJL 0.36's JNI library against the machine's own PyTorch (with CUDA), then runs DeviceBench:
# real CSM-1B + Mimi shapes, float16, random weights, batches 1, 8, 32, each step the service's
# (batched model step, every stream's Mimi decode and watermark), with JNI calls and transfers per
# step when the opcount agent was packed. Everything printed goes to $OUT/log.txt; the RESULT lines
# also to $OUT/results.txt.
# Env: SHAPES (csm1b|small), DEVICE (cuda|cpu|auto), DTYPE (float16), BATCHES (1,8,32), STEPS (20),
#      COMPUTE_PATH (auto), USE_CUDA (1: build the JNI with CUDA), PYTHON (python3), TORCH_DIR,
#      TORCH_VERSION, FLAVOR (read from that python's torch when unset), BENCH_TIMEOUT (s, 420).
# Dry run on a CPU with a pip CPU torch: USE_CUDA=0 DEVICE=cpu SHAPES=small bash .gpucheck/run-device.sh
set -uo pipefail
K=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
PY=${PYTHON:-python3}
SHAPES=${SHAPES:-csm1b}; DEVICE=${DEVICE:-cuda}; DTYPE=${DTYPE:-float16}; BATCHES=${BATCHES:-1,8,32}
STEPS=${STEPS:-20}; COMPUTE_PATH=${COMPUTE_PATH:-auto}; USE_CUDA=${USE_CUDA:-1}
export CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
echo "== kit: $(cat "$K/VERSION.txt" 2>/dev/null | paste -sd';')"
T=${TORCH_DIR:-$($PY -c 'import torch,os;print(os.path.dirname(torch.__file__))')} || { echo "no torch in $PY"; exit 1; }
TV=${TORCH_VERSION:-$($PY -c 'import torch;print(torch.__version__.split("+")[0])')}
FL=${FLAVOR:-$($PY -c 'import torch;v=torch.version.cuda;print("cu"+v.replace(".","") if v else "cpu")')}
export CXX11_ABI=${CXX11_ABI:-$($PY -c 'import torch;print(int(torch.compiled_with_cxx11_abi()))' 2>/dev/null || echo 1)}
echo "== torch $TV ($FL, cxx11 abi $CXX11_ABI) at $T; $(nproc) cores"
nvidia-smi -L 2>/dev/null || echo "(no nvidia-smi)"
W=$(mktemp -d /tmp/csm-kit.XXXXXX)
tar -C "$W" -xJf "$K/jre17.tar.xz" || exit 1
export JAVA_HOME=$W/jre17; J=$JAVA_HOME/bin/java

echo "== 1. libdjl_torch.so from DJL 0.36.0's source, against this torch"
SECONDS=0
if ! bash "$K/build-jni.sh" "$T" "$W/jni" "$USE_CUDA" "$(nproc)"; then
  if [ "$USE_CUDA" = 1 ]; then
    # USE_CUDA only adds emptyCache and a separate inference stream to the JNI; CUDA tensors work
    # without it (DJL loads libtorch_cuda itself for a cu flavor), so a build without it still runs
    echo "-- the CUDA build failed (see above); building without USE_CUDA"
    bash "$K/build-jni.sh" "$T" "$W/jni" 0 "$(nproc)" || exit 1
  else
    exit 1
  fi
fi
echo "built in ${SECONDS}s; $(readelf -d "$W/jni/libdjl_torch.so" | grep -c NEEDED) needed libraries:" \
  "$(readelf -d "$W/jni/libdjl_torch.so" | grep NEEDED | grep -o '\[.*\]' | paste -sd' ')"
# DJL looks for {DJL version}-libdjl_torch.so in {cache}/pytorch/{torch version}-{flavor}-{platform}/
mkdir -p "$W/djl/pytorch/$TV-$FL-linux-x86_64"
cp "$W/jni/libdjl_torch.so" "$W/djl/pytorch/$TV-$FL-linux-x86_64/0.36.0-libdjl_torch.so"
export DJL_OFFLINE=true DJL_CACHE_DIR=$W/djl ENGINE_CACHE_DIR=$W/djl
export PYTORCH_LIBRARY_PATH=$T/lib PYTORCH_VERSION=$TV PYTORCH_FLAVOR=$FL
# DJL loads every library in torch/lib; leave out pip torch's test and Python-only ones
export PYTORCH_LIBRARY_EXCLUSION=${PYTORCH_LIBRARY_EXCLUSION:-libjitbackend_test.so,libtorchbind_test.so,libbackend_with_compiler.so,libaoti_custom_ops.so}
# DJL counts GPUs through JNA -> libcudart: let it find the pip CUDA runtime (or the toolkit's)
export LD_LIBRARY_PATH="$(ls -d "$T"/../nvidia/*/lib "$T"/../nvidia/*/*/lib 2>/dev/null | paste -sd:):$CUDA_HOME/lib64:${LD_LIBRARY_PATH:-}"

echo "== 2. DeviceBench: $SHAPES shapes, $DTYPE, device $DEVICE, batches $BATCHES, $STEPS steps each"
AGENT=()
if [ -f "$K/opcount.jar" ]; then
  AGENT=(--add-exports java.base/jdk.internal.org.objectweb.asm=ALL-UNNAMED
         "-javaagent:$K/opcount.jar=$W/opcount.txt" "-Dopcount.file=$W/opcount.txt")
fi
timeout "${BENCH_TIMEOUT:-420}" "$J" "${AGENT[@]}" -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$K/bench-classes:$K/app-classes:$K/lib/*" \
  dev.csmserver.bench.DeviceBench "shapes=$SHAPES" "device=$DEVICE" "dtype=$DTYPE" \
  "path=$COMPUTE_PATH" "batches=$BATCHES" "steps=$STEPS" 2>&1 | tee "$W/bench.txt"
rc=${PIPESTATUS[0]}
grep '^RESULT' "$W/bench.txt" > "$OUT/results.txt"
echo "== done: DeviceBench exit code $rc (124: timed out), $(wc -l < "$OUT/results.txt") RESULT lines"
rm -rf "$W"
exit $rc
