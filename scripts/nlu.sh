#!/usr/bin/env bash
# Train or serve Passerelle's Rasa NLU model, from Rasa's own virtual environment.
#
#   scripts/nlu.sh train [--force]  retrain only when config, domain, data or Rasa changed
#   scripts/nlu.sh serve            serve the model on 127.0.0.1:${NLU_PORT:-5005} (foreground)
#   scripts/nlu.sh hash             print the fingerprint of the training inputs
#
# The model has a fixed name (nlu/rasa/models/passerelle-nlu.tar.gz) and its fingerprint is
# stored beside it (passerelle-nlu.sha256). Telemetry is off; nothing here needs a network.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT="$ROOT/nlu/rasa"
MODELS="$PROJECT/models"
NAME="passerelle-nlu"
MODEL="$MODELS/$NAME.tar.gz"
STAMP="$MODELS/$NAME.sha256"
LOG="$MODELS/train.log"
RASA="${RASA_BIN:-$ROOT/.venv-rasa/bin/rasa}"

export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=3
export PYTHONWARNINGS=ignore
export SQLALCHEMY_SILENCE_UBER_WARNING=1

# Rasa's dependencies (aiogram among them) turn deprecation warnings back on at import time,
# whatever PYTHONWARNINGS says; these lines are noise, not news.
NOISE='DeprecationWarning|declare_namespace|^  (import pkg_resources|from jax import|SANIC_VERSION|\)\.setParseAction|self\._parser\.)|^Implementing implicit namespace|No chat connector configured'

die() { echo "nlu: $*" >&2; exit 1; }

need_rasa() {
  [ -x "$RASA" ] || die "Rasa's environment is missing ($RASA): run 'make rasa-venv'"
}

# Fingerprint of everything that shapes the model: file names and contents, in a stable order.
fingerprint() {
  cd "$PROJECT"
  {
    printf '%s\n' config.yml domain.yml
    find data -type f \( -name '*.yml' -o -name '*.yaml' \) | LC_ALL=C sort
  } | while IFS= read -r file; do
    printf '%s\0' "$file"
    cat "$file"
    printf '\0'
  done | cat - "$ROOT/nlu/requirements-rasa.txt" | sha256sum | cut -d' ' -f1
}

train() {
  local force="${1:-}"
  need_rasa
  mkdir -p "$MODELS"
  # One training at a time (make, the test session and a developer may race).
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$MODELS/.train.lock"
    flock 9
  fi
  local want have=""
  want="$(fingerprint)"
  [ -f "$STAMP" ] && have="$(cat "$STAMP")"
  if [ "$force" != "--force" ] && [ -f "$MODEL" ] && [ "$want" = "$have" ]; then
    echo "nlu: model up to date ($NAME, ${want:0:12})"
    return 0
  fi
  echo "nlu: training $NAME (log: ${LOG#"$ROOT"/})…"
  local started=$SECONDS
  rm -f "$STAMP"
  if ! (cd "$PROJECT" && "$RASA" train nlu --config config.yml --nlu data --domain domain.yml \
        --out models --fixed-model-name "$NAME" >"$LOG" 2>&1); then
    tail -n 30 "$LOG" >&2
    die "training failed (full log in ${LOG#"$ROOT"/})"
  fi
  [ -f "$MODEL" ] || die "training finished but $MODEL is missing (see ${LOG#"$ROOT"/})"
  echo "$want" >"$STAMP"
  echo "nlu: trained $NAME in $((SECONDS - started)) s (${want:0:12})"
}

serve() {
  need_rasa
  [ -f "$MODEL" ] || die "no trained model at ${MODEL#"$ROOT"/}: run 'make nlu-train'"
  local port="${NLU_PORT:-5005}"
  cd "$PROJECT"
  echo "nlu: serving $NAME on http://127.0.0.1:$port (Ctrl-C to stop)"
  exec "$RASA" run --enable-api --quiet -m "$MODEL" -i 127.0.0.1 -p "$port" \
    2> >(grep --line-buffered -v -E "$NOISE" >&2)
}

case "${1:-}" in
  train) train "${2:-}" ;;
  serve) serve ;;
  hash) fingerprint ;;
  *) echo "usage: scripts/nlu.sh train [--force] | serve | hash" >&2; exit 2 ;;
esac
