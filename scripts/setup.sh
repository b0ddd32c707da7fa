#!/usr/bin/env bash
# Sets up everything deepviz needs on Debian: system packages (only those missing),
# a .venv with PyTorch (CPU) and the package in editable mode with its test extras.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  libcairo2-dev libpango1.0-dev pkg-config ffmpeg graphviz
  texlive-latex-base texlive-latex-extra texlive-fonts-recommended dvisvgm
  fonts-dejavu-core chromium
  festival festvox-us-slt-hts espeak-ng  # the narration's voice (deepviz render --voice), espeak-ng the fallback
)
PYTHON=${PYTHON:-python3}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}   # the CPU wheel; any torch>=2.3 works

command -v npm >/dev/null || DEB_PACKAGES+=(nodejs npm)  # the studio's front-end build
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=.venv/.deepviz-setup
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if ! { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; }; then
  # pip's exit status is kept; only the noise of this machine's local index mirrors is filtered.
  pip_install() { .venv/bin/python -m pip install -q "$@" 2> >(grep -v "^WARNING: Location" >&2); }
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  pip_install --upgrade pip
  pip_install "$TORCH_SPEC"
  pip_install -e ".[test]"
  echo "$want" > "$stamp"
  echo "setup: ready (.venv)"
fi

# The studio's front end (TypeScript, bundled by esbuild): packages when the lock file changes,
# the bundle every time (it takes well under a second).
FRONTEND=src/deepviz/studio/frontend
fe_stamp=$FRONTEND/node_modules/.deepviz-setup
fe_want=$(sha256sum "$FRONTEND/package-lock.json" | cut -d' ' -f1)
if ! { [ -f "$fe_stamp" ] && [ "$(cat "$fe_stamp")" = "$fe_want" ]; }; then
  npm ci --prefix "$FRONTEND" --no-audit --no-fund --loglevel=error
  echo "$fe_want" > "$fe_stamp"
fi
npm run --prefix "$FRONTEND" --silent build >/dev/null
