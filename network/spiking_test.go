package network

import (
	"math"
	"math/rand/v2"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
)

// spikingRef is a float64 re-implementation of SpikingNet's forward pass
// (conv 5×5 pad 2 → LIF → avg-pool 2, twice → readout of the mean), the
// reference for finite differences.
type spikingRef struct {
	p      SpikingParams
	batch  int
	x      [][]float64 // per step [B, C, H, W]
	w      [2][]float64
	wr, br []float64
	labels []int32
	beta   float64
	ch     [3]int
	hw     [3][2]int
}

func (r *spikingRef) conv(in []float64, c, h, w int, wt []float64, k int) []float64 {
	out := make([]float64, r.batch*k*h*w)
	for b := 0; b < r.batch; b++ {
		for o := 0; o < k; o++ {
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					var s float64
					for ci := 0; ci < c; ci++ {
						for ky := 0; ky < 5; ky++ {
							for kx := 0; kx < 5; kx++ {
								iy, ix := y+ky-2, x+kx-2
								if iy < 0 || iy >= h || ix < 0 || ix >= w {
									continue
								}
								s += in[((b*c+ci)*h+iy)*w+ix] * wt[((o*c+ci)*5+ky)*5+kx]
							}
						}
					}
					out[((b*k+o)*h+y)*w+x] = s
				}
			}
		}
	}
	return out
}

func (r *spikingRef) loss() float64 {
	p := r.p
	in := r.x
	for l := 0; l < 2; l++ {
		c, k := r.ch[l], r.ch[l+1]
		h, w := r.hw[l][0], r.hw[l][1]
		rs := make([]float64, r.batch*k*h*w)
		prev := make([]float64, len(rs)) // s_{t−1}
		var next [][]float64
		for t := 0; t < p.Steps; t++ {
			cur := r.conv(in[t], c, h, w, r.w[l], k)
			s := make([]float64, len(cur))
			for i := range cur {
				v := cur[i]
				if t > 0 {
					v += r.beta * rs[i]
				}
				if p.Competition == "lateral" { // −κ per spike of the other channels at this position
					bi, q := i/(k*h*w), i%(h*w)
					for j := 0; j < k; j++ {
						if o := (bi*k+j)*h*w + q; o != i {
							v -= float64(p.Inhibition) * prev[o]
						}
					}
				}
				x := v - float64(p.Theta)
				s[i] = math.Min(math.Max(x/(2*float64(p.Width))+0.5, 0), 1)
				rs[i] = v - float64(p.Theta)*s[i]
			}
			ph, pw := h/2, w/2
			pooled := make([]float64, r.batch*k*ph*pw)
			for bk := 0; bk < r.batch*k; bk++ {
				for y := 0; y < ph; y++ {
					for x := 0; x < pw; x++ {
						pooled[(bk*ph+y)*pw+x] = (s[(bk*h+2*y)*w+2*x] + s[(bk*h+2*y)*w+2*x+1] + s[(bk*h+2*y+1)*w+2*x] + s[(bk*h+2*y+1)*w+2*x+1]) / 4
					}
				}
			}
			next = append(next, pooled)
			prev = s
		}
		in = next
	}
	feat := len(in[0]) / r.batch
	var total float64
	for b := 0; b < r.batch; b++ {
		logits := make([]float64, p.Classes)
		for o := range logits {
			z := r.br[o]
			for f := 0; f < feat; f++ {
				var m float64
				for t := 0; t < p.Steps; t++ {
					m += in[t][b*feat+f]
				}
				z += r.wr[o*feat+f] * m / float64(p.Steps)
			}
			logits[o] = z
		}
		mx := logits[0]
		for _, z := range logits {
			mx = math.Max(mx, z)
		}
		var se float64
		for _, z := range logits {
			se += math.Exp(z - mx)
		}
		total += math.Log(se) + mx - logits[r.labels[b]]
	}
	return total / float64(r.batch)
}

// randomImages returns n pixel intensities drawn uniformly from [0, 1).
func randomImages(r *rand.Rand, n int) []float32 {
	img := make([]float32, n)
	for i := range img {
		img[i] = float32(r.Float64())
	}
	return img
}

// randomConvWeights sets both conv layers' weights to normal draws of the
// given standard deviation (larger than the init, so the LIF layers spike).
func randomConvWeights(n *SpikingNet, r *rand.Rand, std float64) {
	for l := 0; l < 2; l++ {
		w := make([]float32, n.Groups[l].Weight.Value.Shape().Len())
		for i := range w {
			w[i] = float32(r.NormFloat64() * std)
		}
		n.B.Upload(n.Groups[l].Weight.Value, w)
	}
}

func download64(b backends.Backend, t backends.Tensor) []float64 {
	h := make([]float32, t.Shape().Len())
	b.Download(h, t)
	out := make([]float64, len(h))
	for i, v := range h {
		out[i] = float64(v)
	}
	return out
}

// BPTT through the LIF layers (with the ramp whose derivative is the
// surrogate, so the gradient is exact) matches central finite differences
// of a float64 re-implementation of the forward pass, for both conv layers,
// with and without lateral inhibition between a layer's channels.
func TestSpikingBPTTFiniteDifferences(t *testing.T) {
	for _, comp := range []string{"softmax", "lateral"} {
		t.Run(comp, func(t *testing.T) { testSpikingBPTT(t, comp) })
	}
}

