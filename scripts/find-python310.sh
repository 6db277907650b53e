#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter for Rasa's virtual environment, or fails.
set -euo pipefail
if [ -n "${PYTHON310:-}" ] && [ -x "$PYTHON310" ]; then echo "$PYTHON310"; exit 0; fi
for candidate in python3.10 "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/"3.10*/bin/python3.10; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v "$candidate"; exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  version=$(pyenv install --list 2>/dev/null | tr -d ' ' | grep -E '^3\.10\.[0-9]+$' | tail -1)
  if [ -n "$version" ]; then
    echo "Installing Python $version with pyenv for Rasa…" >&2
    pyenv install -s "$version" >&2
    echo "$(pyenv root)/versions/$version/bin/python3.10"; exit 0
  fi
fi
echo "Rasa 3.6 needs Python 3.10: install it (pyenv install 3.10) or set PYTHON310=/path/to/python3.10" >&2
exit 1
