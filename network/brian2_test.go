package network

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// The TestBrian2* tests run the same model in ghlsim and in Brian2 (Debian's
// python3-brian, 2.5) through scripts/brian2/ghlsim_brian2.py, with the same
// input spike times and input currents, and compare spike times (identical)
// and recorded state (within float32 round-off). They skip when no Python
// with Brian2 is found, unless GHLSIM_REQUIRE_BRIAN2=1 (CI sets it).

// brian2Python finds a Python interpreter that imports brian2.
func brian2Python(t *testing.T) string {
	t.Helper()
	cands := []string{os.Getenv("GHLSIM_BRIAN2_PYTHON"), "/usr/bin/python3", "python3"}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if err := exec.Command(c, "-c", "import brian2").Run(); err == nil {
			return c
		}
	}
	if os.Getenv("GHLSIM_REQUIRE_BRIAN2") == "1" {
		t.Fatal("GHLSIM_REQUIRE_BRIAN2=1 but no Python with Brian2 was found (apt-get install python3-brian, or set GHLSIM_BRIAN2_PYTHON)")
	}
	t.Skip("Brian2 not found (apt-get install python3-brian); set GHLSIM_REQUIRE_BRIAN2=1 to make this a failure")
	return ""
}

// brian2Out is the reference runner's output.
type brian2Out struct {
	Spikes      map[string][][2]int64 `json:"spikes"`
	RecordSteps []int64               `json:"record_steps"`
	State       struct {
		Populations map[string]map[string][][]float64 `json:"populations"`
		Projections map[string]map[string][][]float64 `json:"projections"`
		Modulators  map[string]map[string][][]float64 `json:"modulators"`
	} `json:"state"`
}

// runBrian2 writes model as JSON, runs the reference and decodes its output.
func runBrian2(t *testing.T, model map[string]any) brian2Out {
	t.Helper()
	py := brian2Python(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "model.json"), filepath.Join(dir, "out.json")
	raw, err := json.Marshal(model)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, filepath.Join("..", "scripts", "brian2", "ghlsim_brian2.py"), in, out)
	cmd.Env = append(os.Environ(), "PYTHONWARNINGS=ignore")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("Brian2 reference failed: %v\n%s", err, msg)
	}
	var o brian2Out
	raw, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// compareSpikes requires identical (index, step) lists.
func compareSpikes(t *testing.T, pop string, ours *SpikeMonitor, ref [][2]int64, minSpikes int) {
	t.Helper()
	if len(ours.Step) < minSpikes {
		t.Fatalf("%s fired only %d spikes; the comparison needs ≥ %d to mean something", pop, len(ours.Step), minSpikes)
	}
	if len(ours.Step) != len(ref) {
		t.Fatalf("%s: ghlsim %d spikes, Brian2 %d", pop, len(ours.Step), len(ref))
	}
	for q := range ref {
		if int64(ours.Index[q]) != ref[q][0] || ours.Step[q] != ref[q][1] {
			t.Fatalf("%s spike %d: ghlsim neuron %d at step %d, Brian2 neuron %d at step %d", pop, q, ours.Index[q], ours.Step[q], ref[q][0], ref[q][1])
		}
	}
	t.Logf("%s: %d spikes identical", pop, len(ref))
}

// compareTrace requires recorded values within tol·(1+|ref|) (float32
// round-off of the recorded value and of float32 synaptic state).
func compareTrace(t *testing.T, what string, ours *StateMonitor, ref [][]float64, tol float64) {
	t.Helper()
	if ours.Rows() != len(ref) {
		t.Fatalf("%s: ghlsim %d recorded steps, Brian2 %d", what, ours.Rows(), len(ref))
	}
	worst := 0.0
	for r := range ref {
		for q := range ref[r] {
			got, want := float64(ours.Values[r*len(ours.Indices)+q]), ref[r][q]
			d := math.Abs(got-want) / (1 + math.Abs(want))
			worst = math.Max(worst, d)
			if d > tol {
				t.Fatalf("%s[%d] at step %d: ghlsim %.9g, Brian2 %.9g", what, ours.Indices[q], ours.Steps[r], got, want)
			}
		}
	}
	t.Logf("%s: %d×%d values, worst relative difference %.2g", what, len(ref), len(ours.Indices), worst)
}

// inputSpikes is a fixed input spike train: neuron Index[q] at Step[q].
type inputSpikes struct {
	Index []int
	Step  []int64
}

