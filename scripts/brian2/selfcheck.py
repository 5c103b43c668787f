#!/usr/bin/python3
"""Self-check of the Brian2 golden reference against hand-computed values.

    /usr/bin/python3 scripts/brian2/selfcheck.py [-v]

Exits non-zero on any mismatch. Checks:
  * ordering_experiments: every scheduling claim the runner relies on (tiny Brian2 networks);
  * schedule: the runner's Brian2 object order equals the contract's step order;
  * lif: one LIF neuron driven by a spike source (excitatory and inhibitory weights, delays 1..5,
    spikes and refractoriness) against the contract's closed-form propagator, once with
    tau_ex != tau_m (the `(unless refractory)` path) and once with tau_ex == tau_m (fallback);
  * izhikevich: RS and FS neurons with a constant I_ext plus a synaptic input, against the
    published two-half-step integration written out here;
  * stdp_modulated: 2 neurons, nearest-spike STDP with eligibility c, dopamine releases and the
    every-10-steps update, c and w computed by hand (formulas, no loop), including a step where
    a post spike and a pre delivery coincide (post before pre);
  * stdp_direct: the same spikes with all-to-all traces acting on w directly, with clipping;
  * reward machinery of distal_reward_brian2.py: 2 neurons forced to fire, rewards scheduled only
    when n2 fires 1..10 ms after n1, each delivered once 1000..2999 ms later as a jump of 0.5;
  * cli: the command-line program writes the same OUT.json as simulate().
"""

import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import ghlsim_brian2 as ref          # noqa: E402
import ordering_experiments          # noqa: E402

VERBOSE = "-v" in sys.argv
FAILS = []


def check(name, ok, detail=""):
    if not ok:
        FAILS.append(name)
    if VERBOSE or not ok:
        print(f"  [{'ok' if ok else 'FAIL'}] {name} {detail}")


def close(name, got, want, atol=1e-9, rtol=1e-9):
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    ok = got.shape == want.shape and np.allclose(got, want, rtol=rtol, atol=atol)
    if got.shape == want.shape and got.size:
        err = float(np.max(np.abs(got - want)))
    else:
        err = float("nan")
    check(name, ok, f"max abs err {err:.3g} shape {got.shape} vs {want.shape}")
    return ok


# ------------------------------------------------------------------ schedule
def case_schedule():
    model = {
        "dt": 1.0, "steps": 1, "seed": 0,
        "populations": [
            {"name": "src", "model": "spikes", "n": 1, "spikes": []},
            {"name": "a", "model": "izhikevich", "n": 1, "record": {"vars": ["v"], "indices": [0]}},
            {"name": "b", "model": "lif", "n": 1},
        ],
        "projections": [
            {"name": "p1", "pre": "src", "post": "a", "i": [0], "j": [0], "delay_steps": [1],
             "w": [1], "stdp": {"tau_plus": 20, "tau_minus": 20, "A_plus": 0.1, "A_minus": -0.1,
                                "modulator": "da", "tau_c": 100, "update_every_steps": 2},
             "record": {"vars": ["w"], "indices": [0]}},
            {"name": "p2", "pre": "a", "post": "b", "i": [0], "j": [0], "delay_steps": [1],
             "w": [1], "stdp": {"tau_plus": 20, "tau_minus": 20, "A_plus": 0.1, "A_minus": -0.1}},
        ],
        "modulators": [{"name": "da", "d_base": 0.0, "tau_d": 10, "releases": [[0, 1.0]],
                        "record": True}],
    }
    _, net = ref.simulate(model, return_network=True)
    seq = [(o.when, o.name) for o in net.sorted_objects if o.active]
    names = [n for _, n in seq]
    if VERBOSE:
        for w, n in seq:
            print(f"      {w:12s} {n}")

    def pos(prefix):
        for k, n in enumerate(names):
            if n.startswith(prefix):
                return k
        raise KeyError(prefix)
    order_ok = (pos("syn_p1_post") < pos("syn_p1_pre") < pos("syn_p2_post") < pos("syn_p2_pre")
                < pos("relsyn_da_pre"))
    check("schedule: synapses slot = p1.post, p1.pre, p2.post, p2.pre, releases", order_ok,
          str([n for w, n in seq if w == "synapses"]))
    slot = {n: w for w, n in seq}
    check("schedule: izhikevich update in groups, modulator copy before_end, "
          "weight update then monitors in end",
          slot[names[pos("izh_a_update")]] == "groups"
          and slot[names[pos("a_copy_da")]] == "before_end"
          and slot[names[pos("syn_p1_update")]] == "end"
          and pos("syn_p1_update") < pos("st_p1") and pos("syn_p1_update") < pos("st_a"))


