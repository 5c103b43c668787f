#!/usr/bin/python3
"""Tiny Brian2 experiments behind every scheduling claim made by ghlsim_brian2.py.

    /usr/bin/python3 scripts/brian2/ordering_experiments.py     # prints findings, exit 1 if any fails

Findings with Brian2 2.5.1 (numpy target), each checked by a function below:

1. Default schedule: start, groups, thresholds, synapses, resets, end. Within one slot objects run
   by (order, name).  `order` beats the name (exp_order_beats_name).
2. Within ONE Synapses object Brian2 2.5.1 runs the *pre* pathway BEFORE the *post* pathway by
   default: SynapticPathway sets order = -1 for 'pre' and +1 for 'post' (brian2/synapses/
   synapses.py). (Older Brian2 gave both order 0 and the names '..._post' < '..._pre' decided,
   hence the common belief that post comes first.) The contract wants post before pre, so the
   runner sets S.post.order / S.pre.order explicitly (exp_pathway_order).
3. A SpikeGeneratorGroup spike at time s*dt is emitted in the thresholds slot of step s, a
   SpikeMonitor stamps it t = s*dt, and a synapse with delay d*dt runs on_pre in the synapses slot
   of step s+d (Brian2 rounds delay/dt to the nearest integer) (exp_delivery_step).
4. run_regularly(dt=P*dt, when='end') runs at steps k with k % P == 0, k = 0 included; a
   StateMonitor(when='end', order=1) records after a run_regularly(when='end', order=0) of the
   same step (the default StateMonitor slot is 'start', which would record the previous step's
   end state) (exp_end_slot).
5. Refractoriness: the thresholds slot of the spike step sets not_refractory = False; the
   state updater (groups slot) of every later step first recomputes
   not_refractory = timestep(t - lastspike, dt) >= timestep(t_ref, dt) and then integrates
   (`unless refractory`). A neuron that spikes at step s is therefore held at V_reset during the
   groups phase of steps s+1 .. s+n_ref-1 (n_ref - 1 steps), integrates again at step s+n_ref
   and can spike at s+n_ref (exp_refractory). NEST's iaf_psc_exp holds one step more (its
   counter r = n_ref is decremented in each of the steps s+1 .. s+n_ref). The runner's
   after_groups clamp (used when tau_x == tau_m) reproduces Brian2's flag exactly.
6. The lazily decayed (event-driven) traces: on_pre/on_post begin with x *= exp(-(t-lastupdate)/tau)
   for every event-driven variable, then lastupdate = t (exp_event_driven).
"""

import sys

import numpy as np


def _b2():
    import brian2 as b2
    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    b2.defaultclock.dt = 1 * b2.ms
    return b2


def exp_order_beats_name():
    b2 = _b2()
    from brian2 import ms, NeuronGroup, Network
    G = NeuronGroup(1, "x : 1")
    # 'aaa' sorts before 'zzz' by name, but has the larger order.
    r1 = G.run_regularly("x = x*10 + 1", when="synapses", order=0, name="zzz_first")
    r2 = G.run_regularly("x = x*10 + 2", when="synapses", order=1, name="aaa_second")
    Network(G, r1, r2).run(1 * ms, namespace={})
    ok = G.x[0] == 12
    return ok, f"order 0 'zzz' then order 1 'aaa' -> x = {G.x[0]:g} (12 = order wins over name)"


def exp_pathway_order():
    res = []
    for force in (False, True):
        b2 = _b2()
        from brian2 import ms, NeuronGroup, SpikeGeneratorGroup, Synapses, Network
        pre = SpikeGeneratorGroup(1, [0], [2] * ms)
        post = SpikeGeneratorGroup(1, [0], [3] * ms)
        S = Synapses(pre, post, "x : 1", on_pre="x = x*10 + 1", on_post="x = x*10 + 2",
                     delay=1 * ms)
        S.connect(i=0, j=0)
        if force:
            S.post.order = 0
            S.pre.order = 1
        Network(pre, post, S).run(5 * ms, namespace={})
        res.append((S.pre.order, S.post.order, S.x[0]))
    (dpre, dpost, dx), (fpre, fpost, fx) = res
    ok = dx == 12 and fx == 21 and dpre == -1 and dpost == 1
    return ok, (f"default orders pre={dpre}, post={dpost}: same-step events give x={dx:g} "
                f"(12 = pre first); forced post=0, pre=1: x={fx:g} (21 = post first)")


def exp_delivery_step():
    b2 = _b2()
    from brian2 import ms, NeuronGroup, SpikeGeneratorGroup, Synapses, SpikeMonitor, Network
    src = SpikeGeneratorGroup(1, [0], [4] * ms)
    tgt = NeuronGroup(3, "k_arrival : 1")
    tgt.k_arrival = -1
    S = Synapses(src, tgt, on_pre="k_arrival_post = t/dt")
    S.connect(i=[0, 0, 0], j=[0, 1, 2])
    S.delay = [1, 3, 7] * ms
    mon = SpikeMonitor(src)
    Network(src, tgt, S, mon).run(20 * ms, namespace={})
    got = list(tgt.k_arrival[:])
    ok = got == [5, 7, 11] and list(np.rint(mon.t / ms)) == [4]
    return ok, f"spike at step 4 (monitor says {list(np.rint(mon.t / ms))}); delays 1,3,7 arrive at {got}"