// randomSpikes draws input spike times with probability p per neuron and
// step from a fixed seed (the same list goes to both simulators).
func randomSpikes(seed uint64, n int, steps int64, p float64) inputSpikes {
	r := rand.New(rand.NewPCG(seed, 99))
	var in inputSpikes
	for k := int64(0); k < steps; k++ {
		for i := 0; i < n; i++ {
			if r.Float64() < p {
				in.Index, in.Step = append(in.Index, i), append(in.Step, k)
			}
		}
	}
	return in
}

func (in inputSpikes) ms(dt float64) []float64 {
	out := make([]float64, len(in.Step))
	for q, k := range in.Step {
		out[q] = float64(k) * dt
	}
	return out
}

func (in inputSpikes) pairs() [][2]int64 {
	out := make([][2]int64, len(in.Step))
	for q := range in.Step {
		out[q] = [2]int64{int64(in.Index[q]), in.Step[q]}
	}
	return out
}

// randomEdges draws a projection's synapses: each pair with probability p,
// delays uniform in 1…maxDelay steps, weights from wfn.
func randomEdges(seed uint64, nPre, nPost int, p float64, maxDelay int, wfn func(r *rand.Rand, i int) float64) (pre, post, dsteps []int, w []float64) {
	r := rand.New(rand.NewPCG(seed, 7))
	for i := 0; i < nPre; i++ {
		for j := 0; j < nPost; j++ {
			if r.Float64() < p {
				pre, post = append(pre, i), append(post, j)
				dsteps = append(dsteps, 1+r.IntN(maxDelay))
				w = append(w, wfn(r, i))
			}
		}
	}
	return
}

func stepsMS(d []int, dt float64) []float64 {
	out := make([]float64, len(d))
	for q, v := range d {
		out[q] = float64(v) * dt
	}
	return out
}

// synIndex maps Brian2 synapse numbers (edge order) to ghlsim CSR positions.
func synIndex(t *testing.T, p *synapse.Projection, pre, post []int, which []int) []int {
	t.Helper()
	out := make([]int, len(which))
	for q, e := range which {
		out[q] = p.Index(pre[e], post[e])
		if out[q] < 0 {
			t.Fatalf("synapse %d→%d not found", pre[e], post[e])
		}
	}
	return out
}

