"""hamsam fit-dissipative: fit a DissipativeHamiltonian (H, Rayleigh dissipation R, input map G) to data in an .npz
file, print the summary, --out to save it."""
from __future__ import annotations

import numpy as np

import hamsam as hs

from . import _common as c

_KEYS = ("x and xdot (states and their time derivatives, optional u: inputs at the states), or trajectories "
         "(T, B, D) time first or (B, T, D) and t (T,) (optional u: (T, m) inputs at the sample times)")


def load_data(path):
    """The arrays of an .npz data file: ("derivatives", {x, xdot, [u], [energy]}) or ("trajectories", {...})."""
    try:
        z = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise c.CliError(f"--data {path}: cannot read it as .npz ({e})") from None
    with z:
        data = {k: np.asarray(z[k], dtype=float) for k in z.files}
    if "x" in data and "xdot" in data:
        return "derivatives", data
    if "trajectories" in data and "t" in data:
        return "trajectories", data
    raise c.CliError(f"--data {path}: needs the arrays {_KEYS}; found {', '.join(sorted(data)) or 'none'}")


def run_fit_dissipative(a):
    if a.out is not None:
        c.check_out_path(a.out, a.force)
    kind, d = load_data(a.data)
    model = hs.DissipativeHamiltonian(width=a.width, sampler=a.sampler, seed=a.seed,
                                      dissipation_width=a.dissipation_width, input_width=a.input_width,
                                      regularization=a.regularization, nonnegative=not a.allow_negative)
    u = d.get("u")
    if kind == "derivatives":
        model.fit(d["x"], d["xdot"], u=u)
    else:
        t = d["t"]
        fn = None
        if u is not None:
            U = u[:, None] if u.ndim == 1 else u
            if U.ndim != 2 or U.shape[0] != len(t):
                raise c.CliError(f"--data: u must have one row per time in t ({len(t)}), got shape {u.shape}")
            fn = lambda s: np.array([np.interp(s, t, U[:, j]) for j in range(U.shape[1])])  # noqa: E731
        try:
            model.fit_trajectories(d["trajectories"], t, u=fn, spacing=a.spacing, time_axis=a.time_axis)
        except ValueError as e:
            raise c.CliError(f"--data {a.data}: {str(e).replace('time_axis=', '--time-axis ')}") from None
    s, ds = model.summary, model.dissipation_summary
    if a.out is not None:
        model.save(a.out, overwrite=a.force)
    if a.json:
        doc = {"data": a.data, "kind": kind, "options": model.options, "summary": c.summary_json(s),
               "dissipation": ds}
        if a.out is not None:
            doc["out"] = a.out
        c.print_json(doc)
        return c.EXIT_OK
    print(f"{s.report()}dissipation\n  inputs             {ds['inputs']}\n"
          f"  unknowns           {ds['columns']}\n"
          f"  dR/dp share        {c.sci(ds['dissipation_share'])} of ||pdot||\n"
          f"  min dissipated P   {c.sci(ds['min_dissipated_power'])} (power scale {c.sci(ds['power_scale'])})")
    if a.out is not None:
        print(f"saved {a.out}")
    return c.EXIT_OK


def add_commands(sub):
    from . import add_command

    p = add_command(sub, "fit-dissipative",
                    "fit H with Rayleigh dissipation R and an input map G (damped and forced systems) to an .npz file",
                    run_fit_dissipative, sizes="--width or the data",
                    epilog=c.examples(
                        "hamsam fit-dissipative --data damped.npz --out damped.hsm",
                        "hamsam fit-dissipative --data forced.npz --input-width 20 --spacing 4 --regularization gcv",
                        "",
                        "The file holds " + _KEYS + "."))
    p.add_argument("--data", required=True, help="an .npz file with " + _KEYS)
    p.add_argument("--width", type=c.integer(1, c.INDEX_MAX), default=400, help="neurons of H")
    p.add_argument("--sampler", default="u-swim", help="elm, u-swim, a-swim")
    p.add_argument("--dissipation-width", type=c.integer(0, c.INDEX_MAX), default=200, help="neurons of R (0: none)")
    p.add_argument("--input-width", type=c.integer(0, c.INDEX_MAX), default=0, help="neurons of G(q) (0: constant)")
    p.add_argument("--spacing", type=c.integer(1, c.INDEX_MAX), default=1,
                   help="trajectories: snapshot pairs this many samples apart (larger for noisy data)")
    p.add_argument("--time-axis", type=int, choices=(0, 1), default=None,
                   help="trajectories: which axis is time, 0 for (T, B, D) or 1 for (B, T, D) (default: the axis of "
                        "length len(t); needed only when both are)")
    p.add_argument("--regularization", default="none", help="none or gcv (ridge chosen for noisy data)")
    p.add_argument("--allow-negative", action="store_true",
                   help="accept a negative dissipated power (energy gained that the inputs do not explain)")
    p.add_argument("--seed", type=c.integer(0, c.SEED_MAX), default=0, help="seed of the sampler")
    p.add_argument("--out", default=None, help="save the fitted model (a hamsam model file: hamsam eval, hamsam "
                                                "rollout and hs.load read it)")
    p.add_argument("--force", action="store_true", help="overwrite --out")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