# ------------------------------------------------------------------ LIF
def lif_reference(p, steps, dt, arrivals):
    """The contract's LIF, written out: arrivals[k] = list of weights delivered at step k."""
    C, tm, te, ti = p["C_m"], p["tau_m"], p["tau_ex"], p["tau_in"]
    EL, Vr, Vth, Ie = p["E_L"], p["V_reset"], p["V_th"], p["I_e"]
    n_ref = round(p["t_ref"] / dt)
    em = math.exp(-dt / tm)

    def P(tx):
        if tx == tm:
            return dt / C * math.exp(-dt / tm)
        return tm * tx / (C * (tx - tm)) * (math.exp(-dt / tx) - math.exp(-dt / tm))
    Pe, Pi = P(te), P(ti)
    V, Iex, Iin = EL, 0.0, 0.0
    last = None
    Vs, Ies, Iis, spikes = [], [], [], []
    for k in range(steps):
        refr = last is not None and k - last < n_ref
        if not refr:
            V = EL + (V - EL) * em + Ie * tm / C * (1 - em) + Iex * Pe + Iin * Pi
        Iex *= math.exp(-dt / te)
        Iin *= math.exp(-dt / ti)
        spk = (not refr) and V > Vth
        for w in arrivals.get(k, []):
            if w >= 0:
                Iex += w
            else:
                Iin += w
        if spk:
            spikes.append(k)
            V = Vr
            last = k
        Vs.append(V)
        Ies.append(Iex)
        Iis.append(Iin)
    return spikes, Vs, Ies, Iis


def case_lif(tau_ex, tau_in, label):
    dt, steps = 0.1, 400
    src = [[0, 10], [1, 40], [0, 100], [0, 101], [0, 102], [0, 103], [2, 150], [0, 200],
           [0, 201], [0, 202], [0, 203], [0, 204], [0, 205], [1, 300]]
    w = [2500.0, -3000.0, 900.0]
    dl = [1, 5, 3]
    params = dict(ref.LIF_DEFAULTS, tau_ex=tau_ex, tau_in=tau_in, t_ref=2.0, I_e=120.0)
    model = {
        "dt": dt, "steps": steps, "seed": 1,
        "populations": [
            {"name": "src", "model": "spikes", "n": 3, "spikes": src},
            dict({"name": "lif", "model": "lif", "n": 1,
                  "record": {"vars": ["V", "I_ex", "I_in"], "indices": [0]}}, **params),
        ],
        "projections": [{"name": "p", "pre": "src", "post": "lif", "i": [0, 1, 2],
                         "j": [0, 0, 0], "delay_steps": dl, "w": w}],
    }
    out = ref.simulate(model)
    arrivals = {}
    for i, k in src:
        arrivals.setdefault(k + dl[i], []).append(w[i])
    spikes, Vs, Ies, Iis = lif_reference(params, steps, dt, arrivals)
    got_sp = [k for _, k in out["spikes"]["lif"]]
    check(f"lif[{label}]: spike steps {got_sp} == {spikes}", got_sp == spikes and len(spikes) >= 2)
    st = out["state"]["populations"]["lif"]
    close(f"lif[{label}]: V (mV)", np.array(st["V"])[:, 0], Vs, atol=1e-9)
    close(f"lif[{label}]: I_ex (pA)", np.array(st["I_ex"])[:, 0], Ies, atol=1e-9)
    close(f"lif[{label}]: I_in (pA)", np.array(st["I_in"])[:, 0], Iis, atol=1e-9)
    check(f"lif[{label}]: record_steps", out["record_steps"] == list(range(steps)))
    # The first input (step 10, delay 1) is delivered at step 11 and moves V at step 12
    # (the drift from I_e alone is about 0.04 mV per step here).
    V = np.array(st["V"])[:, 0]
    check(f"lif[{label}]: delivery at k+d, integrated at k+d+1",
          V[11] - V[10] < 0.1 and V[12] - V[11] > 0.5, f"V[10..12] = {V[10:13]}")
    return out