// (a) LIF: 40 neurons with biases below and above rheobase, driven for 1 s
// (10,000 steps of 0.1 ms) by 100 inputs through excitatory and inhibitory
// synapses with delays of 0.1–5 ms; τ_ex, τ_in and τ_m all different.
// Spike times identical; V, I_ex, I_in within float32 round-off.
func TestBrian2LIFSpikeTimes(t *testing.T) {
	brian2Python(t)
	const dt, steps, nIn, nOut = 0.1, 10000, 100, 40
	s := mustSim(t, SimConfig{DT: dt, MaxDelayMS: 5})
	in := randomSpikes(1, nIn, steps, 0.002) // 20 Hz inputs
	src, err := s.AddSpikeSource("in", nIn, in.Index, in.ms(dt))
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultLIF()
	p.TauEx, p.TauIn = 2, 5
	lif, err := s.AddLIF("lif", nOut, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range lif.IE {
		lif.IE[i] = 250 + 5*float64(i) // 250…445 pA around the 375 pA rheobase
	}
	pre, post, d, w := randomEdges(2, nIn, nOut, 0.3, 50, func(r *rand.Rand, i int) float64 {
		if i%5 == 0 {
			return -(150 + 100*r.Float64())
		}
		return 50 + 40*r.Float64()
	})
	if _, err := s.Connect(src, lif, ConnectSpec{Name: "p0", Rule: "explicit", Pre: pre, Post: post, Weights: w, DelaysMS: stepsMS(d, dt)}); err != nil {
		t.Fatal(err)
	}
	mon, _ := s.MonitorSpikes(lif)
	rec := []int{0, 17, 39}
	mv, _ := s.MonitorState(lif, "V", rec, 0)
	mex, _ := s.MonitorState(lif, "I_ex", rec, 0)
	min, _ := s.MonitorState(lif, "I_in", rec, 0)
	if err := s.Run(steps); err != nil {
		t.Fatal(err)
	}
	ref := runBrian2(t, map[string]any{"dt": dt, "steps": steps, "seed": 1,
		"populations": []any{
			map[string]any{"name": "in", "model": "spikes", "n": nIn, "spikes": in.pairs()},
			map[string]any{"name": "lif", "model": "lif", "n": nOut, "tau_ex": 2, "tau_in": 5, "I_e": lif.IE,
				"record": map[string]any{"vars": []string{"V", "I_ex", "I_in"}, "indices": rec}},
		},
		"projections": []any{map[string]any{"name": "p0", "pre": "in", "post": "lif", "i": pre, "j": post, "delay_steps": d, "w": w}},
	})
	compareSpikes(t, "lif", mon, ref.Spikes["lif"], 200)
	compareTrace(t, "V", mv, ref.State.Populations["lif"]["V"], 2e-7)
	compareTrace(t, "I_ex", mex, ref.State.Populations["lif"]["I_ex"], 2e-7)
	compareTrace(t, "I_in", min, ref.State.Populations["lif"]["I_in"], 2e-7)
}

// (a) Izhikevich: 80 RS + 20 FS neurons with a random "thalamic" current per
// neuron and step (the same table in both) and recurrent excitatory and
// inhibitory synapses with 1–20 ms delays, for 1 s at dt = 1 ms. Spike times
// identical; v, u within round-off.
func TestBrian2IzhikevichSpikeTimes(t *testing.T) {
	brian2Python(t)
	const dt, steps, nE, nI = 1.0, 1000, 80, 20
	n := nE + nI
	s := mustSim(t, SimConfig{DT: dt, MaxDelayMS: 20})
	z, err := s.AddIzhikevich("izh", n, RegularSpiking())
	if err != nil {
		t.Fatal(err)
	}
	a, b, c, dd := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		if i >= nE {
			z.A[i], z.D[i] = 0.1, 2
		}
		a[i], b[i], c[i], dd[i] = z.A[i], z.B[i], z.C[i], z.D[i]
	}
	ext := thalamicTable(3, steps, n, 13)
	z.External = func(k int64, dst []float64) {
		for i := range dst {
			dst[i] += ext[k][i]
		}
	}
	pre, post, d, w := randomEdges(4, n, n, 0.1, 20, func(r *rand.Rand, i int) float64 {
		if i >= nE {
			return -2
		}
		return 1 + r.Float64()
	})
	if _, err := s.Connect(z, z, ConnectSpec{Name: "rec", Rule: "explicit", Pre: pre, Post: post, Weights: w, DelaysMS: stepsMS(d, dt)}); err != nil {
		t.Fatal(err)
	}
	mon, _ := s.MonitorSpikes(z)
	rec := []int{0, 41, 85}
	mv, _ := s.MonitorState(z, "v", rec, 0)
	mu, _ := s.MonitorState(z, "u", rec, 0)
	if err := s.Run(steps); err != nil {
		t.Fatal(err)
	}
	ref := runBrian2(t, map[string]any{"dt": dt, "steps": steps, "seed": 1,
		"populations": []any{map[string]any{"name": "izh", "model": "izhikevich", "n": n, "a": a, "b": b, "c": c, "d": dd,
			"I_ext": ext, "record": map[string]any{"vars": []string{"v", "u"}, "indices": rec}}},
		"projections": []any{map[string]any{"name": "rec", "pre": "izh", "post": "izh", "i": pre, "j": post, "delay_steps": d, "w": w}},
	})
	compareSpikes(t, "izh", mon, ref.Spikes["izh"], 100)
	compareTrace(t, "v", mv, ref.State.Populations["izh"]["v"], 1e-6)
	compareTrace(t, "u", mu, ref.State.Populations["izh"]["u"], 1e-6)
}

// thalamicTable is Izhikevich's random input amp·(U − 0.5), drawn once here
// so that both simulators get the same numbers.
func thalamicTable(seed uint64, steps, n int, amp float64) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 5))
	out := make([][]float64, steps)
	for k := range out {
		out[k] = make([]float64, n)
		for i := range out[k] {
			out[k][i] = amp * (r.Float64() - 0.5)
		}
	}
	return out
}

