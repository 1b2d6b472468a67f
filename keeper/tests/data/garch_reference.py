"""Reference GARCH(1,1) fits for il-keeper's `vol` tests, from Kevin Sheppard's `arch`.

Regenerate (from the repository root; nothing here is needed at test time):

    python3 -m venv /tmp/garchenv && /tmp/garchenv/bin/pip install arch numpy
    /tmp/garchenv/bin/python keeper/tests/data/garch_reference.py > keeper/tests/data/garch_reference.json

Each case is a seeded simulated return series (numpy's PCG64), fitted with
`arch_model(r, mean="Zero", vol="GARCH", p=1, q=1, dist="normal", rescale=False)`,
the model `il_keeper::vol::fit_garch` maximises (same variance backcast),
after scaling the returns to unit variance (arch stalls on badly scaled data).
The JSON carries the returns themselves, so the Rust test needs no Python.
"""

import json
import sys

import arch
import numpy as np
from arch import arch_model


def simulate(seed, n, omega, alpha, beta, scale):
    rng = np.random.default_rng(seed)
    s2 = omega / (1.0 - alpha - beta)
    out = []
    for _ in range(n):
        r = np.sqrt(s2) * rng.standard_normal()
        out.append(r)
        s2 = omega + alpha * r * r + beta * s2
    return np.array(out) * scale


def student_t(seed, n, sd):
    rng = np.random.default_rng(seed)
    return rng.standard_t(5, n) * sd / np.sqrt(5.0 / 3.0)


def fit(returns):
    # arch's SLSQP stalls at its starting values on badly scaled data (hourly
    # variances ~1e-6), so fit unit-variance returns and scale back:
    # omega and variances by s^2, the log-likelihood by -n ln s.
    s = float(np.sqrt(np.mean(returns**2)))
    res = arch_model(returns / s, mean="Zero", vol="GARCH", p=1, q=1, dist="normal", rescale=False).fit(
        disp="off", options={"ftol": 1e-14, "maxiter": 2000}
    )
    f = res.forecast(horizon=1, reindex=False)
    return {
        "omega": float(res.params["omega"]) * s * s,
        "alpha": float(res.params["alpha[1]"]),
        "beta": float(res.params["beta[1]"]),
        "log_likelihood": float(res.loglikelihood) - len(returns) * np.log(s),
        "forecast_variance": float(f.variance.values[-1, 0]) * s * s,
        "convergence_flag": int(res.convergence_flag),
    }


cases = [
    ("daily_like", simulate(1, 600, 2e-5, 0.10, 0.85, 1.0)),
    ("hourly_like", simulate(2, 1000, 1e-7, 0.05, 0.93, 1.0)),
    ("persistent", simulate(3, 1000, 1e-6, 0.04, 0.95, 1.0)),
    ("iid_student_t", student_t(4, 500, 0.03)),
]

out = {"generator": f"arch {arch.__version__}, numpy {np.__version__}", "cases": []}
for name, r in cases:
    case = {"name": name, "returns": [float(x) for x in r]}
    case.update(fit(r))
    out["cases"].append(case)
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