func testSpikingBPTT(t *testing.T, competition string) {
	b := cpu.New(1)
	p := SpikingParams{C: 1, H: 8, W: 8, Classes: 3, Channels: [2]int{2, 3}, TInv: [2]float32{1, 1}, Steps: 4, DTMS: 1,
		TauMMS: 5, Theta: 0.5, Width: 1, Smooth: true, Encoding: "rate", MaxRate: 0.9, TauPreMS: 5, TauEMS: 50,
		Competition: competition, Inhibition: 0.3}
	const batch = 2
	n, err := NewSpikingNet(b, p, batch, 7, "bp", "grad-sign")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	img := randomImages(r, batch*64)
	labels := []int32{0, 2}
	// larger weights so the LIF layers sit in their sensitive range
	randomConvWeights(n, r, 0.6)
	if err := n.encode(img, 0); err != nil {
		t.Fatal(err)
	}
	n.forward(false)
	loss, _ := b.SoftmaxCrossEntropy(n.dLogits, n.logits, labels)
	n.backward()
	ref := &spikingRef{p: p, batch: batch, labels: labels, beta: math.Exp(-p.DTMS / p.TauMMS),
		ch: [3]int{1, 2, 3}, hw: [3][2]int{{8, 8}, {4, 4}, {2, 2}}}
	for _, x := range n.x {
		ref.x = append(ref.x, download64(b, x))
	}
	for l := 0; l < 2; l++ {
		ref.w[l] = download64(b, n.Groups[l].Weight.Value)
	}
	ref.wr, ref.br = download64(b, n.Groups[2].Weight.Value), download64(b, n.Groups[2].Bias.Value)
	if d := math.Abs(ref.loss() - loss); d > 1e-5 {
		t.Fatalf("forward: float64 reference loss %.8f, network %.8f", ref.loss(), loss)
	}
	const eps = 1e-5
	checked, worst, live := 0, 0.0, 0
	for l := 0; l < 2; l++ {
		grad := download64(b, n.Groups[l].Weight.Grad)
		for i := range ref.w[l] {
			w0 := ref.w[l][i]
			ref.w[l][i] = w0 + eps
			lp := ref.loss()
			ref.w[l][i] = w0 - eps
			lm := ref.loss()
			ref.w[l][i] = w0
			fd := (lp - lm) / (2 * eps)
			d := math.Abs(fd - grad[i])
			if d > 2e-4+2e-3*math.Abs(fd) {
				t.Fatalf("conv%d weight %d: BPTT %.6g, finite differences %.6g", l+1, i, grad[i], fd)
			}
			worst = math.Max(worst, d)
			checked++
			if math.Abs(fd) > 1e-3 {
				live++
			}
		}
	}
	if live < checked/2 {
		t.Fatalf("only %d of %d weights have a gradient above 1e-3: the check would prove little", live, checked)
	}
	t.Logf("%d weights (%d with |∂L/∂w| > 1e-3): BPTT within %.2g of float64 finite differences", checked, live, worst)
}

// The third factor can arrive late: with a latency of one presentation, the
// first presentation's conv weights do not move (no modulator has arrived;
// no weight decay), and the second applies the first presentation's sign.
// A latency that is not a whole number of presentations is refused.
func TestSpikingModulatorLatency(t *testing.T) {
	b := cpu.New(1)
	p := SpikingParams{C: 1, H: 8, W: 8, Classes: 3, Channels: [2]int{2, 3}, TInv: [2]float32{1, 1}, Steps: 5, DTMS: 2,
		TauMMS: 5, Theta: 0.5, Width: 1, Encoding: "rate", MaxRate: 0.9, TauPreMS: 5, TauEMS: 50, LatencyMS: 10}
	n, err := NewSpikingNet(b, p, 2, 3, "sign", "grad-sign")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	img := randomImages(r, 2*64)
	h := Hyper{HiddenLR: 0.1, ReadoutLR: 0.1}
	w0 := download64(b, n.Groups[0].Weight.Value)
	if _, err := n.TrainStep(img, []int32{0, 1}, h); err != nil {
		t.Fatal(err)
	}
	g0 := download64(b, n.Groups[0].Weight.Grad)
	w1 := download64(b, n.Groups[0].Weight.Value)
	for i := range w0 {
		if w1[i] != w0[i] {
			t.Fatalf("conv1 weight %d moved before the modulator arrived", i)
		}
	}
	if _, err := n.TrainStep(img, []int32{0, 1}, h); err != nil {
		t.Fatal(err)
	}
	w2 := download64(b, n.Groups[0].Weight.Value)
	moved := 0
	for i := range w0 {
		s := 0.0
		if g0[i] > 0 {
			s = 1
		} else if g0[i] < 0 {
			s = -1
		}
		if want := w1[i] - 0.1*s; math.Abs(w2[i]-want) > 1e-6 {
			t.Fatalf("conv1 weight %d: %v after the delayed sign, want %v (the first presentation's sign)", i, w2[i], want)
		}
		if s != 0 {
			moved++
		}
	}
	if moved == 0 {
		t.Fatal("no weight had a gradient")
	}
	p.LatencyMS = 15
	if _, err := NewSpikingNet(b, p, 2, 3, "sign", "grad-sign"); err == nil {
		t.Fatal("a latency of 1.5 presentations was accepted")
	}
}
