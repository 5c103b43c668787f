package synapse

import (
	"math"
	"math/rand/v2"
	"testing"
)

// newTestProjection builds a projection with targets attached.
func newTestProjection(t *testing.T, nPre, nPost int, e Edges, dt float64, maxDelay int, st *STDPParams) *Projection {
	t.Helper()
	p, err := NewProjection("p", nPre, nPost, e, dt, maxDelay, st)
	if err != nil {
		t.Fatal(err)
	}
	p.Ex, p.In = make([]float64, nPost), make([]float64, nPost)
	return p
}

// Every spike reaches each of its synapses exactly once, exactly `delay`
// steps later, and nothing arrives early.
func TestDeliveryExactlyOnceAtDelay(t *testing.T) {
	e := Edges{Pre: []int32{0, 0, 0, 1}, Post: []int32{0, 1, 2, 0}, DelaySteps: []uint16{3, 1, 7, 7}, W: []float32{1, 10, 100, -1000}}
	p := newTestProjection(t, 2, 3, e, 0.1, 7, nil)
	type arrival struct{ step, post int }
	var got []arrival
	spikes := map[int64][]int32{0: {0}, 2: {0, 1}, 5: {1}}
	for k := int64(0); k < 20; k++ {
		p.Push(k, spikes[k])
		clear(p.Ex)
		clear(p.In)
		p.Deliver(k)
		for j := 0; j < 3; j++ {
			if p.Ex[j] != 0 {
				got = append(got, arrival{int(k), j})
			}
			if p.In[j] != 0 {
				got = append(got, arrival{int(k), -1 - j})
			}
		}
	}
	want := []arrival{{1, 1}, {3, 0}, {3, 1}, {5, 0}, {7, 2}, {9, -1}, {9, 2}, {12, -1}}
	if len(got) != len(want) {
		t.Fatalf("arrivals %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("arrivals %v, want %v", got, want)
		}
	}
	if p.Events != 3*2+1*2 {
		t.Fatalf("events %d, want 8", p.Events)
	}
}

// A hand-computed pairing: pre spike arrives at step 2, post spikes at step
// 5 and 12, a second pre arrival at step 7, all-to-all traces, modulated.
func TestSTDPHandComputed(t *testing.T) {
	dt := 1.0
	st := &STDPParams{TauPlusMS: 10, TauMinusMS: 20, APlus: 0.5, AMinus: -0.25, WMin: -10, WMax: 10,
		Modulated: true, TauCMS: 100, Eta: 1, UpdateEveryMS: 1}
	e := Edges{Pre: []int32{0}, Post: []int32{0}, DelaySteps: []uint16{2}, W: []float32{1}}
	p := newTestProjection(t, 1, 1, e, dt, 5, st)
	pre := map[int64][]int32{0: {0}, 5: {0}} // arrivals at 2 and 7
	post := map[int64][]int32{5: {0}, 12: {0}}
	cAt := map[int64]float64{}
	for k := int64(0); k < 15; k++ {
		p.Push(k, pre[k])
		p.PostSpikes(k, post[k])
		p.Deliver(k)
		cAt[k] = float64(p.ReadC(0, k))
	}
	ex := math.Exp
	// step 2: arrival, apost = 0: c = 0, apre = 0.5
	// step 5: post: c += 0.5·e^{−3/10}; apost = −0.25; the pre spike emitted
	// at 5 arrives at 7, after this post spike.
	c5 := 0.5 * ex(-3.0/10)
	// step 7: arrival: c = c5·e^{−2/100} + (−0.25·e^{−2/20}); apre = 0.5·e^{−5/10} + 0.5
	c7 := c5*ex(-2.0/100) - 0.25*ex(-2.0/20)
	apre7 := 0.5*ex(-5.0/10) + 0.5
	// step 12: post: c += apre7·e^{−5/10}
	c12 := c7*ex(-5.0/100) + apre7*ex(-5.0/10)
	for _, c := range []struct {
		k    int64
		want float64
	}{{2, 0}, {4, 0}, {5, c5}, {6, c5 * ex(-1.0/100)}, {7, c7}, {12, c12}, {14, c12 * ex(-2.0/100)}} {
		if d := math.Abs(cAt[c.k] - c.want); d > 1e-6 {
			t.Errorf("c at step %d = %.8f, want %.8f", c.k, cAt[c.k], c.want)
		}
	}
	if got := float64(p.ReadAPre(0, 12)); math.Abs(got-apre7*ex(-0.5)) > 1e-6 {
		t.Errorf("apre at 12 = %v, want %v", got, apre7*ex(-0.5))
	}
	if got := float64(p.ReadAPost(0, 14)); math.Abs(got-(-0.25*ex(-7.0/20)-0.25)*ex(-2.0/20)) > 1e-6 {
		t.Errorf("apost at 14 = %v", got)
	}
	// modulated update: w += η·(d − DRef)·c(k)
	p.ModulatedUpdate(14, 2)
	if want := 1 + 2*c12*ex(-2.0/100); math.Abs(float64(p.W[0])-want) > 1e-6 {
		t.Errorf("w after update = %v, want %v", p.W[0], want)
	}
}

