"""The gradient-trained baselines (hamsam.baselines): registry, dense and graph HNNs, training loop.
Tests that need PyTorch skip cleanly without it (it is the optional extra hamsam[torch])."""
import math
import sys

import numpy as np
import pytest

import hamsam as hs
from hamsam import baselines as bl

ISSUE_ORDER = ["sgd", "sgd-momentum", "sgd-nesterov", "adam", "adamw", "adamax", "nadam", "radam", "adagrad",
               "adadelta", "rmsprop", "rprop", "asgd", "lbfgs", "adafactor"]


def test_registry_has_the_15_optimizers_without_torch():
    assert bl.optimizer_names() == ISSUE_ORDER
    for name, s in bl.OPTIMIZERS.items():
        assert s.lrs and all(lr > 0 for lr in s.lrs), name
    assert {n for n, s in bl.OPTIMIZERS.items() if s.full_batch} == {"lbfgs", "rprop"}
    lbfgs = bl.OPTIMIZERS["lbfgs"].kwargs   # trains to its budget: no early end of a step at small losses
    assert lbfgs["tolerance_grad"] == 0.0 and lbfgs["tolerance_change"] == 0.0


def test_optimizer_names_are_normalised_and_unknown_names_listed():
    from hamsam.baselines.optimizers import canonical
    assert canonical("SGD_Momentum") == "sgd-momentum"
    assert canonical("SGD+Nesterov") == "sgd-nesterov"
    with pytest.raises(ValueError, match="unknown name 'adamm'.*adam"):
        canonical("adamm")


def test_missing_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    from hamsam.baselines._torch import require_torch, torch_version
    with pytest.raises(ImportError, match=r"pip install hamsam\[torch\]"):
        require_torch()
    assert torch_version() is None


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        bl.NoSuchThing


# ---- with PyTorch ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch():
    t = pytest.importorskip("torch")
    t.set_num_threads(1)
    return t


@pytest.fixture(scope="module")
def pendulum_small():
    system = hs.systems.Pendulum()
    return hs.sample_box(system, n=400, seed=1), hs.sample_box(system, n=300, seed=2)


def _fd_vector_field(energy, x, eps=1e-6):
    n = x.shape[1] // 2
    g = np.zeros_like(x)
    for k in range(x.shape[1]):
        e = np.zeros(x.shape[1])
        e[k] = eps
        g[:, k] = (energy(x + e) - energy(x - e)) / (2 * eps)
    return np.concatenate([g[:, n:], -g[:, :n]], axis=1)