// (b) Traces: a modulated, all-to-all STDP projection from 30 inputs onto 10
// LIF neurons (heterogeneous delays), with dopamine released at fixed steps;
// apre, apost, the eligibility c, w and the concentration d recorded at
// every step agree within float32 round-off.
func TestBrian2TracesAndDopamine(t *testing.T) {
	brian2Python(t)
	const dt, steps, nIn, nOut = 0.5, 4000, 30, 10
	s := mustSim(t, SimConfig{DT: dt, MaxDelayMS: 10})
	in := randomSpikes(5, nIn, steps, 0.01)
	src, _ := s.AddSpikeSource("in", nIn, in.Index, in.ms(dt))
	lif, err := s.AddLIF("lif", nOut, DefaultLIF())
	if err != nil {
		t.Fatal(err)
	}
	for i := range lif.IE {
		lif.IE[i] = 300
	}
	da, err := s.AddConcentration("da", neuromod.ConcentrationParams{Base: 0.01, TauMS: 50, Jump: 0.3, Initial: math.NaN()})
	if err != nil {
		t.Fatal(err)
	}
	releases := [][]float64{{300, 0.3}, {310, 0.3}, {1700, 0.8}, {3100, 0.2}}
	for _, r := range releases {
		if err := da.Schedule(int64(r[0]), r[1]); err != nil {
			t.Fatal(err)
		}
	}
	st := synapse.STDPParams{TauPlusMS: 15, TauMinusMS: 30, APlus: 0.5, AMinus: -0.6, WMin: 0, WMax: 300,
		Modulated: true, TauCMS: 200, Eta: 20, DRef: 0.01, UpdateEveryMS: 2}
	pre, post, d, w := randomEdges(6, nIn, nOut, 0.5, 20, func(r *rand.Rand, i int) float64 { return 100 + 50*r.Float64() })
	proj, err := s.Connect(src, lif, ConnectSpec{Name: "p0", Rule: "explicit", Pre: pre, Post: post, Weights: w,
		DelaysMS: stepsMS(d, dt), Plasticity: &st, Modulator: da})
	if err != nil {
		t.Fatal(err)
	}
	recE := []int{0, 5, 33, 70, len(pre) - 1}
	rec := synIndex(t, proj, pre, post, recE)
	mons := map[string]*StateMonitor{}
	for _, v := range []string{"w", "apre", "apost", "c"} {
		mons[v], _ = s.MonitorState(proj, v, rec, 0)
	}
	md, _ := s.MonitorState(da, "d", []int{0}, 0)
	spk, _ := s.MonitorSpikes(lif)
	if err := s.Run(steps); err != nil {
		t.Fatal(err)
	}
	ref := runBrian2(t, map[string]any{"dt": dt, "steps": steps, "seed": 1,
		"populations": []any{
			map[string]any{"name": "in", "model": "spikes", "n": nIn, "spikes": in.pairs()},
			map[string]any{"name": "lif", "model": "lif", "n": nOut, "I_e": 300},
		},
		"projections": []any{map[string]any{"name": "p0", "pre": "in", "post": "lif", "i": pre, "j": post, "delay_steps": d, "w": w,
			"stdp": map[string]any{"tau_plus": 15, "tau_minus": 30, "A_plus": 0.5, "A_minus": -0.6, "nearest": false,
				"w_min": 0, "w_max": 300, "modulator": "da", "tau_c": 200, "eta": 20, "d_ref": 0.01, "update_every_steps": 4},
			"record": map[string]any{"vars": []string{"w", "apre", "apost", "c"}, "indices": recE}}},
		"modulators": []any{map[string]any{"name": "da", "d_base": 0.01, "tau_d": 50, "releases": releases, "record": true}},
	})
	compareSpikes(t, "lif", spk, ref.Spikes["lif"], 50)
	for _, v := range []string{"apre", "apost", "c", "w"} {
		compareTrace(t, v, mons[v], ref.State.Projections["p0"][v], 1e-5)
	}
	compareTrace(t, "d", md, ref.State.Modulators["da"]["d"], 1e-6)
}

