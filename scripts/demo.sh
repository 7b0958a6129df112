#!/usr/bin/env bash
# The main job on the shipped data: show the city pools, solve the shipped examples with the
# shipped policy + genetic refiner (and PyVRP / OR-Tools for comparison), and draw the maps.
set -euo pipefail
cd "$(dirname "$0")/.."
nco=.venv/bin/nco
mkdir -p out

echo "== shipped city pools"
$nco data list
$nco data show monaco --plot out/monaco_pool.png > out/monaco_card.json

for example in monaco_50 liechtenstein_200 monaco_tw_30; do
    echo "== $example"
    $nco solve "data/examples/$example.json" --time-limit 2 -o "out/$example.json" --plot "out/$example.png"
    for method in pyvrp ortools; do
        $nco solve "data/examples/$example.json" --method "$method" --time-limit 2 --quiet -o "out/${example}_$method.json"
    done
    .venv/bin/python - "$example" <<'PY'
import json, sys
name = sys.argv[1]
for method, path in [("nco", f"out/{name}.json"), ("pyvrp", f"out/{name}_pyvrp.json"), ("ortools", f"out/{name}_ortools.json")]:
    out = json.load(open(path))
    s = out["summary"]
    print(f"  {method:8s} {s['distance'] / 1000:8.1f} km  {s['routes']:3d} routes  validated={out['nco']['validated']}")
PY
done
echo "maps and routes written to out/ (monaco_50.png, liechtenstein_200.png, monaco_tw_30.png)"
echo "to plan on a map in the browser: .venv/bin/nco serve, then open http://127.0.0.1:8000/"
