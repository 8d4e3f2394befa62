"""Model-file fuzzing: seeded mutations of model files of every kind, each loaded in a subprocess.

Used by test_fuzz.py (bounded, in CI) and runnable for longer:

    PYTHONPATH=build/dev/python python tests/python/fuzz_harness.py --cases 20000 --seed 7

Mutations: truncations, bit flips, random bytes overwritten, bytes inserted or deleted, and (for the container
kinds) crafted header fields re-signed with a valid checksum. Each file is loaded by a worker process (many files
per worker, for speed); the parent reads the worker's "begin"/"result" lines, so a crash (the worker dies after
"begin") or a hang (no result within the time limit) is attributed to the file, and a fresh worker goes on with
the next one. Outcomes:

    error      a ValueError whose message starts "load: '<path>'" (a clear error)
    same       loaded, and predicts exactly what the original predicts
    changed    loaded, but predicts something else (a silent change)
    unclear    another exception type or message (e.g. MemoryError, RuntimeError, KeyError)
    crash      the loading process died
    hang       no result within the time limit
    clobbered  the file changed, or another file appeared, while loading

A loader is a command: PYTHON_LOADER (below) loads through the Python package in batches; cli_loader(template)
plugs in a CLI command that loads one file per run ("{path}" in the template), classified by its exit status.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import selectors
import struct
import subprocess
import sys
import time

MAGIC = b"HAMSAM\0M"

# ---- the container: parse and re-sign (the format of docs/guarantees.md) ------------------------------------------


def fnv1a(data: bytes) -> int:
    h = 1469598103934665603
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def split_container(data: bytes):
    """(version, header dict, parameter bytes) of a well-formed model file."""
    version, hlen = struct.unpack_from("<IQ", data, 8)
    header = json.loads(data[20:20 + hlen])
    return version, header, data[20 + hlen:-8]


def build_container(version: int, header, params: bytes, header_text: str | None = None) -> bytes:
    """A model file with a valid checksum (``header_text`` replaces the header's JSON when given)."""
    h = (header_text if header_text is not None else json.dumps(header, separators=(",", ":"))).encode()
    body = MAGIC + struct.pack("<IQ", version, len(h)) + h + params
    return body + struct.pack("<Q", fnv1a(body))


# ---- mutations ------------------------------------------------------------------------------------------------------


def byte_mutations(data: bytes, rng: random.Random, n: int):
    """n (name, bytes) mutations that a checksum sees: truncations, bit flips, overwritten, inserted and deleted
    bytes, and combinations."""
    out = []
    for i in range(n):
        b = bytearray(data)
        op = i % 6
        if op == 0:
            cut = rng.randrange(0, len(b))
            out.append((f"truncate@{cut}", bytes(b[:cut])))
            continue
        if op == 1:
            pos = rng.randrange(len(b))
            b[pos] ^= 1 << rng.randrange(8)
            name = f"bitflip@{pos}"
        elif op == 2:
            pos = rng.randrange(len(b))
            k = rng.randint(1, 16)
            b[pos:pos + k] = bytes(rng.randrange(256) for _ in range(k))
            name = f"overwrite@{pos}+{k}"
        elif op == 3:
            pos = rng.randrange(len(b) + 1)
            b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            name = f"insert@{pos}"
        elif op == 4:
            pos = rng.randrange(len(b))
            del b[pos:pos + rng.randint(1, 8)]
            name = f"delete@{pos}"
        else:
            for _ in range(rng.randint(2, 6)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            name = "multibyte"
        if bytes(b) == data:
            b = b[:-1]
            name += "+truncate"
        out.append((name, bytes(b)))
    return out


def text_mutations(data: bytes, rng: random.Random, n: int):
    """n mutations of a JSON file aimed at its syntax and numbers: digits changed, characters deleted or swapped."""
    out = []
    digits = [i for i, c in enumerate(data) if chr(c).isdigit()]
    for i in range(n):
        b = bytearray(data)
        op = i % 4
        if op == 0 and digits:
            pos = rng.choice(digits)
            b[pos] = ord(str((int(chr(b[pos])) + rng.randint(1, 9)) % 10))
            name = f"digit@{pos}"
        elif op == 1:
            pos = rng.randrange(len(b))
            del b[pos]
            name = f"delchar@{pos}"
        elif op == 2:
            pos = rng.randrange(len(b))
            b[pos] = ord(rng.choice('{}[]:,"0-.eE nul'))
            name = f"char@{pos}"
        else:
            cut = rng.randrange(len(b))
            b = b[:cut]
            name = f"truncate@{cut}"
        out.append((name, bytes(b)))
    return out


def _json_paths(value, path=()):
    """Every (path, leaf) of a JSON value."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _json_paths(v, path + (i,))
    else:
        yield path, value


def _set(doc, path, value):
    for k in path[:-1]:
        doc = doc[k]
    doc[path[-1]] = value


HOSTILE_VALUES = [2147483647, 2147483648, -1, 0, 20000, 46341, 2 ** 63, 2 ** 64 - 1, -2 ** 63, 1e308, -1e308, 0.5,
                  "1", "", None, True, [], {}, [[[[1]]]], "inf", "nan"]


def field_mutations(data: bytes, rng: random.Random, n: int):
    """n re-signed mutations of a container file's header: a leaf set to a hostile value, a key deleted, an
    entry duplicated, a deeply nested value (checksums cannot see these: the loaders' checks must)."""
    version, header, params = split_container(data)
    leaves = list(_json_paths(header))
    out = []
    for i in range(n):
        doc = json.loads(json.dumps(header))
        op = i % 5
        path, _ = rng.choice(leaves)
        if op in (0, 1, 2):
            value = rng.choice(HOSTILE_VALUES)
            _set(doc, path, value)
            name = f"field:{'/'.join(map(str, path))}={json.dumps(value)}"
            out.append((name, build_container(version, doc, params)))
        elif op == 3:
            parent = doc
            for k in path[:-2]:
                parent = parent[k]
            if len(path) >= 2 and isinstance(parent[path[-2]], list):
                parent[path[-2]].append(parent[path[-2]][-1])
                name = f"dup:{'/'.join(map(str, path[:-1]))}"
            elif len(path) >= 1:
                target = doc
                for k in path[:-1]:
                    target = target[k]
                del target[path[-1]]
                name = f"delete:{'/'.join(map(str, path))}"
            out.append((name, build_container(version, doc, params)))
        else:
            depth = rng.choice([70, 1000, 100000])
            text = json.dumps(doc, separators=(",", ":"))
            nested = "[" * depth + "]" * depth
            text = text[:-1] + ',"deep":' + nested + "}"
            out.append((f"nested{depth}", build_container(version, doc, params, header_text=text)))
    return out


def crafted_graph_cases(data: bytes):
    """Re-signed graph files that name the defects of hostile graph headers: huge or negative particle types,
    duplicated types and networks with lo == hi (each must be a clear error)."""
    version, header, params = split_container(data)
    out = []
    for t in (2147483647, 20000, 46341, 1024, -1):
        doc = json.loads(json.dumps(header))
        doc["kinetic"][0]["type"] = t
        out.append((f"kinetic type {t}", build_container(version, doc, params)))
        doc = json.loads(json.dumps(header))
        doc["pair"][0]["types"] = [0, t]
        out.append((f"pair types (0, {t})", build_container(version, doc, params)))
    doc = json.loads(json.dumps(header))
    doc["kinetic"].append(dict(doc["kinetic"][0]))
    width = doc["kinetic"][0]["width"]
    extra = params[: (3 * width + 4) * 8]
    doc["parameters"] += 3 * width + 4
    out.append(("duplicated kinetic type", build_container(version, doc, extra + params)))
    return out


# ---- running loads --------------------------------------------------------------------------------------------------

WORKER = r'''
import hashlib, json, sys, traceback
import numpy as np
import hamsam as hs
spec = json.load(open(sys.argv[1]))
start = int(sys.argv[2])
P = hs.particles

def predict(m):
    if isinstance(m, hs.DenseHamiltonian):
        x = np.random.default_rng(0).standard_normal((8, 2 * m.dof))
        return np.concatenate([m.energy(x), m.gradient(x).ravel()])
    top = P.lattice(tuple(spec["lattice"]))
    return np.asarray(m.energy(top, np.asarray(spec["states"])))

for i, case in enumerate(spec["cases"][start:], start):
    print("B", i, flush=True)
    try:
        m = hs.load(case["path"])
        try:
            digest = hashlib.sha256(np.ascontiguousarray(predict(m), dtype=np.float64).tobytes()).hexdigest()
        except Exception as e:
            digest = "predict-error: " + type(e).__name__
        out = {"loaded": True, "digest": digest}
    except ValueError as e:
        out = {"loaded": False, "type": type(e).__name__, "message": str(e)}
    except BaseException as e:
        out = {"loaded": False, "type": type(e).__name__, "message": str(e)[:500]}
    print("R", i, json.dumps(out), flush=True)
'''

PYTHON_LOADER = [sys.executable, "-c", WORKER]


def _digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run_python(cases, folder, lattice=None, states=None, timeout=10.0, env=None):
    """Loads every case (dicts with "path") through the Python package in worker processes; returns one result
    dict per case ({"loaded", "digest"} or {"loaded": False, "type", "message"} or {"crash": code} or
    {"hang": True})."""
    spec_path = os.path.join(folder, "fuzz_spec.json")
    with open(spec_path, "w") as f:
        json.dump({"cases": cases, "lattice": lattice, "states": states}, f)
    results = [None] * len(cases)
    start = 0
    while start < len(cases):
        proc = subprocess.Popen(PYTHON_LOADER + [spec_path, str(start)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=env, text=True)
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        current, deadline, buf = None, time.monotonic() + 60.0, ""  # the first deadline covers the import
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                proc.kill()
                proc.wait()
                if current is None:
                    raise RuntimeError("fuzz worker did not start")
                results[current] = {"hang": True}
                start = current + 1
                break
            if not sel.select(timeout=left):
                continue
            chunk = os.read(proc.stdout.fileno(), 1 << 16).decode()
            if not chunk:  # the worker ended
                code = proc.wait()
                if current is not None:
                    results[current] = {"crash": code}
                    start = current + 1
                else:
                    start = len(cases)
                break
            buf += chunk
            *lines, buf = buf.split("\n")
            for line in lines:
                tag, idx, *rest = line.split(" ", 2)
                if tag == "B":
                    current, deadline = int(idx), time.monotonic() + timeout
                elif tag == "R":
                    results[int(idx)] = json.loads(rest[0])
                    current = None
        sel.close()
        proc.stdout.close()
    return results


def cli_loader(template):
    """A loader running ``template`` (a list of arguments, "{path}" replaced by the file) once per file: exit 0 is a
    load, exit 1 or 2 with a message on stderr a clear error, a signal a crash."""
    def run(cases, timeout=20.0):
        results = []
        for case in cases:
            args = [a.replace("{path}", case["path"]) for a in template]
            try:
                p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                results.append({"hang": True})
                continue
            if p.returncode < 0:
                results.append({"crash": p.returncode})
            elif p.returncode == 0:
                results.append({"loaded": True, "digest": None})
            else:
                results.append({"loaded": False, "type": f"exit {p.returncode}", "message": p.stderr.strip()})
        return results
    return run


def classify(case, result, reference_digest, clear_prefix="load: '"):
    """One of the outcomes listed in the module's description."""
    if "crash" in result:
        return "crash"
    if result.get("hang"):
        return "hang"
    if _digest(case["path"]) != case["sha256"]:
        return "clobbered"
    if result["loaded"]:
        return "same" if result["digest"] in (reference_digest, None) else "changed"
    if result["type"] in ("ValueError", "exit 1", "exit 2") and clear_prefix in result["message"]:
        return "error"
    return "unclear"


def write_cases(folder, kind, mutations):
    """Writes each (name, bytes) to its own file; returns the case dicts."""
    cases = []
    for i, (name, data) in enumerate(mutations):
        path = os.path.join(folder, f"{kind}-{i:05d}.bin")
        with open(path, "wb") as f:
            f.write(data)
        cases.append({"path": path, "kind": kind, "name": name, "sha256": hashlib.sha256(data).hexdigest()})
    return cases


def fuzz_kind(kind, original: bytes, folder, n, seed, lattice=None, states=None, loader=run_python):
    """Mutates ``original`` n times (byte mutations, plus re-signed field mutations for container files, plus text
    mutations for JSON files), loads each; returns (cases, outcomes, reference digest)."""
    rng = random.Random(f"{kind}:{seed}")
    if original.startswith(MAGIC):
        mutations = byte_mutations(original, rng, n - n // 3) + field_mutations(original, rng, n // 3)
    else:
        mutations = byte_mutations(original, rng, n // 2) + text_mutations(original, rng, n - n // 2)
    ref_case = write_cases(folder, kind + "-original", [("original", original)])
    cases = ref_case + write_cases(folder, kind, mutations)
    before = set(os.listdir(folder))
    if loader is run_python:
        results = run_python(cases, folder, lattice, states)
    else:
        results = loader(cases)
    ref = results[0]
    assert ref.get("loaded"), f"the unmutated {kind} file does not load: {ref}"
    outcomes = [classify(c, r, ref["digest"]) for c, r in zip(cases[1:], results[1:])]
    appeared = set(os.listdir(folder)) - before
    if appeared:
        outcomes.append("clobbered")
    return cases[1:], list(zip(outcomes, results[1:])), ref["digest"]


def main():
    import argparse
    import tempfile
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=5000, help="mutated files per kind")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(__file__))
    from test_fuzz import originals  # noqa: E402  (the files of every kind)
    with tempfile.TemporaryDirectory(prefix="hamsam-fuzz-") as d:
        for kind, (data, lattice, states, _) in originals(d).items():
            _, outcomes, _ = fuzz_kind(kind, data, d, args.cases, args.seed, lattice, states)
            counts = {}
            for o, _ in outcomes:
                counts[o] = counts.get(o, 0) + 1
            print(kind, counts, flush=True)
            for (o, r), in zip(outcomes):
                if o in ("crash", "hang", "unclear", "clobbered") or (o == "changed" and not kind.endswith("v1")):
                    print("  ", o, r)


if __name__ == "__main__":
    main()
