package network

import (
	"math"
	"math/rand/v2"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/synapse"
)

// The spiking Oja-SWTA eligibility SpikingNet integrates over a
// presentation equals, for both conv layers and both competitions, the
// brute-force float64 sum of the paper's formula over the steps,
//
//	x̄_t = α·x̄_{t−1} + x_t,   E = Σ_t γ^{T−1−t} · H(x̄_t, I_t, W),
//
// with H = synapse.ReferenceOjaSWTA (y = softmax(t_inv·I_t)) or
// synapse.ReferenceOjaGiven (y = the layer's spikes s_t, lateral
// inhibition), read from the network's own per-step inputs, drives and
// spikes; and that lateral inhibition changes the spikes (the competition
// acts).
func TestSpikingEligibilityReference(t *testing.T) {
	spikes := map[string]float64{}
	for _, comp := range []string{"softmax", "lateral"} {
		t.Run(comp, func(t *testing.T) {
			b := cpu.New(1)
			p := SpikingParams{C: 1, H: 8, W: 8, Classes: 3, Channels: [2]int{4, 5}, TInv: [2]float32{1, 0.65}, Steps: 6, DTMS: 1,
				TauMMS: 10, Theta: 0.5, Width: 0.5, Encoding: "rate", MaxRate: 0.8, TauPreMS: 5, TauEMS: 20,
				Competition: comp, Inhibition: 0.4}
			const batch = 3
			n, err := NewSpikingNet(b, p, batch, 11, "ghl", "grad-sign")
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(3, 4))
			img := randomImages(r, batch*64)
			randomConvWeights(n, r, 0.5) // weights large enough for both layers to spike
			if err := n.encode(img, 0); err != nil {
				t.Fatal(err)
			}
			n.forward(true)
			alpha, gamma := math.Exp(-p.DTMS/p.TauPreMS), math.Exp(-p.DTMS/p.TauEMS)
			for l := 0; l < 2; l++ {
				g := n.Groups[l]
				w := ref(b, g.Weight.Value)
				var trace, e synapse.ReferenceTensor
				for tt := 0; tt < p.Steps; tt++ {
					x := ref(b, n.in[l][tt])
					if tt == 0 {
						trace, e = synapse.NewReferenceTensor(x.Shape), synapse.NewReferenceTensor(w.Shape)
					}
					for i, v := range x.Data {
						trace.Data[i] = alpha*trace.Data[i] + v
					}
					u, s := ref(b, n.cur[l][tt]), ref(b, n.lif[l].s[tt])
					for _, v := range s.Data {
						spikes[comp] += v
					}
					var h synapse.ReferenceTensor
					if comp == "lateral" {
						h = synapse.ReferenceOjaGiven(trace, s, u, w, n.conv[l])
					} else {
						h = synapse.ReferenceOjaSWTA(trace, u, w, g.OjaParams())
					}
					for i, v := range h.Data {
						e.Data[i] = gamma*e.Data[i] + v
					}
				}
				got := ref(b, g.H)
				scale := 0.0
				for _, v := range e.Data {
					scale = math.Max(scale, math.Abs(v))
				}
				if scale == 0 {
					t.Fatalf("conv%d: the reference eligibility is zero; the check would prove nothing", l+1)
				}
				worst := 0.0
				for i, v := range e.Data {
					worst = math.Max(worst, math.Abs(got.Data[i]-v)/scale)
				}
				if worst > 1e-5 {
					t.Fatalf("conv%d: eligibility differs from the float64 sum by %.3g of max|E|", l+1, worst)
				}
				if math.Abs(float64(g.HMax)-scale) > 1e-5*scale {
					t.Fatalf("conv%d: max|E| %g, reference %g", l+1, g.HMax, scale)
				}
				t.Logf("conv%d: E within %.2g of max|E| = %.4g", l+1, worst, scale)
			}
		})
	}
	if spikes["lateral"] >= spikes["softmax"] || spikes["lateral"] == 0 {
		t.Fatalf("spikes with lateral inhibition %v, without %v: the inhibition should remove some and leave some", spikes["lateral"], spikes["softmax"])
	}
}

// ref downloads a tensor as a float64 reference tensor.
func ref(b backends.Backend, t backends.Tensor) synapse.ReferenceTensor {
	return synapse.ReferenceTensor{Shape: t.Shape(), Data: download64(b, t)}
}

// A lateral competition without a positive inhibition, or an unknown
// competition, is refused with the fix in the message.
func TestSpikingCompetitionValidate(t *testing.T) {
	p := DefaultSpiking()
	p.Competition = "lateral"
	if err := p.Validate(); err == nil {
		t.Fatal("lateral competition without inhibition accepted")
	}
	p.Inhibition = DefaultInhibition
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	p.Competition = "wta"
	if err := p.Validate(); err == nil {
		t.Fatal("unknown competition accepted")
	}
}
