#!/bin/bash
# Packs what a GPU run needs into DEST (default .gpucheck, git-ignored; must stay under 64 MiB, the
# device tool's carry limit): a jlink'd Java 17 (with the JNI headers the JNI build needs and
# java.instrument for the counting agent), the app classes, DeviceBench and the helper it shares
# with StepCountBench, the dependency jars the model code uses (not libtorch: the GPU machine's own
# PyTorch is used), DJL 0.36.0's native source plus the JNI header javac generates from
# PyTorchLibrary.java, the opcount agent when found, and run-device.sh / build-jni.sh.
# Run HERE, from anywhere in the checkout, with Maven's dependencies available:
#   DJL_GIT=/path/to/djl.git bash gpu/prepare.sh
# DJL_GIT: a git checkout (bare or not) of github:deepjavalibrary/djl that has the tag v0.36.0.
# Env: DEST, OPCOUNT_JAR (default ../shared/opcount/opcount.jar; absent: times only),
#      JDK (default /usr/lib/jvm/java-17-openjdk-amd64, needs jmods/), SKIP_BUILD=1 (classes are
#      compiled already), SELF_CHECK=0 (skip running the packed bench on this CPU).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd); cd "$ROOT"
KIT=$ROOT/gpu
DEST=${DEST:-.gpucheck}
DJL_GIT=${DJL_GIT:?set DJL_GIT to a git checkout of deepjavalibrary/djl that has the tag v0.36.0}
DJL_TAG=v0.36.0
JDK=${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
OPCOUNT_JAR=${OPCOUNT_JAR:-../shared/opcount/opcount.jar}
LIMIT=$((64 * 1024 * 1024))
git -C "$DJL_GIT" rev-parse -q --verify "$DJL_TAG^{commit}" > /dev/null \
  || { echo "$DJL_GIT has no tag $DJL_TAG"; exit 1; }
[ -d "$JDK/jmods" ] || { echo "$JDK has no jmods/ (needed by jlink)"; exit 1; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== compiling (test-compile)"
  ./mvnw -B -ntp -q test-compile
fi
[ -f target/test-classes/dev/csmserver/bench/DeviceBench.class ] \
  || { echo "target/test-classes has no DeviceBench: compile first"; exit 1; }

rm -rf "$DEST"; mkdir -p "$DEST/lib" "$DEST/bench-classes/dev/csmserver/bench" "$DEST/djl/gen"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

echo "== dependency jars the model code uses"
./mvnw -B -ntp -q dependency:build-classpath -Dmdep.outputFile="$TMP/cp.txt" -Dmdep.includeScope=runtime
# not pytorch-jni / pytorch-native-*: the GPU machine's libtorch and a JNI built against it are used;
# the project's slf4j provider (jboss-logmanager) so DJL's warnings show in the log
tr ':' '\n' < "$TMP/cp.txt" \
  | grep -E '/ai/djl/api/|/ai/djl/pytorch/pytorch-engine/|/ai/djl/huggingface/tokenizers/|/net/java/dev/jna/jna/|/com/google/code/gson/gson/|/org/slf4j/slf4j-api/|/com/fasterxml/jackson/core/jackson-(core|databind|annotations)/|/org/jboss/logmanager/jboss-logmanager/|/org/jboss/slf4j/slf4j-jboss-logmanager/|/io/smallrye/common/smallrye-common-' \
  | xargs -I{} cp {} "$DEST/lib/"
ls "$DEST/lib"
# the tokenizers jar carries its Rust library for six platforms (18 MB): keep linux-x86_64's
if command -v zip > /dev/null; then
  for j in "$DEST"/lib/tokenizers-*.jar; do
    zip -q -d "$j" 'native/lib/linux-aarch64/*' 'native/lib/osx-*' 'native/lib/win-*' || true
  done
fi

echo "== classes"
cp -r target/classes "$DEST/app-classes"
cp target/test-classes/dev/csmserver/bench/DeviceBench*.class \
   target/test-classes/dev/csmserver/bench/StepCountBench*.class "$DEST/bench-classes/dev/csmserver/bench/"

echo "== Java 17 runtime (jlink)"
"$JDK/bin/jlink" --module-path "$JDK/jmods" \
  --add-modules java.base,java.logging,java.management,java.instrument,jdk.unsupported,java.xml,java.naming,java.sql,java.desktop \
  --strip-debug --no-man-pages --compress=2 --output "$TMP/jre17"
# jlink leaves the JNI headers out; the JNI build on the device needs them
cp -r "$JDK/include" "$TMP/jre17/include"
tar -C "$TMP" -cJf "$DEST/jre17.tar.xz" jre17

echo "== DJL $DJL_TAG native source + JNI header"
git -C "$DJL_GIT" archive "$DJL_TAG" engines/pytorch/pytorch-native/src/main/native api/src/main/native \
    engines/pytorch/pytorch-engine/src/main/java | tar -x -C "$TMP"
mkdir -p "$DEST/djl/engines/pytorch/pytorch-native/src/main" "$DEST/djl/api/src/main"
cp -r "$TMP/engines/pytorch/pytorch-native/src/main/native" "$DEST/djl/engines/pytorch/pytorch-native/src/main/"
cp -r "$TMP/api/src/main/native" "$DEST/djl/api/src/main/"
"$JDK/bin/javac" -nowarn -cp "$DEST/lib/*" -sourcepath "$TMP/engines/pytorch/pytorch-engine/src/main/java" \
  -h "$DEST/djl/gen" -d "$TMP/djl-classes" \
  "$TMP/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
# the header must declare exactly the natives of the pytorch-engine jar the bench runs with
"$JDK/bin/javap" -p -cp "$DEST/lib/*" ai.djl.pytorch.jni.PyTorchLibrary | grep -o ' native [^;]*' \
  | sed -E 's/.* ([A-Za-z0-9_]+)\(.*/\1/' | sort > "$TMP/jar-natives.txt"
grep -o 'Java_ai_djl_pytorch_jni_PyTorchLibrary_[A-Za-z0-9_]*' "$DEST/djl/gen/ai_djl_pytorch_jni_PyTorchLibrary.h" \
  | sed -e 's/Java_ai_djl_pytorch_jni_PyTorchLibrary_//' -e 's/__.*//' | sort > "$TMP/header-natives.txt"  # overloads: name__signature
if ! diff -q "$TMP/jar-natives.txt" "$TMP/header-natives.txt" > /dev/null; then
  echo "the JNI header from $DJL_TAG does not match the pytorch-engine jar's natives:"
  diff "$TMP/jar-natives.txt" "$TMP/header-natives.txt" | head; exit 1
fi
echo "JNI header: $(wc -l < "$TMP/header-natives.txt") natives, the same as the jar's"

echo "== opcount agent"
if [ -f "$OPCOUNT_JAR" ]; then
  cp "$OPCOUNT_JAR" "$DEST/opcount.jar"
else
  echo "no $OPCOUNT_JAR: the device bench prints times only"
fi

cp "$KIT/run-device.sh" "$KIT/build-jni.sh" "$DEST/"
{
  echo "csm-server $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src gpu || echo ' + uncommitted changes'), packed $(date -u +%FT%TZ)"
  echo "DJL $DJL_TAG $(git -C "$DJL_GIT" rev-parse --short "$DJL_TAG^{commit}")"
} > "$DEST/VERSION.txt"

size=$(du -sb "$DEST" | cut -f1)
echo "== $DEST: $((size / 1024 / 1024)) MiB ($size bytes; the carry limit is 64 MiB)"
[ "$size" -le "$LIMIT" ] || { echo "too big to carry"; exit 1; }

if [ "${SELF_CHECK:-1}" = 1 ]; then
  echo "== self-check: the packed runtime and jars run the bench (small shapes, this CPU, DJL's own libtorch)"
  tar -C "$TMP" -xJf "$DEST/jre17.tar.xz"
  DJL_OFFLINE=true timeout 300 "$TMP/jre17/bin/java" -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$DEST/bench-classes:$DEST/app-classes:$DEST/lib/*:$(tr ':' '\n' < "$TMP/cp.txt" | grep -E '/ai/djl/pytorch/pytorch-(jni|native)' | paste -sd:)" \
    dev.csmserver.bench.DeviceBench shapes=small device=cpu batches=1 steps=1 warmup=0 | grep -E '^(RESULT|loaded)' \
    || { echo "self-check failed"; exit 1; }
fi
echo "next: run(carry=[\"$DEST\"], command=\"bash $DEST/run-device.sh\", timeout_s=540)"
