#!/usr/bin/env bash
# Reproduces the embedded default model (codellm-model/src/main/resources/dev/codellm/model/default-model.gguf):
#   1. decontaminate the Python 3.11 standard library (PSF license) against HumanEval(+)/MBPP(+)
#   2. train a 1M-parameter Llama (dim 128, 4 layers) from scratch with `codellm train`
#   3. copy the final model.gguf into the model module's resources
# Usage: scripts/train-default-model.sh [OUT_DIR]   (rerun the same command to resume after a kill)
# Env: CODELLM_JAR=path/to/codellm.jar to run a fixed copy of the jar (default: ./codellm launcher),
#      PYLIB=/usr/lib/python3.11, THREADS=2, STEPS=800, NO_INSTALL=1 to skip step 3.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-/tmp/codellm-default-model}
pylib=${PYLIB:-/usr/lib/python3.11}
shared=${CODELLM_SHARED:-$(cd "$root/.." && pwd)/shared}
mkdir -p "$out"

if [ ! -f "$out/corpus/clean-files.txt" ]; then
  /usr/bin/python3 "$root/scripts/decontam-corpus.py" "$shared" "$pylib" "$out/corpus" \
    --exclude /site-packages/ /dist-packages/ /pydoc_data/ /encodings/ /_sysconfigdata /test/ /tests/ /idlelib/ /config-3.11
fi

if [ -n "${CODELLM_JAR:-}" ]; then
  . "$root/scripts/find-jdk.sh"; codellm_find_jdk
  run=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx3g -jar "$CODELLM_JAR")
else
  run=("$root/codellm")
fi

"${run[@]}" train --data "$out/corpus/clean-files.txt" --out "$out/run" --name codellm-tiny-py \
  --vocab-merges 1786 --dim 128 --layers 4 --heads 4 --kv-heads 4 --ffn 344 --context 1024 \
  --seq-len 256 --batch 4 --accum 1 --steps "${STEPS:-800}" --lr 2e-3 --min-lr 2e-4 --warmup 50 \
  --weight-decay 0.1 --clip 1.0 --fim-rate 0.5 --spm-rate 0.5 --seed 1234 \
  --threads "${THREADS:-2}" --checkpoint-every 50 --eval-every 100 --held-out-rows 32

if [ -z "${NO_INSTALL:-}" ]; then
  cp "$out/run/model.gguf" "$root/codellm-model/src/main/resources/dev/codellm/model/default-model.gguf"
  echo "installed $out/run/model.gguf as the default model"
fi
