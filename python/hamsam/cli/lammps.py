"""hamsam export-lammps: write a fitted graph potential (a model file) as LAMMPS input: pair tables (or eam/fs for
density models), the pair_style / pair_coeff lines and the table errors (docs/ase-lammps.md)."""
from __future__ import annotations

import hamsam as hs

from . import _common as c


def run_export_lammps(a):
    import hamsam.lammps as hl
    model = hs.load(a.model)
    if not isinstance(model, hs.GraphHamiltonian):
        raise c.CliError(f"{a.model} holds a {type(model).__name__}, not a graph model: export-lammps takes a "
                         "model of hamsam fit-graph or GraphHamiltonian.save")
    out = hl.export_lammps(model, a.folder, overwrite=a.force, accuracy=a.accuracy, inner=a.inner,
                           cutoff=a.cutoff, units=a.units)
    if a.json:
        c.print_json({"folder": out.folder, "files": out.files, "style": out.style, "pair_style": out.pair_style,
                      "pair_coeff": out.pair_coeff, "points": out.points, "sections": out.sections,
                      "notes": out.notes})
        return c.EXIT_OK
    print(out.report())
    print(f"wrote {', '.join(out.files)}\nLAMMPS input lines (in.hamsam):\n{out.snippet}", end="")
    return c.EXIT_OK


def add_commands(sub):
    from . import add_command

    p = add_command(sub, "export-lammps", "write a fitted graph potential as LAMMPS input (pair tables or eam/fs)",
                    run_export_lammps, sizes="--accuracy",
                    epilog=c.examples(
                        "hamsam export-lammps cu.hsm cu_lammps            # pair_style table, in.hamsam, report",
                        "hamsam export-lammps lj.hsm lj_lammps --units lj --accuracy 1e-8 --force"))
    p.add_argument("model", help="a graph model file (hamsam fit-graph --out, GraphHamiltonian.save)")
    p.add_argument("folder", help="the new folder to write (an existing one needs --force)")
    p.add_argument("--accuracy", type=c.real, default=1e-9,
                   help="largest table error relative to the largest value on the trained range")
    p.add_argument("--inner", type=c.real, default=None,
                   help="the tables' smallest distance (default: half the smallest trained distance)")
    p.add_argument("--cutoff", type=c.real, default=None,
                   help="cutoff of a model trained on explicit edges (models with a cutoff use their own)")
    p.add_argument("--units", default=None,
                   help="LAMMPS units of the model's numbers (default: from the model's units: metal for ase, lj for lj)")
    p.add_argument("--force", action="store_true", help="write into an existing folder")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
