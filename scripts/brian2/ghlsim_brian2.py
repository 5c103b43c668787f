#!/usr/bin/python3
"""Brian2 golden reference for ghlsim's simulated-time contract (docs/SIMULATED_TIME.md).

Usage:
    /usr/bin/python3 scripts/brian2/ghlsim_brian2.py MODEL.json OUT.json

Runs with Brian2 (tested with 2.5.1, Debian python3-brian), codegen target numpy, float64.
Everything below is built from Brian2's own machinery (NeuronGroup with method='exact' and
`(unless refractory)`, SpikeGeneratorGroup, Synapses with per-synapse delays, on_pre/on_post
pathways, `(event-driven)` traces, run_regularly); the schedule is forced to match the contract
(see `ordering_experiments.py` for the experiments behind every ordering claim).

MODEL.json
==========
Units: ms, mV, pA, pF (LIF); Izhikevich v in mV, its input I in mV/ms. Every event time is an
integer step (step k = [k*dt, (k+1)*dt)).

{
  "dt": 0.1,                      # ms
  "steps": 200,                   # number of steps to run (steps 0 .. steps-1)
  "seed": 1,                      # only used by Izhikevich "noise" (Brian2's rand(), NOT ghlsim's
                                  # counter-based stream: golden tests give "I_ext" instead)
  "record_every": 1,              # state monitors record at steps k with k % record_every == 0
  "populations": [
    {"name": "in", "model": "spikes", "n": 2,
     "spikes": [[0, 10], [1, 12]]},                   # [index, step]; duplicates are an error
    {"name": "lif", "model": "lif", "n": 1,
     "C_m": 250, "tau_m": 10, "tau_ex": 2, "tau_in": 2, "t_ref": 2,   # defaults: NEST iaf_psc_exp
     "E_L": -70, "V_reset": -70, "V_th": -55, "I_e": 0,              # I_e: scalar or per neuron
     "V0": [-70],                                                    # optional, default E_L
     "record": {"vars": ["V", "I_ex", "I_in"], "indices": [0]}},
    {"name": "izh", "model": "izhikevich", "n": 2,
     "a": 0.02, "b": 0.2, "c": -65, "d": 8,          # scalar or per neuron (default RS)
     "v0": -65, "u0": null,                         # optional; u0 defaults to b*v0
     "I_ext": [[5.0, 0.0], ...],                    # optional dense table [steps][n] (mV/ms):
                                                    # the input added at step k (the "noise")
     "noise": 0,                                    # optional amplitude*(rand()-0.5), Brian2 RNG
     "record": {"vars": ["v", "u"], "indices": [0, 1]}}
  ],
  "projections": [                                # synapses phase runs them in this order
    {"name": "p0", "pre": "in", "post": "lif",
     "i": [0, 1], "j": [0, 0], "delay_steps": [1, 3], "w": [100.0, -50.0],   # delay_steps >= 1
     "stdp": {                                    # optional
        "tau_plus": 20, "tau_minus": 20, "A_plus": 0.1, "A_minus": -0.15,
        "nearest": true,                          # x = A (nearest) instead of x += A (all-to-all)
        "w_min": 0, "w_max": 4,
        "modulator": "da",                        # optional; absent: Δ acts on w directly
        "tau_c": 1000, "eta": 1, "d_ref": 0, "update_every_steps": 10},
     "record": {"vars": ["w", "apre", "apost", "c"], "indices": [0, 1]}}   # synapse indices
  ],
  "modulators": [
    {"name": "da", "d_base": 0.002, "tau_d": 200, "d0": 0.002,       # d0 defaults to d_base
     "releases": [[150, 0.5]],                    # [step, jump]
     "record": true}
  ]
}

Semantics (the contract): LIF: a delivered w >= 0 goes to I_ex, w < 0 to I_in (pA). Izhikevich: the
delivered w adds to I (mV/ms), used (plus I_ext[k]) by the groups phase of step k+1, then cleared.
Modulated STDP: every `update_every_steps` steps (k % P == 0, end slot)
    w <- clip(w + eta*(d(k) - d_ref)*c(k), w_min, w_max),  c(k) = lazily decayed c (not stored back).

OUT.json
========
{
  "brian2_version": "2.5.1", "dt": ..., "steps": ...,
  "spikes": {"<population>": [[index, step], ...]},          # sorted by (step, index)
  "record_steps": [0, 1, ...],                                # steps at which states were recorded
  "state": {
    "populations": {"<pop>": {"<var>": [[value per recorded index] per recorded step]}},
    "projections": {"<proj>": {"<var>": [[...] ...]}},       # apre/apost/c: value decayed to step k
    "modulators":  {"<mod>": {"d": [[d] ...]}}
  },
  "indices": {"populations": {"<pop>": [...]}, "projections": {"<proj>": [...]}}
}
Recorded values are taken at the `end` slot of step k (after the weight update), i.e. a neuron's
state is the one integrated up to (k+1)*dt. V in mV, I_ex/I_in in pA, everything else as given.
"""