# ------------------------------------------------------------------ Izhikevich
def izh_reference(a, b, c, d, steps, dt, I_ext, arrivals):
    n = len(a)
    v = np.full(n, -65.0)
    u = b * v
    I = np.zeros(n)
    vs, us, spikes = [], [], []
    h = dt
    for k in range(steps):
        Itot = I + I_ext[k]
        v = v + 0.5 * h * (0.04 * v ** 2 + 5 * v + 140 - u + Itot)
        v = v + 0.5 * h * (0.04 * v ** 2 + 5 * v + 140 - u + Itot)
        u = u + h * a * (b * v - u)
        I = np.zeros(n)
        fired = np.nonzero(v >= 30)[0]
        for (j, wj) in arrivals.get(k, []):
            I[j] += wj
        for j in fired:
            spikes.append([int(j), k])
        v[fired] = c[fired]
        u[fired] += d[fired]
        vs.append(v.copy())
        us.append(u.copy())
    return spikes, vs, us


def case_izhikevich(dt):
    steps = int(round(300 / dt))
    a, b = np.array([0.02, 0.1]), np.array([0.2, 0.2])
    c, d = np.array([-65.0, -65.0]), np.array([8.0, 2.0])
    I_ext = np.tile([10.0, 4.0], (steps, 1))
    I_ext[: int(20 / dt)] = 0.0
    src = [[0, int(5 / dt)], [0, int(25 / dt)], [0, int(26 / dt)]]
    dl, w = [3], [7.5]
    model = {
        "dt": dt, "steps": steps, "seed": 2,
        "populations": [
            {"name": "src", "model": "spikes", "n": 1, "spikes": src},
            {"name": "izh", "model": "izhikevich", "n": 2, "a": a.tolist(), "b": 0.2,
             "c": -65, "d": d.tolist(), "I_ext": I_ext.tolist(),
             "record": {"vars": ["v", "u"], "indices": [0, 1]}},
        ],
        "projections": [{"name": "p", "pre": "src", "post": "izh", "i": [0], "j": [1],
                         "delay_steps": dl, "w": w}],
    }
    out = ref.simulate(model)
    arrivals = {}
    for _, k in src:
        arrivals.setdefault(k + dl[0], []).append((1, w[0]))
    spikes, vs, us = izh_reference(a, b, c, d, steps, dt, I_ext, arrivals)
    got = out["spikes"]["izh"]
    check(f"izhikevich[dt={dt}]: {len(got)} spikes == reference {len(spikes)}",
          got == spikes and len(spikes) > 5)
    st = out["state"]["populations"]["izh"]
    close(f"izhikevich[dt={dt}]: v", st["v"], vs, atol=1e-9)
    close(f"izhikevich[dt={dt}]: u", st["u"], us, atol=1e-9)


# ------------------------------------------------------------------ STDP
STDP_SRC = [[0, 10], [0, 20], [0, 28]]      # pre spikes; delay 2 -> delivered at 12, 22, 30
POST_PULSES = [15, 30]                      # steps at which the post neuron is forced to fire


def stdp_model(stdp, w0, releases=None, steps=60):
    I_ext = np.zeros((steps, 1))
    for k in POST_PULSES:
        I_ext[k, 0] = 1000.0
    model = {
        "dt": 1.0, "steps": steps, "seed": 3,
        "populations": [
            {"name": "pre", "model": "spikes", "n": 1, "spikes": STDP_SRC},
            {"name": "post", "model": "izhikevich", "n": 1, "I_ext": I_ext.tolist()},
        ],
        "projections": [{"name": "p", "pre": "pre", "post": "post", "i": [0], "j": [0],
                         "delay_steps": [2], "w": [w0], "stdp": stdp,
                         "record": {"vars": ["w", "apre", "apost"] +
                                    (["c"] if "modulator" in stdp else []),
                                    "indices": [0]}}],
    }
    if releases is not None:
        model["modulators"] = [{"name": "da", "d_base": 0.002, "tau_d": 200.0,
                                "releases": releases, "record": True}]
    return model