// bruteForce is the tick-every-synapse reference: every synapse's traces
// and eligibility are multiplied by their one-step decay at every step, in
// float64, and events add to them; no laziness anywhere.
type bruteForce struct {
	st                STDPParams
	dt                float64
	pre, post         []int32
	delay             []int
	w, apre, apost, c []float64
	ex                []float64
	pending           map[int64][]int // step → synapses arriving
	ePlus, eMinus, eC float64
	updateEvery       int64
}

func newBruteForce(e Edges, nPost int, st STDPParams, dt float64) *bruteForce {
	n := e.Len()
	b := &bruteForce{st: st, dt: dt, pre: e.Pre, post: e.Post, delay: make([]int, n), w: make([]float64, n),
		apre: make([]float64, n), apost: make([]float64, n), c: make([]float64, n), ex: make([]float64, nPost),
		pending: map[int64][]int{}, ePlus: math.Exp(-dt / st.TauPlusMS), eMinus: math.Exp(-dt / st.TauMinusMS), eC: math.Exp(-dt / st.TauCMS)}
	for s := range n {
		b.delay[s], b.w[s] = int(e.DelaySteps[s]), float64(e.W[s])
	}
	b.updateEvery = int64(math.Round(st.UpdateEveryMS / dt))
	return b
}

func (b *bruteForce) step(k int64, preSpikes, postSpikes []int32, d float64) {
	// decay every synapse from k−1 to k
	if k > 0 {
		for s := range b.w {
			b.apre[s] *= b.ePlus
			b.apost[s] *= b.eMinus
			b.c[s] *= b.eC
		}
	}
	for _, i := range preSpikes {
		for s := range b.pre {
			if b.pre[s] == i {
				b.pending[k+int64(b.delay[s])] = append(b.pending[k+int64(b.delay[s])], s)
			}
		}
	}
	bump := func(x *float64, a float64) {
		if b.st.Nearest {
			*x = a
		} else {
			*x += a
		}
	}
	change := func(s int, v float64) {
		if b.st.Modulated {
			b.c[s] += v
		} else {
			b.w[s] = math.Min(math.Max(b.w[s]+v, b.st.WMin), b.st.WMax)
		}
	}
	for _, j := range postSpikes {
		for s := range b.post {
			if b.post[s] == j {
				bump(&b.apost[s], b.st.AMinus)
				change(s, b.apre[s])
			}
		}
	}
	for _, s := range b.pending[k] {
		b.ex[b.post[s]] += b.w[s]
		change(s, b.apost[s])
		bump(&b.apre[s], b.st.APlus)
	}
	delete(b.pending, k)
	if b.st.Modulated && k%b.updateEvery == 0 {
		for s := range b.w {
			b.w[s] = math.Min(math.Max(b.w[s]+b.st.Eta*(d-b.st.DRef)*b.c[s], b.st.WMin), b.st.WMax)
		}
	}
}

