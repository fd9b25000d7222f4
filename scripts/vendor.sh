#!/usr/bin/env bash
# Copy the front-end files the portal serves out of node_modules (installed from the npm registry).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NM="$ROOT/node_modules"
OUT="$ROOT/var/vendor"
mkdir -p "$OUT"
cp "$NM/htmx.org/dist/htmx.min.js" "$OUT/htmx.min.js"
cp "$NM/echarts/dist/echarts.min.js" "$OUT/echarts.min.js"
cp "$NM/bootstrap/dist/css/bootstrap.min.css" "$OUT/bootstrap.min.css"
cp "$NM/bootstrap/dist/js/bootstrap.bundle.min.js" "$OUT/bootstrap.bundle.min.js"