def case_stdp_modulated():
    e = math.exp
    stdp = {"tau_plus": 20, "tau_minus": 20, "A_plus": 0.1, "A_minus": -0.15, "nearest": True,
            "w_min": -10, "w_max": 10, "modulator": "da", "tau_c": 1000, "eta": 1.0,
            "d_ref": 0.0, "update_every_steps": 10}
    out = ref.simulate(stdp_model(stdp, 0.0, releases=[[25, 0.5], [40, 0.3]]))
    check("stdp_modulated: post fires at the pulses",
          [k for _, k in out["spikes"]["post"]] == POST_PULSES, str(out["spikes"]["post"]))
    # By hand (traces stamped at their events; tau+ = tau- = 20, tau_c = 1000):
    c15 = 0.1 * e(-3 / 20)                                  # post@15: c += apre(12)
    apost15 = -0.15
    c22 = c15 * e(-7 / 1000) + apost15 * e(-7 / 20)         # pre@22: c += apost
    c30 = c22 * e(-8 / 1000) + 0.1 * e(-8 / 20) - 0.15      # post@30 first (c += apre(22)),
    #                                                         then pre@30 (c += apost = A-)

    def c_at(k):
        if k < 15:
            return 0.0
        if k < 22:
            return c15 * e(-(k - 15) / 1000)
        if k < 30:
            return c22 * e(-(k - 22) / 1000)
        return c30 * e(-(k - 30) / 1000)

    def d_at(k):
        if k < 25:
            return 0.002
        if k < 40:
            return 0.002 + 0.5 * e(-(k - 25) / 200)
        return 0.002 + (0.5 * e(-15 / 200) + 0.3) * e(-(k - 40) / 200)
    w, ws = 0.0, []
    for k in range(60):
        if k % 10 == 0:
            w += c_at(k) * d_at(k)
        ws.append(w)
    st = out["state"]["projections"]["p"]
    close("stdp_modulated: c(k) at every step", np.array(st["c"])[:, 0],
          [c_at(k) for k in range(60)], atol=1e-13)
    close("stdp_modulated: w(k) (update every 10 steps, reads d(k) incl. release at 40)",
          np.array(st["w"])[:, 0], ws, atol=1e-13)
    close("stdp_modulated: d(k)", np.array(out["state"]["modulators"]["da"]["d"])[:, 0],
          [d_at(k) for k in range(60)], atol=1e-13)

    def apre_at(k):
        return 0.0 if k < 12 else 0.1 * e(-(k - max(s for s in (12, 22, 30) if s <= k)) / 20)

    def apost_at(k):
        return 0.0 if k < 15 else -0.15 * e(-(k - (15 if k < 30 else 30)) / 20)
    close("stdp_modulated: apre(k)", np.array(st["apre"])[:, 0],
          [apre_at(k) for k in range(60)], atol=1e-13)
    close("stdp_modulated: apost(k)", np.array(st["apost"])[:, 0],
          [apost_at(k) for k in range(60)], atol=1e-13)
    # Post before pre at step 30: the other order would give c30 = c22*e(-8/1000)
    # + apost(15)*e(-15/20) + 0.1 (delivery first, then the post spike sees the fresh apre).
    wrong = c22 * e(-8 / 1000) - 0.15 * e(-15 / 20) + 0.1
    check("stdp_modulated: post pathway ran before pre at the coincident step 30",
          abs(st["c"][30][0] - c30) < 1e-13 and abs(st["c"][30][0] - wrong) > 1e-3,
          f"c30 = {st['c'][30][0]:.6f}, pre-first would be {wrong:.6f}")


def case_stdp_direct():
    e = math.exp
    stdp = {"tau_plus": 20, "tau_minus": 20, "A_plus": 0.1, "A_minus": -0.15, "nearest": False,
            "w_min": 0.0, "w_max": 0.58}
    out = ref.simulate(stdp_model(stdp, 0.5))
    cl = lambda x: min(max(x, 0.0), 0.58)          # noqa: E731
    w12 = cl(0.5 + 0.0)                              # pre@12: w += apost (0); apre = 0.1
    w15 = cl(w12 + 0.1 * e(-3 / 20))                 # post@15: apost = -0.15; w += apre (clipped)
    w22 = cl(w15 - 0.15 * e(-7 / 20))                # pre@22: w += apost
    apre22 = 0.1 * e(-10 / 20) + 0.1                 # all-to-all: apre += A+
    apost30 = -0.15 * e(-15 / 20) - 0.15             # post@30: apost += A-
    w30a = cl(w22 + apre22 * e(-8 / 20))             # post@30 first: w += apre
    w30 = cl(w30a + apost30)                         # then pre@30: w += apost
    want = [0.5] * 15 + [w15] * 7 + [w22] * 8 + [w30] * 30
    st = out["state"]["projections"]["p"]
    close("stdp_direct: w(k) with clipping at w_max", np.array(st["w"])[:, 0], want, atol=1e-13)
    check("stdp_direct: the clip at w_max happened", w15 == 0.58 and w30a == 0.58)
    close("stdp_direct: apost(k) after step 30", np.array(st["apost"])[30:, 0],
          [apost30 * e(-(k - 30) / 20) for k in range(30, 60)], atol=1e-13)