// The lazy exact-decay path equals the brute-force tick-every-synapse path
// (docs/SIMULATED_TIME.md) on random spike trains with heterogeneous delays,
// for all-to-all and nearest pairing, plain and dopamine-modulated STDP.
func TestLazyEqualsBruteForce(t *testing.T) {
	for _, tc := range []struct {
		name               string
		nearest, modulated bool
	}{{"all-to-all", false, false}, {"nearest", true, false}, {"modulated", false, true}, {"modulated-nearest", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, 11))
			const nPre, nPost, steps = 12, 9, 3000
			dt := 0.5
			st := STDPParams{TauPlusMS: 17, TauMinusMS: 34, APlus: 0.02, AMinus: -0.021, Nearest: tc.nearest, WMin: 0, WMax: 2,
				Modulated: tc.modulated, TauCMS: 400, Eta: 0.5, DRef: 0.1, UpdateEveryMS: 5}
			var e Edges
			for i := 0; i < nPre; i++ {
				for j := 0; j < nPost; j++ {
					if r.Float64() < 0.6 {
						e.Pre, e.Post = append(e.Pre, int32(i)), append(e.Post, int32(j))
						e.DelaySteps = append(e.DelaySteps, uint16(1+r.IntN(30)))
						e.W = append(e.W, float32(0.5+r.Float64()))
					}
				}
			}
			p := newTestProjection(t, nPre, nPost, e, dt, 30, &st)
			bf := newBruteForce(e, nPost, st, dt)
			var pre, post []int32
			for k := int64(0); k < steps; k++ {
				pre, post = pre[:0], post[:0]
				for i := 0; i < nPre; i++ {
					if r.Float64() < 0.03 {
						pre = append(pre, int32(i))
					}
				}
				for j := 0; j < nPost; j++ {
					if r.Float64() < 0.03 {
						post = append(post, int32(j))
					}
				}
				d := 0.1 + 0.5*math.Sin(float64(k)/50) // a modulator that goes both ways
				p.Push(k, pre)
				p.PostSpikes(k, post)
				p.Deliver(k)
				if tc.modulated && k%p.UpdateEvery() == 0 {
					p.ModulatedUpdate(k, d)
				}
				bf.step(k, pre, post, d)
			}
			k := int64(steps - 1)
			// map brute-force synapse s to CSR position: same (pre, post) pair
			for s := range bf.w {
				pos := p.Index(int(e.Pre[s]), int(e.Post[s]))
				check := func(what string, got float32, want float64) {
					t.Helper()
					if math.Abs(float64(got)-want) > 1e-5*(1+math.Abs(want)) {
						t.Fatalf("synapse %d→%d %s = %.9g lazy, %.9g brute force", e.Pre[s], e.Post[s], what, got, want)
					}
				}
				check("w", p.W[pos], bf.w[s])
				check("apre", p.ReadAPre(pos, k), bf.apre[s])
				check("apost", p.ReadAPost(pos, k), bf.apost[s])
				if tc.modulated {
					check("c", p.ReadC(pos, k), bf.c[s])
				}
			}
			for j := range bf.ex {
				if math.Abs(p.Ex[j]-bf.ex[j]) > 1e-6*(1+math.Abs(bf.ex[j])) {
					t.Fatalf("delivered input to %d: %v lazy, %v brute force", j, p.Ex[j], bf.ex[j])
				}
			}
		})
	}
}