import json
import math
import re
import sys

import numpy as np

LIF_DEFAULTS = dict(C_m=250.0, tau_m=10.0, tau_ex=2.0, tau_in=2.0, t_ref=2.0,
                    E_L=-70.0, V_reset=-70.0, V_th=-55.0, I_e=0.0)
IZH_DEFAULTS = dict(a=0.02, b=0.2, c=-65.0, d=8.0)
LIF_VARS = ("V", "I_ex", "I_in")
IZH_VARS = ("v", "u")
SYN_VARS = ("w", "apre", "apost", "c")


class ModelError(ValueError):
    pass


def _ident(name):
    s = re.sub(r"[^A-Za-z0-9_]", "_", str(name))
    if not s or s[0].isdigit():
        s = "x" + s
    return s


def _steps_of(t_ms, dt, what):
    k = t_ms / dt
    r = round(k)
    if abs(k - r) > 1e-6:
        raise ModelError(f"{what} = {t_ms} ms is not a multiple of dt = {dt} ms")
    return int(r)


def _per_neuron(value, n, what):
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return np.full(n, float(a))
    if a.shape != (n,):
        raise ModelError(f"{what}: expected a scalar or {n} values, got shape {a.shape}")
    return a


def schedule_orders(n_projections):
    """Brian2 `order` values that give the contract's synapses phase.

    Within one `when` slot Brian2 sorts by (order, name). In 2.5.1 a SynapticPathway gets
    order -1 for 'pre' and +1 for 'post' (synapses/synapses.py), i.e. pre BEFORE post by
    default: the opposite of the contract. We therefore set, for projection p (creation order),
    post pathway = 3p, pre pathway = 3p+1, and all modulator releases after every projection.
    """
    post = [3 * p for p in range(n_projections)]
    pre = [3 * p + 1 for p in range(n_projections)]
    release = 3 * n_projections + 1
    return post, pre, release


class Built:
    """What build() made: the Brian2 Network and handles to its parts."""


