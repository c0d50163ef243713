#!/usr/bin/env bash
# Sourced by the launcher (./codellm); LauncherMemoryOptsTest runs it on its own.
# Memory: the weights stay in the mapped file and KV caches are native memory sized by the engine,
# so the Java heap only holds activations, tokenizer tables and HTTP state (a live set of ~30 MB on
# a 7B-shaped model). Left to itself the JVM takes a quarter of RAM and ParallelGC grows the young
# generation into it under load (1.4 GB seen with a 25 MB live set). Inference commands therefore
# get a heap of 64 MiB + 1/32 of the model file (at least 192 MiB, at most a quarter of the
# machine's or cgroup's memory), and native memory for KV caches up to 90 % of it
# (MaxDirectMemorySize, which off-heap arenas count against, defaults to the heap size).
# The floor is the activations of one 256-row prompt chunk, which depend on the model's widths and
# not on its file: ~50 MB of arrays live at once on a 7B-shaped model (dim 4096, ffn 11008) on top
# of the ~30 MB live set. With the old floor of 96 MiB a 7B-shaped file cut to 4 layers (576 MiB,
# so 96 MiB) ran out of room in the middle of a prompt and ParallelGC went into back-to-back full
# collections that freed nothing (70M->70M, every ~0.1 s): the server stopped answering.
# CODELLM_JAVA_OPTS comes last, so its -Xmx wins.
codellm_memory_opts() {
  local cmd=${1:-} model="" prev=""
  # convert and quantize stream a tensor at a time (a few 4 MiB chunks per thread in flight): a
  # small heap keeps their footprint small whatever the model's size
  case "$cmd" in convert|quantize) echo "-Xmx768m"; return 0 ;; esac
  case "$cmd" in serve|serve-bench|complete|infill|chat|bench) ;; *) return 0 ;; esac
  for a in "$@"; do
    case "$a" in --model=*) model=${a#--model=} ;; esac
    case "$prev" in -m|--model) model=$a ;; esac
    prev=$a
  done
  local ram_kib limit file_mib=0 heap_mib
  ram_kib=$(awk '/MemTotal/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
  limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || echo max)
  if [[ "$limit" =~ ^[0-9]+$ ]] && [ $((limit / 1024)) -lt "$ram_kib" ]; then ram_kib=$((limit / 1024)); fi
  [ -n "$model" ] && [ -f "$model" ] && file_mib=$(( $(stat -c %s "$model") / 1048576 ))
  heap_mib=$((64 + file_mib / 32))
  [ "$heap_mib" -lt 192 ] && heap_mib=192
  if [ "$ram_kib" -gt 0 ] && [ "$heap_mib" -gt $((ram_kib / 4096)) ]; then heap_mib=$((ram_kib / 4096)); fi
  echo "-Xmx${heap_mib}m -XX:MaxDirectMemorySize=$((ram_kib * 9 / 10 / 1024))m"
}