# ------------------------------------------------------------------ distal reward machinery
def case_reward_machinery():
    import distal_reward_brian2 as dr
    from brian2 import ms
    steps = 3400
    pulses = {0: [10, 100, 119, 200], 1: [15, 100, 130, 210, 3300]}
    I_ext = np.zeros((steps, 2))
    for n, ks in pulses.items():
        I_ext[ks, n] = 1000.0
    model = {"dt": 1.0, "steps": steps, "seed": 5,
             "populations": [{"name": "neurons", "model": "izhikevich", "n": 2,
                              "I_ext": I_ext.tolist()}],
             "modulators": [{"name": "da", "d_base": 0.002, "tau_d": 200.0, "releases": [],
                             "record": True}]}
    bt = ref.build(model, target="numpy")
    bt.seed = 5
    m_det, m_rel = dr.add_reward(bt, 0, 1)
    bt.net.run(steps * ms, namespace={})
    out = ref.collect(bt)
    check("reward: neurons fire at the pulses",
          [[i, k] for i, k in out["spikes"]["neurons"]] ==
          sorted([[n, k] for n, ks in pulses.items() for k in ks], key=lambda x: (x[1], x[0])))
    sched = np.rint(np.asarray(m_det.t / ms)).astype(int).tolist()
    deliv = sorted(np.rint(np.asarray(m_rel.t / ms)).astype(int).tolist())
    # n2 at 15 (n1 at 10: 5 ms) and 210 (n1 at 200: 10 ms) count; 100 (same step), 130 (11 ms
    # after 119) and 3300 (3100 ms) do not.
    check("reward: scheduled at n2's spikes 5 and 10 ms after n1's", sched == [15, 210], str(sched))
    lat = [r - s for r, s in zip(deliv, sched)]
    check("reward: delivered once each, 1000..2999 ms later",
          len(deliv) == 2 and all(1000 <= x <= 2999 for x in lat), f"{deliv} (latencies {lat})")
    d = np.array(out["state"]["modulators"]["da"]["d"])[:, 0]
    jumps = [d[r] - (0.002 + (d[r - 1] - 0.002) * math.exp(-1 / 200)) for r in deliv]
    close("reward: d jumps by 0.5 at the delivery steps", jumps, [0.5] * len(deliv), atol=1e-12)


# ------------------------------------------------------------------ CLI
def case_cli():
    stdp = {"tau_plus": 20, "tau_minus": 20, "A_plus": 0.1, "A_minus": -0.15, "nearest": True,
            "w_min": -10, "w_max": 10, "modulator": "da", "tau_c": 1000,
            "update_every_steps": 10}
    model = stdp_model(stdp, 0.0, releases=[[25, 0.5]], steps=40)
    model["record_every"] = 5
    with tempfile.TemporaryDirectory() as td:
        mp, op = os.path.join(td, "m.json"), os.path.join(td, "o.json")
        with open(mp, "w") as f:
            json.dump(model, f)
        r = subprocess.run([sys.executable, os.path.join(HERE, "ghlsim_brian2.py"), mp, op],
                           capture_output=True, text=True)
        check("cli: exit status 0", r.returncode == 0, r.stderr[-2000:])
        if r.returncode != 0:
            return
        with open(op) as f:
            got = json.load(f)
    want = ref.simulate(model)
    check("cli: same output as simulate()", json.dumps(got) == json.dumps(want))
    check("cli: record_every 5", got["record_steps"] == [0, 5, 10, 15, 20, 25, 30, 35],
          str(got["record_steps"]))


def main():
    print("ordering experiments:")
    n_fail = ordering_experiments.run_all(verbose=True)
    if n_fail:
        FAILS.append(f"{n_fail} ordering experiments")
    cases = [("schedule", case_schedule),
             ("lif tau_ex != tau_m", lambda: case_lif(2.0, 5.0, "tau_ex=2,tau_in=5")),
             ("lif tau_ex == tau_m", lambda: case_lif(10.0, 2.0, "tau_ex=tau_m=10")),
             ("izhikevich dt=1", lambda: case_izhikevich(1.0)),
             ("izhikevich dt=0.5", lambda: case_izhikevich(0.5)),
             ("stdp_modulated", case_stdp_modulated),
             ("stdp_direct", case_stdp_direct),
             ("reward machinery", case_reward_machinery),
             ("cli", case_cli)]
    for name, f in cases:
        before = len(FAILS)
        f()
        print(f"{name}: {'ok' if len(FAILS) == before else 'FAIL'}")
    if FAILS:
        print(f"FAILED: {FAILS}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