def build(model, target="numpy"):
    """Build the Brian2 network for MODEL (a dict, see the module docstring), without running it.

    target: Brian2 runtime codegen target ('numpy' for the golden reference; 'cython' is allowed
    for benchmarks). For cpp_standalone the caller calls set_device() first and passes None.
    Returns a Built with: net, objects, groups, syn, mods, release_order, spike_mons, state_mons.
    """
    import brian2 as b2
    from brian2 import (ms, mV, pA, pF, second, NeuronGroup, Synapses, SpikeGeneratorGroup,
                        SpikeMonitor, StateMonitor, TimedArray, Network, linked_var, defaultclock)

    if target is not None:
        b2.prefs.codegen.target = target
    b2.prefs.core.default_float_dtype = np.float64
    b2.start_scope()
    runtime = type(b2.get_device()).__name__ == "RuntimeDevice"

    dt = float(model["dt"])
    steps = int(model["steps"])
    if dt <= 0 or steps < 0:
        raise ModelError("dt must be > 0 and steps >= 0")
    rec_every = int(model.get("record_every", 1))
    if rec_every < 1:
        raise ModelError("record_every must be >= 1")
    b2.seed(int(model.get("seed", 0)))
    defaultclock.dt = dt * ms
    objects = []

    pops_spec = model.get("populations", [])
    projs_spec = model.get("projections", [])
    mods_spec = model.get("modulators", [])
    names = [p["name"] for p in pops_spec]
    if len(set(names)) != len(names):
        raise ModelError("duplicate population name")
    mod_names = [m["name"] for m in mods_spec]
    if len(set(mod_names)) != len(mod_names):
        raise ModelError("duplicate modulator name")

    # Which populations need a copy of which modulator (post groups of modulated projections).
    needs_mod = {p["name"]: set() for p in pops_spec}
    for pr in projs_spec:
        st = pr.get("stdp")
        if st and st.get("modulator") is not None:
            if st["modulator"] not in mod_names:
                raise ModelError(f"projection {pr['name']}: unknown modulator {st['modulator']}")
            needs_mod[pr["post"]].add(st["modulator"])

    # ---------------------------------------------------------------- modulators
    mod_groups = {}
    _, _, release_order = schedule_orders(len(projs_spec))
    for m in mods_spec:
        mid = _ident(m["name"])
        tau_d = float(m["tau_d"])
        G = NeuronGroup(1, "dd/dt = (d_base - d)/tau_d : 1", method="exact",
                        namespace=dict(d_base=float(m["d_base"]), tau_d=tau_d * ms),
                        name=f"mod_{mid}*")
        G.d = float(m.get("d0", m["d_base"]))
        objects.append(G)
        mod_groups[m["name"]] = G
        rel = m.get("releases", [])
        if rel:
            # One generator neuron per release (each fires once at its step), one synapse each
            # carrying the jump: on_pre `d_post += jump` in the synapses slot, after every
            # projection's pathways (order = release_order).
            rsteps = [int(r[0]) for r in rel]
            jumps = [float(r[1]) for r in rel]
            gen = SpikeGeneratorGroup(len(rel), np.arange(len(rel)),
                                      np.array(rsteps) * dt * ms, name=f"rel_{mid}*")
            S = Synapses(gen, G, "jump : 1", on_pre="d_post += jump", name=f"relsyn_{mid}*")
            S.connect(i=np.arange(len(rel)), j=np.zeros(len(rel), dtype=int))
            S.jump = jumps
            S.pre.order = release_order
            objects += [gen, S]

    # ---------------------------------------------------------------- populations
    groups = {}
    kinds = {}
    spike_mons = {}
    for p in pops_spec:
        name, kind, n = p["name"], p["model"], int(p["n"])
        pid = _ident(name)
        kinds[name] = kind
        mod_eqs = ""
        for mn in sorted(needs_mod[name]):
            mi = _ident(mn)
            # A `(linked)` variable cannot be read by a Synapses object (Brian2 refuses to
            # reference a linked variable through the changeable _postsynaptic_idx), so the post
            # group keeps a plain copy refreshed at `before_end`, after the releases of step k
            # and before the weight update of step k.
            mod_eqs += f"dlink_{mi} : 1 (linked)\ndm_{mi} : 1\n"
        if kind == "spikes":
            sp = p.get("spikes", [])
            idx = np.array([int(s[0]) for s in sp], dtype=int)
            stp = np.array([int(s[1]) for s in sp], dtype=int)
            if len(set(zip(idx.tolist(), stp.tolist()))) != len(idx):
                raise ModelError(f"population {name}: duplicate spikes")
            if len(idx) and (idx.min() < 0 or idx.max() >= n or stp.min() < 0):
                raise ModelError(f"population {name}: spike out of range")
            G = SpikeGeneratorGroup(n, idx, stp * dt * ms, name=f"src_{pid}*")
            if needs_mod[name]:
                raise ModelError("a spike source cannot be the post side of a plastic projection")
        elif kind == "lif":
            q = dict(LIF_DEFAULTS)
            q.update({k: p[k] for k in LIF_DEFAULTS if k in p})
            n_ref = _steps_of(float(q["t_ref"]), dt, f"{name}.t_ref")
            degenerate = (float(q["tau_ex"]) == float(q["tau_m"]) or
                          float(q["tau_in"]) == float(q["tau_m"]))
            # Brian2's 'exact' solver treats int(not_refractory) as a free symbol; with
            # tau_x == tau_m its symbolic solution divides by (tau_x*int(not_refractory) - tau_m),
            # i.e. by 0 when not refractory (NaN). In that (and only that) case we write the
            # equal time constant as the same symbol so that sympy finds the t*exp(-t/tau)
            # solution, drop the flag, and clamp V = V_reset during the refractory steps with a
            # run_regularly in `after_groups` (same semantics: V stays at V_reset while refractory,
            # the currents decay).
            use_flag = (n_ref > 0) and not degenerate
            flag = " (unless refractory)" if use_flag else ""
            tex = "tau_m" if float(q["tau_ex"]) == float(q["tau_m"]) else "tau_ex"
            tin = "tau_m" if float(q["tau_in"]) == float(q["tau_m"]) else "tau_in"
            eqs = (f"dV/dt = -(V - E_L)/tau_m + (I_ex + I_in + I_e)/C_m : volt{flag}\n"
                   f"dI_ex/dt = -I_ex/{tex} : amp\n"
                   f"dI_in/dt = -I_in/{tin} : amp\n"
                   "E_L : volt (constant)\nV_reset : volt (constant)\nV_th : volt (constant)\n"
                   "I_e : amp (constant)\n" + mod_eqs)
            ns = dict(C_m=float(q["C_m"]) * pF, tau_m=float(q["tau_m"]) * ms,
                      tau_ex=float(q["tau_ex"]) * ms, tau_in=float(q["tau_in"]) * ms)
            # t_ref = 0: no refractoriness mechanism at all (refractory=0*ms would behave the
            # same: the groups slot recomputes not_refractory before integrating).
            G = NeuronGroup(n, eqs, threshold="V > V_th", reset="V = V_reset",
                            refractory=(n_ref * dt * ms) if n_ref > 0 else False,
                            method="exact", namespace=ns, name=f"lif_{pid}*")
            G.E_L = _per_neuron(q["E_L"], n, "E_L") * mV
            G.V_reset = _per_neuron(q["V_reset"], n, "V_reset") * mV
            G.V_th = _per_neuron(q["V_th"], n, "V_th") * mV
            G.I_e = _per_neuron(q["I_e"], n, "I_e") * pA
            G.V = _per_neuron(p.get("V0", q["E_L"]), n, "V0") * mV
            G.I_ex = 0 * pA
            G.I_in = 0 * pA
            if n_ref > 0 and not use_flag:
                G.run_regularly("V = V*int(not_refractory) + V_reset*(1 - int(not_refractory))",
                                when="after_groups", name=f"lif_{pid}_refclamp*")
        elif kind == "izhikevich":
            q = dict(IZH_DEFAULTS)
            q.update({k: p[k] for k in IZH_DEFAULTS if k in p})
            # Parameters are called p_a .. p_d: a synaptic variable `c` (eligibility) may not share
            # its name with a post-synaptic variable.
            eqs = ("v : 1\nu : 1\nI : 1\np_a : 1 (constant)\np_b : 1 (constant)\n"
                   "p_c : 1 (constant)\np_d : 1 (constant)\n" + mod_eqs)
            # Izhikevich's published integration cannot be a Brian2 ODE method: it is a
            # run_regularly in the `groups` slot on plain variables; it clears I after use.
            ext = "0"
            ns = dict(h=dt)
            if p.get("I_ext") is not None:
                tab = np.asarray(p["I_ext"], dtype=float)
                if tab.shape != (steps, n):
                    raise ModelError(f"{name}.I_ext: expected shape ({steps}, {n}), "
                                     f"got {tab.shape}")
                ns["I_ext_tab"] = TimedArray(tab, dt=dt * ms)
                ext = "I_ext_tab(t, i)"
            noise = float(p.get("noise", 0) or 0)
            if noise:
                ext += f" + {noise!r}*(rand() - 0.5)"
            code = (f"Itot = I + {ext}\n"
                    "v += 0.5*h*(0.04*v**2 + 5*v + 140 - u + Itot)\n"
                    "v += 0.5*h*(0.04*v**2 + 5*v + 140 - u + Itot)\n"
                    "u += h*p_a*(p_b*v - u)\n"
                    "I = 0\n")
            G = NeuronGroup(n, eqs, threshold="v >= 30", reset="v = p_c\nu += p_d",
                            namespace=ns, name=f"izh_{pid}*")
            for k in ("a", "b", "c", "d"):
                setattr(G, "p_" + k, _per_neuron(q[k], n, k))
            v0 = _per_neuron(p.get("v0", -65.0), n, "v0")
            G.v = v0
            u0 = p.get("u0")
            G.u = (_per_neuron(q["b"], n, "b") * v0) if u0 is None else _per_neuron(u0, n, "u0")
            G.I = 0
            G.run_regularly(code, when="groups", name=f"izh_{pid}_update*")
        else:
            raise ModelError(f"population {name}: unknown model {kind!r}")
        for mn in sorted(needs_mod[name]):
            mi = _ident(mn)
            setattr(G, f"dlink_{mi}", linked_var(mod_groups[mn], "d", index=np.zeros(n, dtype=int)))
            G.run_regularly(f"dm_{mi} = dlink_{mi}", when="before_end",
                            name=f"{pid}_copy_{mi}*")
        groups[name] = G
        objects.append(G)
        mon = SpikeMonitor(G, name=f"spk_{pid}*")
        spike_mons[name] = mon
        objects.append(mon)

    # ---------------------------------------------------------------- projections
    post_orders, pre_orders, _ = schedule_orders(len(projs_spec))
    syn_objs = {}
    for pi, pr in enumerate(projs_spec):
        name = pr["name"]
        rid = _ident(name)
        if pr["pre"] not in groups or pr["post"] not in groups:
            raise ModelError(f"projection {name}: unknown pre/post population")
        pre_g, post_g = groups[pr["pre"]], groups[pr["post"]]
        post_kind = kinds[pr["post"]]
        ii = np.asarray(pr["i"], dtype=int)
        jj = np.asarray(pr["j"], dtype=int)
        dd = np.asarray(pr["delay_steps"], dtype=int)
        ww = np.asarray(pr["w"], dtype=float)
        if not (len(ii) == len(jj) == len(dd) == len(ww)):
            raise ModelError(f"projection {name}: i, j, delay_steps, w differ in length")
        if len(dd) and dd.min() < 1:
            raise ModelError(f"projection {name}: delay_steps must be >= 1")
        if post_kind == "lif":
            deliver = "I_ex_post += w*pA*int(w >= 0)\nI_in_post += w*pA*int(w < 0)\n"
        elif post_kind == "izhikevich":
            deliver = "I_post += w\n"
        else:
            raise ModelError(f"projection {name}: post must be lif or izhikevich")
        st = pr.get("stdp")
        ns = {}
        model_eqs = "w : 1\n"
        on_post = None
        on_pre = deliver
        upd = None
        if st:
            ns.update(tau_plus=float(st["tau_plus"]) * ms, tau_minus=float(st["tau_minus"]) * ms,
                      A_plus=float(st["A_plus"]), A_minus=float(st["A_minus"]),
                      w_min=float(st.get("w_min", -np.inf)), w_max=float(st.get("w_max", np.inf)))
            nearest = bool(st.get("nearest", False))
            setpre = "apre = A_plus" if nearest else "apre += A_plus"
            setpost = "apost = A_minus" if nearest else "apost += A_minus"
            model_eqs += ("dapre/dt = -apre/tau_plus : 1 (event-driven)\n"
                          "dapost/dt = -apost/tau_minus : 1 (event-driven)\n")
            # Values decayed to the current step, for the monitors (not stored back).
            rec_eqs = ("apre_now = apre*exp(-(t - lastupdate)/tau_plus) : 1\n"
                       "apost_now = apost*exp(-(t - lastupdate)/tau_minus) : 1\n")
            mname = st.get("modulator")
            if mname is not None:
                mi = _ident(mname)
                ns.update(tau_c=float(st["tau_c"]) * ms, eta=float(st.get("eta", 1.0)),
                          d_ref=float(st.get("d_ref", 0.0)))
                model_eqs += "dc/dt = -c/tau_c : 1 (event-driven)\n"
                rec_eqs += "c_now = c*exp(-(t - lastupdate)/tau_c) : 1\n"
                on_post = f"{setpost}\nc += apre\n"
                on_pre = deliver + f"c += apost\n{setpre}\n"
                P = int(st.get("update_every_steps", 1))
                if P < 1:
                    raise ModelError(f"projection {name}: update_every_steps must be >= 1")
                upd = (f"w = clip(w + eta*(dm_{mi}_post - d_ref)*c*exp(-(t - lastupdate)/tau_c), "
                       "w_min, w_max)", P)
            else:
                on_post = f"{setpost}\nw = clip(w + apre, w_min, w_max)\n"
                on_pre = deliver + f"w = clip(w + apost, w_min, w_max)\n{setpre}\n"
            model_eqs += rec_eqs
        kw = dict(on_pre=on_pre, namespace=ns, name=f"syn_{rid}*")
        if on_post is not None:
            kw["on_post"] = on_post
        S = Synapses(pre_g, post_g, model_eqs, **kw)
        if len(ii):
            S.connect(i=ii, j=jj)
            if runtime and not (np.array_equal(S.i[:], ii) and np.array_equal(S.j[:], jj)):
                raise RuntimeError("Brian2 did not keep the synapse order")
            S.w = ww
            S.delay = dd * dt * ms
        # Contract: post pathway before pre pathway, projections in creation order.
        S.pre.order = pre_orders[pi]
        if on_post is not None:
            S.post.order = post_orders[pi]
        if upd is not None:
            # Modulated update: every P steps (k % P == 0, k = 0 included) in the `end` slot,
            # before the state monitors (order 0 < 1).
            S.run_regularly(upd[0], dt=upd[1] * dt * ms, when="end", order=0,
                            name=f"syn_{rid}_update*")
        syn_objs[name] = S
        objects.append(S)

    # ---------------------------------------------------------------- state monitors
    state_mons = []          # (section, name, var, monitor, brian var, scale)
    rec_dt = rec_every * dt * ms
    for p in pops_spec:
        r = p.get("record")
        if not r or kinds[p["name"]] == "spikes":
            continue
        allowed = LIF_VARS if kinds[p["name"]] == "lif" else IZH_VARS
        for v in r["vars"]:
            if v not in allowed:
                raise ModelError(f"population {p['name']}: cannot record {v}")
        idx = [int(x) for x in r["indices"]]
        mon = StateMonitor(groups[p["name"]], list(r["vars"]), record=idx, dt=rec_dt,
                           when="end", order=1, name=f"st_{_ident(p['name'])}*")
        objects.append(mon)
        for v in r["vars"]:
            scale = {"V": mV, "I_ex": pA, "I_in": pA}.get(v, 1)
            state_mons.append(("populations", p["name"], v, mon, v, scale, idx))
    for pr in projs_spec:
        r = pr.get("record")
        if not r:
            continue
        st = pr.get("stdp") or {}
        bvars = []
        for v in r["vars"]:
            if v == "w":
                bvars.append("w")
            elif v in ("apre", "apost") and st:
                bvars.append(v + "_now")
            elif v == "c" and st.get("modulator") is not None:
                bvars.append("c_now")
            else:
                raise ModelError(f"projection {pr['name']}: cannot record {v}")
        idx = [int(x) for x in r["indices"]]
        mon = StateMonitor(syn_objs[pr["name"]], bvars, record=idx, dt=rec_dt, when="end",
                           order=1, name=f"st_{_ident(pr['name'])}*")
        objects.append(mon)
        for v, bv in zip(r["vars"], bvars):
            state_mons.append(("projections", pr["name"], v, mon, bv, 1, idx))
    for m in mods_spec:
        if m.get("record"):
            mon = StateMonitor(mod_groups[m["name"]], ["d"], record=[0], dt=rec_dt, when="end",
                               order=1, name=f"st_mod_{_ident(m['name'])}*")
            objects.append(mon)
            state_mons.append(("modulators", m["name"], "d", mon, "d", 1, [0]))

    bt = Built()
    bt.net = Network(*objects)
    bt.objects, bt.groups, bt.syn, bt.mods = objects, groups, syn_objs, mod_groups
    bt.release_order, bt.spike_mons, bt.state_mons = release_order, spike_mons, state_mons
    bt.dt, bt.steps = dt, steps
    return bt