def test_dense_vector_field_matches_finite_differences(torch):
    model = bl.DenseHNN(dim=4, width=20, seed=1)
    x = np.random.default_rng(0).uniform(-1, 1, size=(7, 4))
    energy = lambda a: model(torch.from_numpy(a)).detach().numpy()
    vf = model.vector_field(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(vf, _fd_vector_field(energy, x), rtol=1e-6, atol=1e-8)
    assert model.hidden.weight.dtype == torch.float64


def test_dense_init_is_seeded_and_leaves_the_global_stream_alone(torch):
    state = torch.random.get_rng_state()
    a, b, c = bl.DenseHNN(2, 8, seed=3), bl.DenseHNN(2, 8, seed=3), bl.DenseHNN(2, 8, seed=4)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(a.hidden.weight, b.hidden.weight)
    assert not torch.equal(a.hidden.weight, c.hidden.weight)


def test_dense_bad_arguments(torch, pendulum_small):
    with pytest.raises(ValueError, match="dim"):
        bl.DenseHNN(dim=3, width=4)
    with pytest.raises(ValueError, match="width"):
        bl.DenseHNN(dim=2, width=0)
    train, test = pendulum_small
    model = bl.DenseHNN(2, 4)
    with pytest.raises(ValueError, match="anchor"):
        bl.dense_problem(model, train, test, anchor=np.zeros(3), h0=0.0)
    with pytest.raises(ValueError, match="batch"):
        bl.dense_problem(model, train, test, anchor=np.zeros(2), h0=0.0, batch=0)
    with pytest.raises(ValueError, match="train must be a dataset"):
        bl.dense_problem(model, 5, test, anchor=np.zeros(2), h0=0.0)


def test_adam_decreases_the_loss_and_the_test_error(torch, pendulum_small):
    train, test = pendulum_small
    model = bl.DenseHNN(2, 30, seed=0)
    problem = bl.dense_problem(model, train, test, anchor=np.zeros(2), h0=0.0, batch=128)
    before = float(problem.batch_loss(None).detach())
    curve = bl.train(problem, "adam", lr=3e-3, budget=60.0, max_steps=300)
    after = float(problem.batch_loss(None).detach())
    assert after < 0.5 * before
    assert curve.stop == "steps" and curve.steps[-1] == 300
    assert curve.best_error < 0.5 * curve.errors[0]
    assert curve.times[0] == 0.0 and all(b >= a for a, b in zip(curve.times, curve.times[1:]))
    assert math.isnan(curve.losses[0]) and curve.threads == torch.get_num_threads()
    # every run starts from the same initial parameters
    again = bl.train(problem, "adam", lr=3e-3, budget=60.0, max_steps=1)
    assert again.errors[0] == curve.errors[0]


def test_train_stops_at_target_and_on_divergence(torch, pendulum_small):
    train, test = pendulum_small
    problem = bl.dense_problem(bl.DenseHNN(2, 10, seed=0), train, test, anchor=np.zeros(2), h0=0.0)
    hit = bl.train(problem, "adam", lr=1e-2, budget=30.0, target=10.0)  # the initial model already meets it
    assert hit.stop == "target" and hit.steps[-1] >= 1
    boom = bl.train(problem, "sgd", lr=1e200, budget=30.0, max_steps=50)
    assert boom.stop == "diverged" and boom.best_error < math.inf
    with pytest.raises(ValueError, match="budget"):
        bl.train(problem, "adam", budget=0)
    with pytest.raises(ValueError, match="unknown name"):
        bl.train(problem, "adamm", budget=1)


def test_every_optimizer_takes_steps(torch, pendulum_small):
    train, test = pendulum_small
    problem = bl.dense_problem(bl.DenseHNN(2, 8, seed=0), train, test, anchor=np.zeros(2), h0=0.0, batch=200)
    for name in bl.optimizer_names():
        curve = bl.train(problem, name, budget=30.0, max_steps=3)
        assert curve.steps[-1] == 3 and curve.stop == "steps", name
        assert np.isfinite(curve.best_error), name


def test_lr_search_picks_from_the_grid(torch, pendulum_small):
    train, test = pendulum_small
    problem = bl.dense_problem(bl.DenseHNN(2, 10, seed=0), train, test, anchor=np.zeros(2), h0=0.0)
    lr, trials = bl.lr_search(problem, "adam", lrs=(1e-2, 1e-7), budget=0.3)
    assert lr == 1e-2 and [t["lr"] for t in trials] == [1e-2, 1e-7]
    with pytest.raises(ValueError, match="lrs"):
        bl.lr_search(problem, "adam", lrs=(), budget=0.1)


# ---- graph baseline on a hand-made chain ------------------------------------------------------------------

CHAIN_EDGES = np.array([[0, 1], [1, 2], [2, 3]])
CHAIN_MASS = np.array([1.0, 2.0, 1.0, 1.5])


def _chain_truth(x, dim=2):
    """Harmonic chain (rest length 1, stiffness 1): energies and (qdot, pdot)."""
    n = len(CHAIN_MASS)
    q = x[:, : n * dim].reshape(-1, n, dim)
    p = x[:, n * dim:].reshape(-1, n, dim)
    e = (p ** 2).sum(-1) @ (0.5 / CHAIN_MASS)
    force = np.zeros_like(q)
    for i, j in CHAIN_EDGES:
        d = q[:, j] - q[:, i]
        r = np.linalg.norm(d, axis=-1)
        e += 0.5 * (r - 1) ** 2
        f = ((r - 1) / r)[:, None] * d
        force[:, i] += f
        force[:, j] -= f
    qdot = p / CHAIN_MASS[None, :, None]
    return e, np.concatenate([qdot.reshape(len(x), -1), force.reshape(len(x), -1)], axis=1)


def _chain_states(count, seed):
    rng = np.random.default_rng(seed)
    q = np.arange(4)[None, :, None] * np.array([1.0, 0.0]) + rng.normal(0, 0.15, size=(count, 4, 2))
    p = rng.normal(0, 0.5, size=(count, 4, 2))
    return np.concatenate([q.reshape(count, -1), p.reshape(count, -1)], axis=1)


def test_chain_truth_is_consistent():
    x = _chain_states(5, 0)
    energy = lambda a: _chain_truth(a)[0]
    np.testing.assert_allclose(_chain_truth(x)[1], _fd_vector_field(energy, x), atol=1e-7)


def test_graph_vector_field_matches_finite_differences(torch):
    from hamsam.baselines.graph import as_edges
    model = bl.GraphHNN(width=12, layers=2, seed=0)
    x = _chain_states(6, 1)
    e, m = as_edges(CHAIN_EDGES), torch.from_numpy(CHAIN_MASS)
    energy = lambda a: model(torch.from_numpy(a), e, m, 2).detach().numpy()
    vf = model.vector_field(torch.from_numpy(x), e, m, 2).detach().numpy()
    np.testing.assert_allclose(vf, _fd_vector_field(energy, x), rtol=1e-5, atol=1e-8)


def test_graph_energy_is_invariant_and_per_state_edges_agree(torch):
    from hamsam.baselines.graph import as_edges
    model = bl.GraphHNN(width=8, seed=2)
    x = _chain_states(3, 2)
    e, m = as_edges(CHAIN_EDGES), torch.from_numpy(CHAIN_MASS)
    h = model(torch.from_numpy(x), e, m, 2)
    q, p = x[:, :8].reshape(3, 4, 2), x[:, 8:].reshape(3, 4, 2)
    c, s = np.cos(0.7), np.sin(0.7)
    rot = np.array([[c, -s], [s, c]])
    moved = np.concatenate([(q @ rot.T + [3.0, -1.0]).reshape(3, -1), (p @ rot.T).reshape(3, -1)], axis=1)
    torch.testing.assert_close(model(torch.from_numpy(moved), e, m, 2), h)
    perm = np.array([3, 2, 1, 0])  # relabel the particles (the chain reversed)
    relabelled = np.concatenate([q[:, perm].reshape(3, -1), p[:, perm].reshape(3, -1)], axis=1)
    inv = np.argsort(perm)
    torch.testing.assert_close(model(torch.from_numpy(relabelled), as_edges(np.sort(inv[CHAIN_EDGES], axis=1)),
                                     torch.from_numpy(CHAIN_MASS[perm]), 2), h)
    per_state = np.array([[b, i, j] for b in range(3) for i, j in CHAIN_EDGES])
    torch.testing.assert_close(model(torch.from_numpy(x), as_edges(per_state), m, 2), h)
    box = torch.tensor([50.0, 50.0], dtype=torch.float64)  # a periodic box far larger than the chain
    torch.testing.assert_close(model(torch.from_numpy(x), e, m, 2, box), h)


def test_graph_problem_trains_on_the_chain(torch):
    x, xt = _chain_states(300, 3), _chain_states(100, 4)
    train = (x, *_chain_truth(x)[::-1])   # (x, xdot, energy)
    test = (xt, *_chain_truth(xt)[::-1])
    x0 = _chain_states(1, 5)[0]
    model = bl.GraphHNN(width=16, seed=0)
    problem = bl.graph_problem(model, CHAIN_EDGES, CHAIN_MASS, 2, train, test, anchor=x0,
                               h0=float(_chain_truth(x0[None])[0][0]))
    before = float(problem.batch_loss(None).detach())
    curve = bl.train(problem, "adam", lr=1e-2, budget=60.0, max_steps=200)
    assert float(problem.batch_loss(None).detach()) < 0.2 * before
    assert curve.best_error < 0.5 * curve.errors[0]


def test_graph_bad_arguments(torch):
    from hamsam.baselines.graph import as_edges
    with pytest.raises(ValueError, match="edges must be an integer array"):
        as_edges(np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError, match=">= 0"):
        as_edges(np.array([[0, -1]]))
    x = _chain_states(4, 0)
    data = (x, *_chain_truth(x)[::-1])
    model = bl.GraphHNN(width=4)
    with pytest.raises(ValueError, match="index particle 7"):
        bl.graph_problem(model, [[0, 7]], CHAIN_MASS, 2, data, data, anchor=x[0], h0=0.0)
    with pytest.raises(ValueError, match="mass"):
        bl.graph_problem(model, CHAIN_EDGES, -CHAIN_MASS, 2, data, data, anchor=x[0], h0=0.0)
    with pytest.raises(ValueError, match="fixed edges"):
        bl.graph_problem(model, [[0, 0, 1]], CHAIN_MASS, 2, data, data, anchor=x[0], h0=0.0)
    with pytest.raises(ValueError, match="columns"):
        model(torch.zeros((1, 5), dtype=torch.float64), as_edges(CHAIN_EDGES), torch.from_numpy(CHAIN_MASS), 2)


def test_graph_problem_vector_field_mse_metric(torch):
    x, xt = _chain_states(40, 6), _chain_states(30, 7)
    train = (x, *_chain_truth(x)[::-1])
    test = (xt, *_chain_truth(xt)[::-1])
    model = bl.GraphHNN(width=8, seed=1)
    problem = bl.graph_problem(model, CHAIN_EDGES, CHAIN_MASS, 2, train, test, anchor=x[0], h0=0.0,
                               metric="vector-field-mse", batch=7)   # batches of 7 states: the sum spans them
    from hamsam.baselines.graph import as_edges
    vf = model.vector_field(torch.from_numpy(xt), as_edges(CHAIN_EDGES), torch.from_numpy(CHAIN_MASS), 2)
    expected = float(np.mean((vf.detach().numpy() - test[1]) ** 2))
    assert problem.error("test") == pytest.approx(expected, rel=1e-12)
    assert problem.error("val") == pytest.approx(expected, rel=1e-12)   # no val set: the test set
    curve = bl.train(problem, "adam", lr=1e-2, budget=30.0, max_steps=50)
    assert curve.best_error < curve.errors[0]
    with pytest.raises(ValueError, match="metric must be one of energy, vector-field-mse"):
        bl.graph_problem(model, CHAIN_EDGES, CHAIN_MASS, 2, train, test, anchor=x[0], h0=0.0, metric="mae")
