#!/bin/bash
# Builds DJL 0.36.0's JNI library (libdjl_torch.so) from its native source against the torch of the
# machine it runs on, without CMake, following engines/pytorch/pytorch-native/CMakeLists.txt:
#   sources   every .cc of src/main/native (the 15 its SOURCE_FILES lists)
#   includes  the javac -h header of PyTorchLibrary (CMake's build/include), JNI, api/src/main/native
#             (djl/utils.h), torch's include/ and include/torch/csrc/api/include
#   defines   USE_CUDA for a CUDA torch; V1_13_X only for torch 1.13.1, 2.0.1, 2.1.* (PT_VERSION);
#             TORCH_CXX_FLAGS = -D_GLIBCXX_USE_CXX11_ABI=<the ABI torch was built with>
#   links     torch, torch_cpu, c10 (+ torch_cuda, c10_cuda), rpath $ORIGIN; no cudart/nvrtc (build.sh
#             strips them from the link line too: libtorch_cuda brings its own)
# Usage: build-jni.sh TORCH_DIR OUT_DIR [USE_CUDA=0|1] [JOBS]
#   TORCH_DIR: the torch package folder (has include/ and lib/), e.g. python3 -c 'import torch,os;
#   print(os.path.dirname(torch.__file__))'. Env: CXX11_ABI (default 1), TORCH_VERSION (for V1_13_X),
#   JAVA_HOME (a JDK or jlink'd runtime with include/jni.h), CUDA_HOME (default /usr/local/cuda).
# Reads DJL's source from ./djl next to this script (prepare.sh puts it there).
set -euo pipefail
T=$(cd "$1" && pwd); OUT=$2; CUDA=${3:-0}; JOBS=${4:-2}
JH=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
ABI=${CXX11_ABI:-1}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/djl"
SRC=engines/pytorch/pytorch-native/src/main/native
n=$(ls $SRC/*.cc | wc -l)
[ "$n" = 15 ] || { echo "expected DJL 0.36.0's 15 native sources in $SRC, found $n"; exit 1; }
[ -f "$JH/include/jni.h" ] || { echo "no jni.h under $JH/include (JAVA_HOME must have the JNI headers)"; exit 1; }
[ -f gen/ai_djl_pytorch_jni_PyTorchLibrary.h ] || { echo "no JNI header in gen/ (run prepare.sh)"; exit 1; }
FLAGS="-std=c++17 -O1 -fPIC -D_GLIBCXX_USE_CXX11_ABI=$ABI -w -I gen -I api/src/main/native -I $JH/include -I $JH/include/linux -I $T/include -I $T/include/torch/csrc/api/include"
case "${TORCH_VERSION:-}" in 1.13.1*|2.0.1*|2.1.*) FLAGS="$FLAGS -DV1_13_X" ;; esac
LIBS="-L$T/lib -ltorch -ltorch_cpu -lc10"
if [ "$CUDA" = 1 ]; then
  FLAGS="$FLAGS -DUSE_CUDA"
  # a pip torch brings the CUDA headers it was built with, in nvidia/<part>/include (cu12) or
  # nvidia/cu13/include (cu13): searched before a toolkit's, which may be another CUDA version
  for d in "$T"/../nvidia/*/include "$T"/../nvidia/*/*/include; do [ -d "$d" ] && FLAGS="$FLAGS -I $d"; done
  [ -d "${CUDA_HOME:-/usr/local/cuda}/include" ] && FLAGS="$FLAGS -I ${CUDA_HOME:-/usr/local/cuda}/include"
  LIBS="$LIBS -ltorch_cuda -lc10_cuda"
fi
echo "g++ $FLAGS"
rm -f "$OUT"/*.o "$OUT"/*.log
ls $SRC/*.cc | xargs -P "$JOBS" -I{} sh -c 'o='"$OUT"'/$(basename {} .cc).o; g++ '"$FLAGS"' -c {} -o $o 2> $o.log || { echo "FAILED {}"; tail -30 $o.log; exit 1; }'
g++ -shared -o "$OUT/libdjl_torch.so" "$OUT"/*.o -Wl,--no-as-needed $LIBS -Wl,-rpath,'$ORIGIN'
ls -la "$OUT/libdjl_torch.so"