def collect(bt):
    """The OUT dict of a built network after its run."""
    import brian2 as b2
    from brian2 import ms
    dt, steps, spike_mons, state_mons = bt.dt, bt.steps, bt.spike_mons, bt.state_mons
    out = {"brian2_version": b2.__version__, "dt": dt, "steps": steps,
           "spikes": {}, "record_steps": [],
           "state": {"populations": {}, "projections": {}, "modulators": {}},
           "indices": {"populations": {}, "projections": {}}}
    for name, mon in spike_mons.items():
        ks = np.rint(np.asarray(mon.t / ms) / dt).astype(int)
        ii = np.asarray(mon.i[:], dtype=int)
        order = np.lexsort((ii, ks))
        out["spikes"][name] = [[int(ii[o]), int(ks[o])] for o in order]
    rec_steps = None
    for section, name, v, mon, bv, scale, idx in state_mons:
        ks = np.rint(np.asarray(mon.t / ms) / dt).astype(int).tolist()
        if rec_steps is None:
            rec_steps = ks
        elif ks != rec_steps:
            raise RuntimeError("state monitors disagree on the recorded steps")
        vals = np.asarray(getattr(mon, bv) / scale, dtype=float)   # [index][time]
        out["state"][section].setdefault(name, {})[v] = vals.T.tolist()
        if section != "modulators":
            out["indices"][section][name] = idx
    out["record_steps"] = rec_steps or []
    return out


def simulate(model, return_network=False):
    """Run MODEL (a dict, see the module docstring) with Brian2 (numpy target); the OUT dict."""
    from brian2 import ms
    bt = build(model, target="numpy")
    bt.net.run(bt.steps * bt.dt * ms, namespace={})   # namespace={}: no capture of local names
    out = collect(bt)
    if return_network:
        return out, bt.net
    return out


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__.split("MODEL.json\n=")[0])
        return 2
    with open(argv[1]) as f:
        model = json.load(f)
    out = simulate(model)
    with open(argv[2], "w") as f:
        json.dump(out, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
