#!/usr/bin/env python3
"""Write tests/fixtures/stats_statsmodels.json: reference values for src/eval/stats.rs, computed
with statsmodels and scipy (run once; needs `pip install statsmodels scipy`, not in the venv).

  python scripts/stats_fixture.py
"""
import json
import os

import numpy as np
import scipy
import statsmodels
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
wilson = []
for k, n in [(9239, 10000), (9002, 10000), (8006, 10000), (990, 1000), (1000, 1000), (0, 1000), (3, 7), (1, 1), (9345, 10000)]:
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    wilson.append([k, n, float(lo), float(hi)])
tests = []
for b, c in [(30, 18), (0, 0), (0, 5), (1, 9), (12, 12), (100, 60), (250, 180), (3, 40), (700, 610), (1200, 1080)]:
    res = mcnemar([[0, b], [c, 0]], exact=True)
    tests.append([b, c, float(res.pvalue)])
mean_sd = []
for v in [[0.9002, 0.8987, 0.9031], [0.5], [1.0, 2.0, 3.0, 4.0], [0.9239, 0.9227, 0.9246, 0.9210, 0.9251]]:
    mean_sd.append([v, float(np.mean(v)), float(np.std(v, ddof=1)) if len(v) > 1 else 0.0])
out = {
    "source": f"statsmodels {statsmodels.__version__}, scipy {scipy.__version__}, numpy {np.__version__}",
    "wilson": wilson,
    "mcnemar": tests,
    "mean_sd": mean_sd,
}
path = os.path.join(ROOT, "tests", "fixtures", "stats_statsmodels.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(f"wrote {path}")