def exp_end_slot():
    b2 = _b2()
    from brian2 import ms, NeuronGroup, StateMonitor, Network
    G = NeuronGroup(1, "x : 1\nn_upd : 1\nlast_upd : 1")
    G.last_upd = -1
    r0 = G.run_regularly("x = t/dt", when="end", order=0)
    r1 = G.run_regularly("n_upd += 1\nlast_upd = t/dt", dt=4 * ms, when="end", order=0)
    m_end = StateMonitor(G, ["x", "last_upd"], record=[0], when="end", order=1)
    m_start = StateMonitor(G, "x", record=[0])
    Network(G, r0, r1, m_end, m_start).run(10 * ms, namespace={})
    x_end = list(m_end.x[0])
    x_start = list(m_start.x[0])
    lu = list(m_end.last_upd[0])
    ok = (x_end == list(range(10)) and x_start == [0] + list(range(9)) and G.n_upd[0] == 3
          and lu == [0, 0, 0, 0, 4, 4, 4, 4, 8, 8])
    return ok, (f"end-slot monitor sees x = k: {x_end[:5]}...; default ('start') monitor sees "
                f"{x_start[:5]}...; dt=4 run_regularly ran {G.n_upd[0]:g} times in 10 steps, "
                f"last update seen at steps {lu}")


def exp_refractory():
    out = []
    for flag in (True, False):
        b2 = _b2()
        from brian2 import ms, mV, NeuronGroup, StateMonitor, SpikeMonitor, Network
        if flag:
            G = NeuronGroup(1, "dV/dt = (20*mV - V)/(5*ms) : volt (unless refractory)",
                            threshold="V > 10*mV", reset="V = 0*mV", refractory=3 * ms,
                            method="exact")
            objs = [G]
        else:
            G = NeuronGroup(1, "dV/dt = (20*mV - V)/(5*ms) : volt",
                            threshold="V > 10*mV", reset="V = 0*mV", refractory=3 * ms,
                            method="exact")
            clamp = G.run_regularly("V = V*int(not_refractory)", when="after_groups")
            objs = [G, clamp]
        m = StateMonitor(G, "V", record=[0], when="end", order=1)
        s = SpikeMonitor(G)
        Network(*objs, m, s).run(12 * ms, namespace={})
        out.append((list(np.rint(s.t / ms).astype(int)), list(np.round(m.V[0] / mV, 9))))
    (sp, V), (sp2, V2) = out
    s0 = sp[0]
    held = V[s0:s0 + 3]
    ok = (sp == sp2 and np.allclose(V, V2, rtol=0, atol=1e-9) and held == [0, 0, 0]
          and V[s0 + 3] > 0)
    return ok, (f"spikes at steps {sp}; V (end of step) from the first spike: {V[s0:s0 + 6]}: "
                f"reset at s, held at 0 during s+1..s+2 (n_ref - 1 = 2 steps), integrating from s+3; "
                f"flag and after_groups clamp agree: {sp == sp2}")


def exp_event_driven():
    b2 = _b2()
    from brian2 import ms, SpikeGeneratorGroup, Synapses, Network
    pre = SpikeGeneratorGroup(1, [0, 0], [2, 12] * ms)
    post = SpikeGeneratorGroup(1, [0], [30] * ms)
    S = Synapses(pre, post, """dapre/dt = -apre/(20*ms) : 1 (event-driven)
                               seen : 1""",
                 on_pre="apre += 1", on_post="seen = apre", delay=1 * ms)
    S.connect(i=0, j=0)
    Network(pre, post, S).run(40 * ms, namespace={})
    expect = (1 * np.exp(-10 / 20) + 1) * np.exp(-17 / 20)   # on_pre at 3 and 13
    ok = abs(S.seen[0] - expect) < 1e-12 and abs(S.lastupdate[0] / ms - 30) < 1e-9
    return ok, f"apre seen at the post spike {S.seen[0]:.15f}, hand {expect:.15f}"


EXPERIMENTS = [exp_order_beats_name, exp_pathway_order, exp_delivery_step, exp_end_slot,
               exp_refractory, exp_event_driven]


def run_all(verbose=True):
    failed = 0
    for f in EXPERIMENTS:
        ok, msg = f()
        failed += not ok
        if verbose:
            print(f"[{'ok' if ok else 'FAIL'}] {f.__name__}: {msg}")
    return failed


if __name__ == "__main__":
    sys.exit(1 if run_all() else 0)
