#!/usr/bin/env bash
# codellm convert of the same CodeLlama-7B-shaped weights from three layouts, interleaved, REPS
# times: Hugging Face safetensors, Meta's single consolidated.00.pth, and Meta's 2-file
# model-parallel layout (merged on the fly); wall time and peak RSS of each, then whether the
# three F16 GGUFs hold byte-identical tensors. Writes WORK/meta-vs-hf.md.
#
# Usage: scripts/convert-meta-vs-hf.sh WORK [LAYERS] [REPS]   (default 4 layers: ~2.1 GB per layout)
set -euo pipefail
work=$1
layers=${2:-4}
reps=${3:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
codellm="$root/codellm"
mkdir -p "$work"
rm -rf "$work/hf" "$work/meta1" "$work/meta2" "$work"/*.gguf
"$codellm" synth-model --shape codellama-7b --type F16 --layers "$layers" "$work/synth.gguf" >/dev/null
"$codellm" convert "$work/synth.gguf" "$work/hf" --to hf >/dev/null
rm -f "$work/synth.gguf"
/usr/bin/python3 "$root/scripts/hf-to-meta.py" "$work/hf" "$work/meta1" 1 2>/dev/null
/usr/bin/python3 "$root/scripts/hf-to-meta.py" "$work/hf" "$work/meta2" 2 2>/dev/null
out="$work/meta-vs-hf.md"
echo "| rep | layout | wall s | peak RSS MiB | load average |" >"$out"
echo "|---|---|---|---|---|" >>"$out"
for rep in $(seq "$reps"); do
  for l in hf meta1 meta2; do
    rm -f "$work/$l.gguf"
    /usr/bin/time -f "%e %M" -o "$work/time" "$codellm" convert "$work/$l" "$work/$l.gguf" --type f16 --threads 2 --name m >"$work/$l.log" 2>&1
    read -r secs kb <"$work/time"
    echo "| $rep | $l | $secs | $((kb / 1024)) | $(cut -d' ' -f1 /proc/loadavg) |" >>"$out"
  done
done
/usr/bin/python3 - "$work/hf.gguf" "$work/meta1.gguf" "$work/meta2.gguf" >>"$out" <<'PY'
import sys
sys.path.insert(0, "/work/peers/llama.cpp/gguf-py")
import gguf
ref = {t.name: t for t in gguf.GGUFReader(sys.argv[1]).tensors}
for f in sys.argv[2:]:
    o = {t.name: t for t in gguf.GGUFReader(f).tensors}
    same = sum(1 for n in ref if n in o and o[n].tensor_type == ref[n].tensor_type and bytes(o[n].data) == bytes(ref[n].data))
    print(f"- {f.split('/')[-1]}: {same}/{len(ref)} tensors byte-identical to hf.gguf's")
PY
cat "$out"
