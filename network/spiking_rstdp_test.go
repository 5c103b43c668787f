package network

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"ghlsim/backends/cpu"
)

// rstdpReference is the rstdp eligibility of one conv layer (5×5, pad 2)
// computed in float64 by brute force from the presentation's stored
// presynaptic and postsynaptic spikes: Σ_t Σ_b r_b (s_t ⊗ x̄_t − dep·ȳ_{t−1} ⊗ x_t).
func rstdpReference(pre, post [][]float64, r []float64, batch, c, k, h, w int, alpha, dep float64) []float64 {
	e := make([]float64, k*c*25)
	xt := make([]float64, batch*c*h*w)
	yt := make([]float64, batch*k*h*w)
	for t := range pre {
		for i := range xt {
			xt[i] = alpha*xt[i] + pre[t][i]
		}
		for b := 0; b < batch; b++ {
			for o := 0; o < k; o++ {
				for y := 0; y < h; y++ {
					for x := 0; x < w; x++ {
						s := post[t][((b*k+o)*h+y)*w+x]
						yPrev := yt[((b*k+o)*h+y)*w+x]
						for ci := 0; ci < c; ci++ {
							for ky := 0; ky < 5; ky++ {
								for kx := 0; kx < 5; kx++ {
									iy, ix := y+ky-2, x+kx-2
									if iy < 0 || iy >= h || ix < 0 || ix >= w {
										continue
									}
									in := ((b*c+ci)*h+iy)*w + ix
									e[((o*c+ci)*5+ky)*5+kx] += r[b] * (s*xt[in] - dep*yPrev*pre[t][in])
								}
							}
						}
					}
				}
			}
		}
		for i := range yt {
			yt[i] = alpha*yt[i] + post[t][i]
		}
	}
	return e
}

// The rstdp eligibility SpikingNet computes with Backend ops equals the
// brute-force float64 reference for both conv layers, with the rewards
// taken from the readout's argmax; the conv weights then move by
// η·E/max|E| (hebb's update).
func TestSpikingRSTDPEligibility(t *testing.T) {
	b := cpu.New(1)
	p := SpikingParams{C: 1, H: 8, W: 8, Classes: 3, Channels: [2]int{2, 3}, TInv: [2]float32{1, 1}, Steps: 5, DTMS: 1,
		TauMMS: 5, Theta: 0.3, Width: 0.5, Encoding: "rate", MaxRate: 0.9, TauPreMS: 4, TauEMS: 50, STDPDepression: 0.75}
	const batch = 3
	n, err := NewSpikingNet(b, p, batch, 11, "rstdp", "grad-sign")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	img := randomImages(r, batch*64)
	randomConvWeights(n, r, 0.6)
	labels := []int32{0, 1, 2}
	w0 := [2][]float64{download64(b, n.Groups[0].Weight.Value), download64(b, n.Groups[1].Weight.Value)}
	const lr = 0.01
	if _, err := n.TrainStep(img, labels, Hyper{HiddenLR: lr, ReadoutLR: 0.01}); err != nil {
		t.Fatal(err)
	}
	logits := download64(b, n.logits)
	rew := make([]float64, batch)
	hit := make([]bool, batch)
	rewarded := 0
	for i := range rew {
		best := 0
		for k := 1; k < p.Classes; k++ {
			if logits[i*p.Classes+k] > logits[i*p.Classes+best] {
				best = k
			}
		}
		hit[i] = int32(best) == labels[i]
		if hit[i] {
			rewarded++
		}
	}
	for i := range rew { // rewards weigh the share of misses, punishments that of hits
		rew[i] = -float64(rewarded) / batch
		if hit[i] {
			rew[i] = float64(batch-rewarded) / batch
		}
	}
	t.Logf("%d of %d samples rewarded", rewarded, batch)
	ch := []int{1, 2, 3}
	hw := []int{8, 4}
	alpha := math.Exp(-p.DTMS / p.TauPreMS)
	for l := 0; l < 2; l++ {
		var pre, post [][]float64
		spikes := 0.0
		for s := 0; s < p.Steps; s++ {
			pre = append(pre, download64(b, n.in[l][s]))
			post = append(post, download64(b, n.lif[l].s[s]))
			for _, v := range post[s] {
				spikes += v
			}
		}
		if spikes == 0 {
			t.Fatalf("conv%d fired no spike: the check would prove nothing", l+1)
		}
		want := rstdpReference(pre, post, rew, batch, ch[l], ch[l+1], hw[l], hw[l], alpha, p.STDPDepression)
		got := download64(b, n.Groups[l].H)
		var m float64
		for _, v := range want {
			m = math.Max(m, math.Abs(v))
		}
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-5*(1+m) {
				t.Fatalf("conv%d eligibility %d: %v, brute force %v", l+1, i, got[i], want[i])
			}
		}
		w1 := download64(b, n.Groups[l].Weight.Value)
		for i := range w1 {
			if d := w1[i] - (w0[l][i] + lr*want[i]/m); math.Abs(d) > 1e-6 {
				t.Fatalf("conv%d weight %d moved to %v, want %v (η·E/max|E|)", l+1, i, w1[i], w0[l][i]+lr*want[i]/m)
			}
		}
		t.Logf("conv%d: %.0f postsynaptic spikes, max|E| %.4g", l+1, spikes, m)
	}
}

// rstdp needs spike timing: a batched network refuses it at Build.
func TestRSTDPRefusedOnBatchedNetwork(t *testing.T) {
	n := New(cpu.New(1), 2, 1)
	h := n.Conv(n.Input(1, 8, 8), ConvSpec{Name: "conv1", Out: 4, Kernel: 3, Pad: 1, TInv: 1})
	n.Dense(n.Flatten(h, "flatten"), DenseSpec{Name: "fc", Out: 3, Bias: true, Role: Readout})
	err := n.Build(Rules{Hidden: "rstdp"})
	if err == nil || !strings.Contains(err.Error(), "spiking networks only") {
		t.Fatalf("Build with rstdp: %v", err)
	}
}