// (c) Dopamine-modulated STDP network: 80 RS + 20 FS Izhikevich neurons with
// nearest-spike modulated STDP on the excitatory synapses (1–20 ms delays),
// static inhibition, a random thalamic current, and dopamine pulses, for 10 s
// at dt = 1 ms (Izhikevich 2007's model at a tenth of the size). Spike
// times identical; weight trajectories of recorded synapses and the mean
// excitatory weight within round-off.
func TestBrian2DopamineSTDPNetwork(t *testing.T) {
	brian2Python(t)
	const dt, steps, nE, nI = 1.0, 10000, 80, 20
	n := nE + nI
	s := mustSim(t, SimConfig{DT: dt, MaxDelayMS: 20})
	z, err := s.AddIzhikevich("izh", n, RegularSpiking())
	if err != nil {
		t.Fatal(err)
	}
	a, dd := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		if i >= nE {
			z.A[i], z.D[i] = 0.1, 2
		}
		a[i], dd[i] = z.A[i], z.D[i]
	}
	ext := thalamicTable(8, steps, n, 13)
	z.External = func(k int64, dst []float64) {
		for i := range dst {
			dst[i] += ext[k][i]
		}
	}
	da, _ := s.AddConcentration("da", neuromod.DefaultConcentration())
	var releases [][]float64
	for k := 500; k < steps; k += 1300 {
		releases = append(releases, []float64{float64(k), 0.5})
		if err := da.Schedule(int64(k), 0.5); err != nil {
			t.Fatal(err)
		}
	}
	st := synapse.IzhikevichSTDP()
	ePre, ePost, eD, eW := randomEdges(9, nE, n, 0.1, 20, func(r *rand.Rand, i int) float64 { return 1 + 2*r.Float64() })
	exc, err := s.Connect(z, z, ConnectSpec{Name: "exc", Rule: "explicit", Pre: ePre, Post: ePost, Weights: eW,
		DelaysMS: stepsMS(eD, dt), Plasticity: &st, Modulator: da})
	if err != nil {
		t.Fatal(err)
	}
	var iPre, iPost, iD []int
	var iW []float64
	r := rand.New(rand.NewPCG(10, 1))
	for i := nE; i < n; i++ {
		for j := 0; j < nE; j++ {
			if r.Float64() < 0.2 {
				iPre, iPost, iD, iW = append(iPre, i), append(iPost, j), append(iD, 1), append(iW, -1)
			}
		}
	}
	if _, err := s.Connect(z, z, ConnectSpec{Name: "inh", Rule: "explicit", Pre: iPre, Post: iPost, Weights: iW, DelaysMS: stepsMS(iD, dt)}); err != nil {
		t.Fatal(err)
	}
	recE := make([]int, 0, 40)
	for e := 0; e < len(ePre); e += len(ePre) / 40 {
		recE = append(recE, e)
	}
	mw, _ := s.MonitorState(exc, "w", synIndex(t, exc, ePre, ePost, recE), 100)
	mc, _ := s.MonitorState(exc, "c", synIndex(t, exc, ePre, ePost, recE), 100)
	spk, _ := s.MonitorSpikes(z)
	if err := s.Run(steps); err != nil {
		t.Fatal(err)
	}
	ref := runBrian2(t, map[string]any{"dt": dt, "steps": steps, "seed": 1, "record_every": 100,
		"populations": []any{map[string]any{"name": "izh", "model": "izhikevich", "n": n, "a": a, "d": dd, "I_ext": ext}},
		"projections": []any{
			map[string]any{"name": "exc", "pre": "izh", "post": "izh", "i": ePre, "j": ePost, "delay_steps": eD, "w": eW,
				"stdp": map[string]any{"tau_plus": 20, "tau_minus": 20, "A_plus": 0.1, "A_minus": -0.15, "nearest": true,
					"w_min": 0, "w_max": 4, "modulator": "da", "tau_c": 1000, "eta": 1, "d_ref": 0, "update_every_steps": 10},
				"record": map[string]any{"vars": []string{"w", "c"}, "indices": recE}},
			map[string]any{"name": "inh", "pre": "izh", "post": "izh", "i": iPre, "j": iPost, "delay_steps": iD, "w": iW},
		},
		"modulators": []any{map[string]any{"name": "da", "d_base": 0.002, "tau_d": 200, "releases": releases}},
	})
	compareSpikes(t, "izh", spk, ref.Spikes["izh"], 800)
	compareTrace(t, "w", mw, ref.State.Projections["exc"]["w"], 1e-5)
	compareTrace(t, "c", mc, ref.State.Projections["exc"]["c"], 1e-5)
	moved := 0
	for q := range recE {
		tr := mw.Trace(q)
		if tr[len(tr)-1] != float32(eW[recE[q]]) {
			moved++
		}
	}
	if moved < len(recE)/2 {
		t.Fatalf("only %d of %d recorded weights changed in 10 s: the comparison would not test plasticity", moved, len(recE))
	}
}

