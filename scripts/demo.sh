#!/usr/bin/env bash
# `make demo`: start the local Rasa server in the background, wait until it is ready, run the
# console chat, and stop Rasa on exit. If Rasa cannot start, the chat still runs: the bot
# says it cannot read free text right now and the buttons keep working.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${NLU_PORT:-5005}"
export NLU_URL="${NLU_URL:-http://127.0.0.1:$port}"
mkdir -p data
rasa_pid=""
cleanup() { if [ -n "$rasa_pid" ]; then kill "$rasa_pid" 2>/dev/null || true; wait "$rasa_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT INT TERM

if curl -fsS "$NLU_URL/status" >/dev/null 2>&1; then
  echo "Using the Rasa server already running at $NLU_URL." >&2
else
  NLU_PORT="$port" scripts/nlu.sh serve >data/rasa.log 2>&1 &
  rasa_pid=$!
  printf 'Starting the NLU server (Rasa)…' >&2
  for _ in $(seq 1 120); do
    if curl -fsS "$NLU_URL/status" 2>/dev/null | grep -q model_file; then break; fi
    if ! kill -0 "$rasa_pid" 2>/dev/null; then
      echo " it did not start (see data/rasa.log); continuing with buttons only." >&2; rasa_pid=""; break
    fi
    sleep 1
  done
  echo " ready." >&2
fi
.venv/bin/passerelle chat
