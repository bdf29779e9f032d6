"""Reference values from the Python `lifetimes` library on the CDNOW sample.

Fits BetaGeoFitter and GammaGammaFitter (penalizer_coef=0.0, defaults
otherwise) on lifetimes' own CDNOW summary data and writes, next to this
script:

* cdnow_summary.csv -- the input data (customer_id, frequency, recency, T,
  monetary_value; T and recency in weeks), exactly as lifetimes loads it;
* reference.json    -- fitted parameters, objective values and, per
  customer, P(alive), expected purchases over the next 52 weeks, the
  Gamma-Gamma expected average profit and the 12-month CLV (1 % monthly
  discount, freq="W").

Run: pip install -r requirements.txt && python3 reference.py
"""

import json
import os
import platform

import numpy as np
import pandas as pd
import scipy
import lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value

HERE = os.path.dirname(os.path.abspath(__file__))
HORIZON_WEEKS = 52.0
CLV_MONTHS = 12
DISCOUNT_RATE = 0.01
FREQ = "W"


def main():
    data = load_cdnow_summary_data_with_monetary_value()
    data.reset_index().to_csv(os.path.join(HERE, "cdnow_summary.csv"), index=False)

    bgf = BetaGeoFitter(penalizer_coef=0.0)
    bgf.fit(data["frequency"], data["recency"], data["T"])

    repeat = data[data["frequency"] > 0]
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    ggf.fit(repeat["frequency"], repeat["monetary_value"])

    # The same fits with a tighter gradient tolerance: how far the default
    # (tol=1e-7) stops from the optimum. (From 1e-9 on, scipy's BFGS stops
    # with "precision loss" and lifetimes raises ConvergenceError.)
    bgf_tight = BetaGeoFitter(penalizer_coef=0.0).fit(
        data["frequency"], data["recency"], data["T"], tol=1e-8
    )
    ggf_tight = GammaGammaFitter(penalizer_coef=0.0).fit(
        repeat["frequency"], repeat["monetary_value"], tol=1e-8
    )

    # A penalised fit, to check that the penalizer is applied the same way.
    bgf_pen = BetaGeoFitter(penalizer_coef=0.01).fit(data["frequency"], data["recency"], data["T"])
    ggf_pen = GammaGammaFitter(penalizer_coef=0.01).fit(repeat["frequency"], repeat["monetary_value"])

    f, r, t = data["frequency"], data["recency"], data["T"]
    p_alive = bgf.conditional_probability_alive(f.values, r.values, t.values)
    expected = bgf.conditional_expected_number_of_purchases_up_to_time(HORIZON_WEEKS, f, r, t)
    profit = ggf.conditional_expected_average_profit(f, data["monetary_value"])
    clv = ggf.customer_lifetime_value(
        bgf, f, r, t, data["monetary_value"], time=CLV_MONTHS, discount_rate=DISCOUNT_RATE, freq=FREQ
    )
    unconditional_t = [1.0, 10.0, 39.0, 52.0, 78.0]
    unconditional = [float(bgf.expected_number_of_purchases_up_to_time(x)) for x in unconditional_t]

    def params(fitter):
        return {k: float(v) for k, v in fitter.params_.items()}

    out = {
        "generated_by": "bench/clv-validation/reference.py",
        "versions": {
            "python": platform.python_version(),
            "lifetimes": lifetimes.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pandas": pd.__version__,
        },
        "bgnbd": dict(params(bgf), objective=float(bgf._negative_log_likelihood_)),
        "bgnbd_tol_1e-8": dict(params(bgf_tight), objective=float(bgf_tight._negative_log_likelihood_)),
        "bgnbd_penalized_0_01": dict(params(bgf_pen), objective=float(bgf_pen._negative_log_likelihood_)),
        "gamma_gamma": dict(params(ggf), objective=float(ggf._negative_log_likelihood_)),
        "gamma_gamma_tol_1e-8": dict(params(ggf_tight), objective=float(ggf_tight._negative_log_likelihood_)),
        "gamma_gamma_penalized_0_01": dict(params(ggf_pen), objective=float(ggf_pen._negative_log_likelihood_)),
        "settings": {
            "horizon_weeks": HORIZON_WEEKS,
            "clv_months": CLV_MONTHS,
            "monthly_discount_rate": DISCOUNT_RATE,
            "freq": FREQ,
        },
        "unconditional": {"t": unconditional_t, "expected_purchases": unconditional},
        "customers": {
            "customer_id": [int(i) for i in data.index],
            "p_alive": [float(v) for v in np.asarray(p_alive)],
            "expected_purchases_52w": [float(v) for v in np.asarray(expected)],
            "expected_average_profit": [float(v) for v in np.asarray(profit)],
            "clv_12m": [float(v) for v in np.asarray(clv)],
        },
    }
    with open(os.path.join(HERE, "reference.json"), "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print("BG/NBD:", params(bgf), "objective", float(bgf._negative_log_likelihood_))
    print("BG/NBD tol 1e-8:", params(bgf_tight))
    print("Gamma-Gamma:", params(ggf), "objective", float(ggf._negative_log_likelihood_))
    print("Gamma-Gamma tol 1e-8:", params(ggf_tight))
    print("customers:", len(data))


if __name__ == "__main__":
    main()
