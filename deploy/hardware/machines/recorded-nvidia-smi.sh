#!/bin/sh
# The nvidia-smi of a recorded machine: prints what the real machine printed.
# A machine's own `nvidia-smi` sets Q (the `nvidia-smi -q` capture, text or XML)
# TOPO (the `nvidia-smi topo -m` capture; empty: topo -m failed there) and
# LIST (the `nvidia-smi -L` capture; empty: none was captured) and runs this. Captures live in ../captures (see ../README.md for where each came from).
caps="$(cd "$(dirname "$0")/../captures" && pwd)"
case "$1" in
  -q) cat "$caps/$Q" ;;
  topo)
    if [ -n "$TOPO" ]; then cat "$caps/$TOPO"; else echo "no topo -m capture for this machine" >&2; exit 2; fi ;;
  -L)
    if [ -n "${LIST:-}" ]; then cat "$caps/$LIST"; else echo "no -L capture for this machine" >&2; exit 2; fi ;;
  *) echo "recorded nvidia-smi: no capture for: $*" >&2; exit 2 ;;
esac