// One model file, two simulators: the file the Brian2 reference reads is
// parsed and built by ghlsim (ParseSimModel, BuildSimModel), and both give
// the same spikes and recorded weights — a modulated STDP projection from
// spike sources onto Izhikevich neurons with dopamine releases.
func TestBrian2ModelFile(t *testing.T) {
	brian2Python(t)
	const steps = 3000
	in := randomSpikes(21, 40, steps, 0.02)
	pre, post, d, w := randomEdges(22, 40, 20, 0.4, 15, func(r *rand.Rand, i int) float64 { return 2 + 3*r.Float64() })
	model := map[string]any{"dt": 1.0, "steps": steps, "seed": 3, "record_every": 10,
		"populations": []any{
			map[string]any{"name": "in", "model": "spikes", "n": 40, "spikes": in.pairs()},
			map[string]any{"name": "izh", "model": "izhikevich", "n": 20, "a": 0.02, "d": 8, "I_ext": thalamicTable(23, steps, 20, 10),
				"record": map[string]any{"vars": []string{"v"}, "indices": []int{0, 7}}},
		},
		"projections": []any{map[string]any{"name": "p", "pre": "in", "post": "izh", "i": pre, "j": post, "delay_steps": d, "w": w,
			"stdp": map[string]any{"tau_plus": 20, "tau_minus": 20, "A_plus": 0.1, "A_minus": -0.12, "nearest": false,
				"w_min": 0, "w_max": 8, "modulator": "da", "tau_c": 500, "eta": 2, "d_ref": 0, "update_every_steps": 5},
			"record": map[string]any{"vars": []string{"w", "c"}, "indices": []int{0, 3, 10, 20}}}},
		"modulators": []any{map[string]any{"name": "da", "d_base": 0.01, "tau_d": 100, "releases": [][]float64{{500, 1}, {1800, 0.7}}, "record": true}},
	}
	raw, err := json.Marshal(model)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseSimModel(raw)
	if err != nil {
		t.Fatal(err)
	}
	got, err := BuildSimModel(m, SimConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Sim.Run(m.Steps); err != nil {
		t.Fatal(err)
	}
	ref := runBrian2(t, model)
	compareSpikes(t, "izh", got.Spikes["izh"], ref.Spikes["izh"], 100)
	// v integrates inputs through plastic float32 weights (Brian2: float64),
	// so it inherits their round-off: 1e-5 as for w.
	compareTrace(t, "v", got.State["izh.v"], ref.State.Populations["izh"]["v"], 1e-5)
	compareTrace(t, "w", got.State["p.w"], ref.State.Projections["p"]["w"], 1e-5)
	compareTrace(t, "c", got.State["p.c"], ref.State.Projections["p"]["c"], 1e-5)
	compareTrace(t, "d", got.State["da.d"], ref.State.Modulators["da"]["d"], 1e-6)
}

func TestSimModelBadInput(t *testing.T) {
	for name, text := range map[string]string{
		"unknown field":       `{"dt": 1, "steps": 10, "populations": [{"name": "a", "model": "lif", "n": 2, "tau_mem": 10}]}`,
		"unknown model":       `{"dt": 1, "steps": 10, "populations": [{"name": "a", "model": "hodgkin", "n": 2}]}`,
		"negative tau":        `{"dt": 1, "steps": 10, "populations": [{"name": "a", "model": "lif", "n": 2, "tau_m": -10}]}`,
		"per-neuron mismatch": `{"dt": 1, "steps": 10, "populations": [{"name": "a", "model": "lif", "n": 2, "I_e": [1, 2, 3]}]}`,
		"no steps":            `{"dt": 1, "populations": []}`,
		"zero delay": `{"dt": 1, "steps": 10, "populations": [{"name": "a", "model": "spikes", "n": 1}, {"name": "b", "model": "lif", "n": 1}],
			"projections": [{"name": "p", "pre": "a", "post": "b", "i": [0], "j": [0], "delay_steps": [0], "w": [1]}]}`,
		"trailing":   `{"dt": 1, "steps": 10} {}`,
		"wrong type": `{"dt": "fast", "steps": 10}`,
	} {
		m, err := ParseSimModel([]byte(text))
		if err == nil {
			_, err = BuildSimModel(m, SimConfig{})
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