func TestProjectionBadInput(t *testing.T) {
	good := Edges{Pre: []int32{0}, Post: []int32{0}, DelaySteps: []uint16{1}, W: []float32{1}}
	st := IzhikevichSTDP()
	for _, c := range []struct {
		name string
		e    Edges
		max  int
		st   *STDPParams
	}{
		{"zero delay", Edges{Pre: []int32{0}, Post: []int32{0}, DelaySteps: []uint16{0}, W: []float32{1}}, 5, nil},
		{"delay beyond max", Edges{Pre: []int32{0}, Post: []int32{0}, DelaySteps: []uint16{9}, W: []float32{1}}, 5, nil},
		{"post outside", Edges{Pre: []int32{0}, Post: []int32{3}, DelaySteps: []uint16{1}, W: []float32{1}}, 5, nil},
		{"NaN weight", Edges{Pre: []int32{0}, Post: []int32{0}, DelaySteps: []uint16{1}, W: []float32{float32(math.NaN())}}, 5, nil},
		{"ragged", Edges{Pre: []int32{0}, Post: []int32{0, 0}, DelaySteps: []uint16{1}, W: []float32{1}}, 5, nil},
		{"negative tau", good, 5, &STDPParams{TauPlusMS: -1, TauMinusMS: 20, WMax: 1}},
		{"NaN tau_c", good, 5, func() *STDPParams { s := st; s.TauCMS = math.NaN(); return &s }()},
		{"positive AMinus", good, 5, func() *STDPParams { s := st; s.AMinus = 0.1; return &s }()},
		{"update not a multiple of dt", good, 5, func() *STDPParams { s := st; s.UpdateEveryMS = 2.5; return &s }()},
	} {
		if _, err := NewProjection("p", 1, 1, c.e, 1, c.max, c.st); err == nil {
			t.Errorf("%s: no error", c.name)
		} else {
			t.Logf("%s: %v", c.name, err)
		}
	}
}

func TestConnectivityRules(t *testing.T) {
	pre, post := AllToAll(3, 3, false)
	for q := range pre {
		if pre[q] == post[q] {
			t.Fatalf("all-to-all without self made %d→%d", pre[q], post[q])
		}
	}
	if len(pre) != 6 {
		t.Fatalf("all-to-all without self: %d synapses, want 6", len(pre))
	}
	r := rand.New(rand.NewPCG(1, 2))
	pre, post, err := FixedOutDegree(50, 60, 10, false, r)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[2]int32]bool{}
	count := make([]int, 50)
	for q := range pre {
		if pre[q] == post[q] || seen[[2]int32{pre[q], post[q]}] || post[q] >= 60 {
			t.Fatalf("fixed out-degree drew %d→%d (self, duplicate or out of range)", pre[q], post[q])
		}
		seen[[2]int32{pre[q], post[q]}] = true
		count[pre[q]]++
	}
	for i, c := range count {
		if c != 10 {
			t.Fatalf("neuron %d has out-degree %d, want 10", i, c)
		}
	}
	pre, _, err = FixedProbability(100, 100, 0.2, true, rand.New(rand.NewPCG(3, 4)))
	if err != nil || len(pre) < 1800 || len(pre) > 2200 {
		t.Fatalf("fixed probability 0.2 over 10⁴ pairs gave %d synapses (err %v)", len(pre), err)
	}
	// convolution: a 1×4×4 input, 3×3 kernel, pad 1 → each output sees ≤ 9 inputs
	pre, post, widx, oh, ow, err := Convolutional(1, 4, 4, 2, 3, 1, 1)
	if err != nil || oh != 4 || ow != 4 {
		t.Fatalf("conv: %v %d×%d", err, oh, ow)
	}
	fan := map[int32]int{}
	for q := range post {
		fan[post[q]]++
		if widx[q] < 0 || widx[q] >= 2*9 {
			t.Fatalf("weight index %d out of range", widx[q])
		}
	}
	if fan[5] != 9 || fan[0] != 4 || len(pre) != 2*(4*4+8*6+4*9) {
		t.Fatalf("conv fan-in: centre %d (want 9), corner %d (want 4), total %d", fan[5], fan[0], len(pre))
	}
}
