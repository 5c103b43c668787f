#!/usr/bin/python3
"""Izhikevich (2007) distal-reward network ("daspnet") in Brian2, following docs/SIMULATED_TIME.md.

    /usr/bin/python3 scripts/brian2/distal_reward_brian2.py --seconds 10 --target cython \\
        [--threads 1] [--seed 1] [--out result.json]

The network is built by ghlsim_brian2.build() from a MODEL dict (the same code the golden tests
use), plus the reward machinery below:

  * 800 RS (a 0.02, d 8) + 200 FS (a 0.1, d 2) Izhikevich neurons, b 0.2, c -65, v(0) -65,
    u(0) = b*v(0); thalamic noise I = 13*(rand() - 0.5) per neuron per ms (Brian2's RNG);
  * 100 outgoing synapses per neuron, no multapses, no self-connections; an excitatory neuron
    targets any neuron, with delays 1..20 ms (5 synapses per delay value, as Izhikevich's code);
    an inhibitory one only excitatory neurons, delay 1 ms; w = +1 (excitatory, plastic, in [0, 4])
    or -1 (inhibitory, fixed), in mV/ms of input;
  * nearest-spike STDP A+ 0.1, A- -0.15, tau+ = tau- = 20 ms, eligibility c with tau_c 1000 ms;
    dopamine d_base 0.002, tau_d 200 ms, jump 0.5; every 10 ms w <- clip(w + c*d, 0, 4);
  * the rewarded synapse: neuron n1 = 0, its synapse 0 (n2 its target), initial weight
    --rewarded-w0 (0 by default, as daspnet.m's `s(n1,syn)=0`). When n2 fires at step t and n1's
    latest spike was at t1 with 0 < t - t1 <= 10 ms, a release of 0.5 is scheduled at
    t + 1000 + U{0..1999} ms.

Reward machinery in Brian2 terms (all code, so it also runs under cpp_standalone): a 1-neuron
`detector` group with linked variables v1 = v[n1], v2 = v[n2] fires in the thresholds slot when
v2 >= 30 (n2 spikes this step) and the window holds; its delay-0 synapses to K `timer` neurons
write t + latency into ring slot `ptr` (synapses slot, same step); its reset advances ptr and
draws the next latency; t_n1 is updated in `before_resets` (after the detector's test, so a
same-step n1 spike does not count). A timer fires at its due step and its synapse adds 0.5 to the
modulator in the synapses slot, after the projections (like the runner's releases). At most K
rewards can be pending at once (K = 32; daspnet's rate is far below that).

Output (printed and written to --out): wall seconds per simulated second (run_s / seconds, where
run_s is Brian2's own timing of the simulation loop, device._last_run_time), setup_s (building
the network in Python), compile_s (cpp_standalone: code generation + compilation of the project;
runtime targets: a 0-ms run, i.e. code generation and compilation or loading of cached Cython
modules), run_call_s (the whole run call: runtime targets include before_run, cpp_standalone the
binary's start, loading and writing of arrays), spikes, synaptic events delivered (spikes x 100 outgoing synapses), rewards scheduled
and delivered, final rewarded weight and mean excitatory weight.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import ghlsim_brian2 as ref   # noqa: E402

NE, NI, M, D = 800, 200, 100, 20
K_PENDING = 32


def daspnet_model(seconds, seed, rewarded_w0):
    rng = np.random.RandomState(seed)
    N = NE + NI
    exc_i, exc_j, exc_d = [], [], []
    inh_i, inh_j = [], []
    for n in range(N):
        pool = np.arange(N) if n < NE else np.arange(NE)
        pool = pool[pool != n]
        tgt = rng.choice(pool, size=M, replace=False)
        if n < NE:
            exc_i += [n] * M
            exc_j += tgt.tolist()
            exc_d += [k // (M // D) + 1 for k in range(M)]      # 5 synapses per delay 1..20
        else:
            inh_i += [n] * M
            inh_j += tgt.tolist()
    w_exc = np.ones(len(exc_i))
    n1, syn = 0, 0
    w_exc[n1 * M + syn] = rewarded_w0
    steps = int(round(seconds * 1000))
    model = {
        "dt": 1.0, "steps": steps, "seed": seed,
        "populations": [{
            "name": "neurons", "model": "izhikevich", "n": N,
            "a": [0.02] * NE + [0.1] * NI, "b": 0.2, "c": -65.0, "d": [8.0] * NE + [2.0] * NI,
            "v0": -65.0, "noise": 13.0}],
        "projections": [
            {"name": "exc", "pre": "neurons", "post": "neurons", "i": exc_i, "j": exc_j,
             "delay_steps": exc_d, "w": w_exc.tolist(),
             "stdp": {"tau_plus": 20.0, "tau_minus": 20.0, "A_plus": 0.1, "A_minus": -0.15,
                      "nearest": True, "w_min": 0.0, "w_max": 4.0, "modulator": "da",
                      "tau_c": 1000.0, "eta": 1.0, "d_ref": 0.0, "update_every_steps": 10}},
            {"name": "inh", "pre": "neurons", "post": "neurons", "i": inh_i, "j": inh_j,
             "delay_steps": [1] * len(inh_i), "w": [-1.0] * len(inh_i)},
        ],
        "modulators": [{"name": "da", "d_base": 0.002, "tau_d": 200.0, "releases": []}],
    }
    return model, n1, syn, exc_j[n1 * M + syn]


def add_reward(bt, n1, n2, window_ms=10.0, jump=0.5):
    import brian2 as b2
    from brian2 import ms, second, NeuronGroup, Synapses, SpikeMonitor, linked_var
    # Each timer slot has exactly one synapse from the detector, so the in-place write below is
    # well defined; silence Brian2's generic warning about it.
    b2.BrianLogger.suppress_name("brian2.codegen.generators.base")
    b2.BrianLogger.suppress_name("brian2.codegen.generators.numpy_generator")
    G = bt.groups["neurons"]
    det = NeuronGroup(1, """v1 : 1 (linked)
                            v2 : 1 (linked)
                            t_n1 : second
                            lat : second
                            ptr : integer""",
                      threshold="v2 >= 30 and t > t_n1 and t - t_n1 <= window",
                      reset="ptr = (ptr + 1) % K\nlat = (1000 + floor(2000*rand()))*ms",
                      namespace=dict(window=window_ms * ms, K=K_PENDING), name="detector")
    det.v1 = linked_var(G, "v", index=np.array([n1]))
    det.v2 = linked_var(G, "v", index=np.array([n2]))
    det.t_n1 = -1e9 * second
    det.lat = (1000 + np.floor(2000 * np.random.RandomState(bt.seed + 7).rand())) * ms
    det.ptr = 0
    upd = det.run_regularly("t_n1 = t*int(v1 >= 30) + t_n1*int(v1 < 30)", when="before_resets",
                            name="detector_n1")
    timers = NeuronGroup(K_PENDING, "t_due : second", threshold="abs(t - t_due) < 0.5*dt",
                         reset="t_due = -1*second", name="reward_timers")
    timers.t_due = -1 * second
    arm = Synapses(det, timers, on_pre="t_due_post += int(j == ptr_pre)*(t + lat_pre - t_due_post)",
                   name="reward_arm")
    arm.connect(i=np.zeros(K_PENDING, dtype=int), j=np.arange(K_PENDING))
    arm.pre.order = bt.release_order
    rel = Synapses(timers, bt.mods["da"], on_pre="d_post += jump",
                   namespace=dict(jump=jump), name="reward_release")
    rel.connect(i=np.arange(K_PENDING), j=np.zeros(K_PENDING, dtype=int))
    rel.pre.order = bt.release_order
    m_det, m_rel = SpikeMonitor(det, name="reward_sched"), SpikeMonitor(timers, name="reward_deliv")
    bt.net.add(det, upd, timers, arm, rel, m_det, m_rel)
    return m_det, m_rel


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--target", choices=["runtime", "numpy", "cython", "cpp_standalone"],
                    default="runtime",
                    help="runtime = Brian2's default runtime choice (cython when available)")
    ap.add_argument("--threads", type=int, default=1,
                    help="OpenMP threads (cpp_standalone only; the runtime targets are serial)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rewarded-w0", type=float, default=0.0)
    ap.add_argument("--out", default=None)
    ap.add_argument("--build-dir", default=None,
                    help="cpp_standalone project directory (default: a fresh temporary one, "
                         "removed afterwards, so compile_s is a full build)")
    args = ap.parse_args()

    import brian2 as b2
    from brian2 import second, ms

    t_setup0 = time.perf_counter()
    standalone = args.target == "cpp_standalone"
    build_dir = None
    if standalone:
        build_dir = args.build_dir or tempfile.mkdtemp(prefix="daspnet_cpp_")
        b2.set_device("cpp_standalone", build_on_run=False, directory=build_dir)
        # openmp_threads = 0: plain serial code (1 would compile the OpenMP variant).
        b2.prefs.devices.cpp_standalone.openmp_threads = args.threads if args.threads > 1 else 0
        target = None
    else:
        target = {"runtime": "auto"}.get(args.target, args.target)
    model, n1, syn, n2 = daspnet_model(args.seconds, args.seed, args.rewarded_w0)
    bt = ref.build(model, target=target)
    bt.seed = args.seed
    m_det, m_rel = add_reward(bt, n1, n2)
    S = bt.syn["exc"]
    rew_idx = n1 * M + syn
    setup_s = time.perf_counter() - t_setup0

    res = {"target": args.target, "threads": args.threads if standalone else 1,
           "seconds": args.seconds, "seed": args.seed, "brian2_version": b2.__version__,
           "codegen_target": None, "setup_s": setup_s}
    if standalone:
        bt.net.run(args.seconds * second, namespace={})
        t0 = time.perf_counter()
        b2.device.build(directory=build_dir, compile=True, run=False, with_output=False)
        res["compile_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        b2.device.run(directory=build_dir, with_output=False, run_args=[])
        res["run_call_s"] = time.perf_counter() - t0     # the binary: start, load, loop, write
        res["run_s"] = float(b2.device._last_run_time)   # its simulation loop alone
        res["codegen_target"] = "cpp_standalone"
        res["build_dir"] = build_dir
    else:
        # A 0-ms run does all the code generation (and, for cython, compilation or loading of
        # the cached extension modules); the timed run then simulates.
        t0 = time.perf_counter()
        bt.net.run(0 * ms, namespace={})
        res["compile_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        bt.net.run(args.seconds * second, namespace={})
        res["run_call_s"] = time.perf_counter() - t0      # incl. before_run (codegen, loading)
        res["run_s"] = float(b2.device._last_run_time)    # the simulation loop alone
        res["codegen_target"] = str(b2.prefs.codegen.target)
        if res["codegen_target"] == "auto":
            from brian2.devices.device import auto_target
            res["codegen_target"] = auto_target().class_name
    spikes = int(bt.spike_mons["neurons"].num_spikes)
    w = np.asarray(S.w[:])
    res.update({
        "wall_s_per_sim_s": res["run_s"] / args.seconds,
        "spikes": spikes,
        "rate_hz": spikes / (NE + NI) / args.seconds,
        "synaptic_events": spikes * M,
        "rewards_scheduled": int(m_det.num_spikes),
        "rewards_delivered": int(m_rel.num_spikes),
        "rewarded_synapse": {"n1": n1, "n2": int(n2), "index": rew_idx},
        "rewarded_weight": float(w[rew_idx]),
        "mean_exc_weight": float(w.mean()),
    })
    for k in ("target", "codegen_target", "threads", "seconds", "setup_s", "compile_s",
              "run_call_s", "run_s",
              "wall_s_per_sim_s", "spikes", "rate_hz", "synaptic_events", "rewards_scheduled",
              "rewards_delivered", "rewarded_weight", "mean_exc_weight"):
        v = res[k]
        print(f"{k:20s} {v:.4f}" if isinstance(v, float) else f"{k:20s} {v}")
    if standalone and args.build_dir is None:
        shutil.rmtree(build_dir, ignore_errors=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
