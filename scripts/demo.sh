#!/usr/bin/env bash
# The main job on the shipped data: show the city pools, then solve the shipped examples
# and draw their route maps into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
nco=.venv/bin/nco
mkdir -p out
$nco data list
$nco data show monaco --plot out/monaco_pool.png
echo "wrote out/monaco_pool.png"
