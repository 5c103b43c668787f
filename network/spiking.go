package network

import (
	"fmt"
	"math"

	"ghlsim/backends"
	"ghlsim/internal/rng"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// SpikingParams configures SpikingNet, a spiking convolutional network whose
// learning lives in time (GHL in time): conv → LIF → avg-pool 2 → conv → LIF →
// avg-pool 2 → a linear readout of the mean pooled spike count.
type SpikingParams struct {
	// C, H, W is the input image shape; Classes the number of classes.
	C, H, W, Classes int
	// Channels are the two conv layers' widths (5×5 kernels, padding 2).
	Channels [2]int
	// Competition is how a conv layer's neurons compete for the Oja term
	// (the y of ALGORITHM.md §1): "softmax" (or "") — y = softmax(TInv·u)
	// over the channels at every position, as in the batched rule — or
	// "lateral" — y is the neuron's own spike, and the competition is
	// lateral inhibition: each spike lowers, at the next step, the current
	// of the other channels' neurons at its position by Inhibition (in
	// units of the current, so relative to Theta). Under "lateral" the
	// inhibition is part of the network, so BPTT runs through it too.
	Competition string
	// Inhibition is κ of the lateral competition (ignored under softmax).
	Inhibition float32
	// TInv are the conv layers' soft-WTA inverse temperatures (ALGORITHM.md
	// §1; the softmax competition only).
	TInv [2]float32
	// Steps is the presentation length T in steps of DTMS ms (1…64).
	Steps int
	DTMS  float64
	// TauMMS is the membrane time constant (ms): β = e^{−dt/τ_m}.
	TauMMS float64
	// Theta is the firing threshold; Width the surrogate's half-width w.
	Theta, Width float32
	// Smooth replaces the spike by the ramp whose derivative is the
	// surrogate (for gradient checks; see lifLayer).
	Smooth bool
	// Encoding is "rate" (pixel intensity x spikes with probability
	// x·MaxRate per step) or "ttfs" (one spike at step round((1−x)(T−1))).
	Encoding string
	MaxRate  float64
	// TauPreMS is the presynaptic trace the eligibility reads (ms); TauEMS
	// the eligibility's time constant (ms, +Inf: no decay within a
	// presentation).
	TauPreMS, TauEMS float64
	// LatencyMS delays the third factor: the modulator computed at the end
	// of a presentation reaches the synapses LatencyMS later (a multiple of
	// the presentation length Steps·DTMS), where it meets the eligibility
	// as it is then. 0 = at the end of the same presentation.
	LatencyMS float64
	// KeepEligibility carries the eligibility across presentations (it
	// decays with τ_e through every step) instead of resetting it when the
	// modulator arrives, so a late modulator acts on accumulated history.
	KeepEligibility bool
	// STDPDepression is A₋/A₊ of the rstdp rule: the weight of the
	// post-before-pre (depressing) term against the pre-before-post one
	// (Mozafari et al. 2019 use a₋/a₊ = 0.003/0.004 = 0.75). The traces of
	// both use τ_pre.
	STDPDepression float64
}

// DefaultSpiking is a small MNIST-sized network: 16 and 32 channels, T = 16
// steps of 1 ms, τ_m 10 ms, θ 1, w 0.5, rate coding at up to 0.8 spikes per
// step, presynaptic trace τ 5 ms, eligibility τ_e 100 ms, R-STDP depression 0.75.
func DefaultSpiking() SpikingParams {
	return SpikingParams{C: 1, H: 28, W: 28, Classes: 10, Channels: [2]int{16, 32}, TInv: [2]float32{1, 0.65},
		Steps: 16, DTMS: 1, TauMMS: 10, Theta: 1, Width: 0.5, Encoding: "rate", MaxRate: 0.8, TauPreMS: 5, TauEMS: 100,
		STDPDepression: 0.75}
}

// DefaultInhibition is the lateral inhibition κ SpikingNet's "lateral"
// competition starts from: a spike takes a tenth of a threshold from each
// rival at its position. Measured on 8 000 MNIST images (spiking-mnist's
// network, T = 8, 1 epoch, seed 1): κ 0.02 / 0.1 / 0.25 / 0.5 / 1 → 90.5 /
// 90.3 / 87.8 / 87.3 / 77.8 % test accuracy (softmax competition: 91.5 %);
// stronger inhibition silences the spikes the next layer learns from.
const DefaultInhibition = 0.1

// lateral reports whether the conv layers compete by lateral inhibition.
func (p SpikingParams) lateral() bool { return p.Competition == "lateral" }

// Validate reports the first bad parameter.
func (p SpikingParams) Validate() error {
	switch {
	case p.C < 1 || p.H < 4 || p.W < 4 || p.H%4 != 0 || p.W%4 != 0 || p.Classes < 2:
		return fmt.Errorf("network: spiking input %d×%d×%d with %d classes: need ≥ 1 channel, sides divisible by 4, ≥ 2 classes", p.C, p.H, p.W, p.Classes)
	case p.Channels[0] < 1 || p.Channels[1] < 1:
		return fmt.Errorf("network: spiking conv widths %v must be positive", p.Channels)
	case p.Steps < 1 || p.Steps > 64:
		return fmt.Errorf("network: spiking presentation of %d steps: use 1 to 64", p.Steps)
	case !(p.DTMS > 0) || !(p.TauMMS > 0) || !(p.TauPreMS > 0) || !(p.TauEMS > 0) || math.IsInf(p.TauMMS, 0):
		return fmt.Errorf("network: spiking time constants dt %v, τ_m %v, τ_pre %v, τ_e %v ms must be positive", p.DTMS, p.TauMMS, p.TauPreMS, p.TauEMS)
	case !(p.Theta > 0) || !(p.Width > 0):
		return fmt.Errorf("network: spiking threshold %v and surrogate width %v must be positive", p.Theta, p.Width)
	case p.Encoding != "rate" && p.Encoding != "ttfs":
		return fmt.Errorf("network: spiking encoding %q: use rate or ttfs", p.Encoding)
	case p.Encoding == "rate" && !(p.MaxRate > 0 && p.MaxRate <= 1):
		return fmt.Errorf("network: spiking MaxRate %v must be in (0, 1] spikes per step", p.MaxRate)
	case math.IsNaN(p.LatencyMS) || p.LatencyMS < 0 || math.IsInf(p.LatencyMS, 0):
		return fmt.Errorf("network: spiking LatencyMS %v must be finite and ≥ 0", p.LatencyMS)
	case p.Competition != "" && p.Competition != "softmax" && p.Competition != "lateral":
		return fmt.Errorf("network: spiking competition %q: use softmax (y = softmax(t_inv·u), the batched rule's) or lateral (y = spikes under lateral inhibition of strength Inhibition)", p.Competition)
	case p.Competition == "lateral" && !(p.Inhibition > 0 && p.Inhibition < 1e6):
		return fmt.Errorf("network: spiking lateral inhibition %v must be positive and finite (the current each spike takes from the other channels' neurons at its position; %v is a good start)", p.Inhibition, DefaultInhibition)
	case !(p.STDPDepression >= 0) || math.IsInf(p.STDPDepression, 0):
		return fmt.Errorf("network: spiking STDPDepression %v must be finite and ≥ 0 (A₋/A₊ of rstdp; 0.75 in Mozafari et al. 2019)", p.STDPDepression)
	}
	return nil
}

// SpikingNet is the spiking network on a backend, with one synapse group per
// projection (conv1, conv2, readout), the neuromodulator channel of the
// batched networks, and per-step activity kept for BPTT.
type SpikingNet struct {
	P      SpikingParams
	B      backends.Backend
	Batch  int
	Seed   uint64
	Groups []*synapse.Group // conv1, conv2, readout
	// Channel broadcasts the third factor to conv1 and conv2.
	Channel *neuromod.Channel

	step     int
	conv     [2]backends.ConvParams
	pool     backends.PoolParams
	x        []backends.Tensor // input spikes per step [B, C, H, W]
	in       [2][]backends.Tensor
	cur      [2][]backends.Tensor // I_t per layer (then δI_t)
	lif      [2]*lifLayer
	pooled   [2][]backends.Tensor
	trace    [2]backends.Tensor // presynaptic trace for the eligibility
	elig     [2]backends.Tensor
	h        [2]backends.Tensor
	dPooled  [2]backends.Tensor
	dIn      backends.Tensor
	gtmp     [2]backends.Tensor
	btmp     [2]backends.Tensor
	postGrad [2]backends.Tensor
	mean     backends.Tensor // mean pooled readout input [B, F]
	meanFlat backends.Tensor
	logits   backends.Tensor
	dLogits  backends.Tensor
	dMean    backends.Tensor
	// dMeanPooled is dMean viewed as [B, C, H, W] of the last pool
	dMeanPooled backends.Tensor
	host        []float32
	hostLog     []float32
	encKey      uint64
	modIns      func(i int) neuromod.Inputs
	// rstdp scratch (nil unless the conv rule is rstdp): postsynaptic
	// traces, per-sample rewards broadcast over a layer, reward × spikes
	postTr, reward, rs [2]backends.Tensor
	hostReward         [2][]float32
	hits               []bool
	// last and lastLabels are the presentation's loss and labels while its
	// modulator is broadcast (neuromod.Inputs)
	last       StepStats
	lastLabels []int32
	// convGrad: the conv rule reads ∂L/∂W (or a modulator made from it),
	// so the backward pass goes through the LIF layers
	convGrad bool
}

// NewSpikingNet builds the network for batches of the given size. rule is
// the conv layers' rule (ghl, sign, hebb or bp); modulator the source spec
// of the third factor (grad-sign, flip:0.1, …@neuron, …). The readout learns
// by backprop.
func NewSpikingNet(b backends.Backend, p SpikingParams, batch int, seed uint64, rule, modulator string) (*SpikingNet, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if batch < 1 {
		return nil, fmt.Errorf("network: batch %d must be positive", batch)
	}
	n := &SpikingNet{P: p, B: b, Batch: batch, Seed: seed, Channel: neuromod.NewChannel(), encKey: rng.Key(seed, "spiking/encode")}
	n.conv = [2]backends.ConvParams{{Stride: 1, Pad: 2}, {Stride: 1, Pad: 2}}
	n.pool = backends.PoolParams{Kernel: 2, Stride: 2}
	ch := []int{p.C, p.Channels[0], p.Channels[1]}
	hw := [][2]int{{p.H, p.W}, {p.H / 2, p.W / 2}, {p.H / 4, p.W / 4}}
	beta := float32(math.Exp(-p.DTMS / p.TauMMS))
	for l := 0; l < 2; l++ {
		g, err := synapse.NewGroup(b, synapse.Spec{Name: fmt.Sprintf("conv%d", l+1), Kind: synapse.Conv, In: ch[l], Out: ch[l+1],
			Kernel: 5, Conv: n.conv[l], TInv: p.TInv[l]})
		if err != nil {
			return nil, err
		}
		if g.Rule, err = synapse.NewRule(rule); err != nil {
			return nil, err
		}
		g.EnsurePlasticState(b)
		init := make([]float32, g.Weight.Value.Shape().Len())
		rng.Normal(rng.Stream(seed, "init/"+g.Name), init, rng.KaimingStd(g.FanIn()))
		b.Upload(g.Weight.Value, init)
		n.Groups = append(n.Groups, g)
		out := backends.Shape{batch, ch[l+1], hw[l][0], hw[l][1]}
		inShape := backends.Shape{batch, ch[l], hw[l][0], hw[l][1]}
		n.lif[l] = newLIFLayer(b, out, p.Steps, beta, p.Theta, p.Width, p.Smooth)
		if p.lateral() {
			n.lif[l].inhibit(p.Inhibition)
		}
		for t := 0; t < p.Steps; t++ {
			n.cur[l] = append(n.cur[l], b.Alloc(out))
			n.pooled[l] = append(n.pooled[l], b.Alloc(backends.Shape{batch, ch[l+1], hw[l+1][0], hw[l+1][1]}))
		}
		n.trace[l] = b.Alloc(inShape)
		n.elig[l] = b.Alloc(g.Weight.Value.Shape())
		n.h[l] = g.H
		n.dPooled[l] = b.Alloc(backends.Shape{batch, ch[l+1], hw[l+1][0], hw[l+1][1]})
		n.gtmp[l] = b.Alloc(g.Weight.Value.Shape())
		n.btmp[l] = b.Alloc(backends.Shape{ch[l+1]})
		n.postGrad[l] = b.Alloc(backends.Shape{ch[l+1]})
		need := g.Rule.Needs()
		n.convGrad = n.convGrad || need.Gradient || need.Modulator
		if need.RewardSTDP {
			n.postTr[l], n.reward[l], n.rs[l] = b.Alloc(out), b.Alloc(out), b.Alloc(out)
			n.hostReward[l] = make([]float32, out.Len())
			n.hits = make([]bool, 0, batch)
		}
		if !need.Modulator {
			continue
		}
		spec := modulator
		if p.LatencyMS > 0 {
			spec = fmt.Sprintf("delay:%gms+%s", p.LatencyMS, modulator)
		}
		spec, err = neuromod.InSteps(spec, float64(p.Steps)*p.DTMS)
		if err != nil {
			return nil, fmt.Errorf("network: modulator latency: %w", err)
		}
		src, err := neuromod.New(b, spec, g.Weight.Value.Shape())
		if err != nil {
			return nil, fmt.Errorf("modulator: %w", err)
		}
		n.Channel.Subscribe(g.Name, g, src)
	}
	for t := 0; t < p.Steps; t++ {
		n.x = append(n.x, b.Alloc(backends.Shape{batch, p.C, p.H, p.W}))
	}
	n.in[0], n.in[1] = n.x, n.pooled[0]
	n.dIn = b.Alloc(backends.Shape{batch, ch[1], hw[1][0], hw[1][1]})
	feat := ch[2] * hw[2][0] * hw[2][1]
	ro, err := synapse.NewGroup(b, synapse.Spec{Name: "readout", Kind: synapse.Dense, In: feat, Out: p.Classes, Bias: true})
	if err != nil {
		return nil, err
	}
	ro.Rule, _ = synapse.NewRule("bp")
	a := 1 / math.Sqrt(float64(feat))
	w := make([]float32, feat*p.Classes)
	rng.Uniform(rng.Stream(seed, "init/readout"), w, a)
	b.Upload(ro.Weight.Value, w)
	n.Groups = append(n.Groups, ro)
	n.mean = b.Alloc(backends.Shape{batch, ch[2], hw[2][0], hw[2][1]})
	n.meanFlat = b.Reshape(n.mean, backends.Shape{batch, feat})
	n.logits, n.dLogits = b.Alloc(backends.Shape{batch, p.Classes}), b.Alloc(backends.Shape{batch, p.Classes})
	n.dMean = b.Alloc(backends.Shape{batch, feat})
	n.dMeanPooled = b.Reshape(n.dMean, n.pooled[1][0].Shape())
	n.host = make([]float32, batch*p.C*p.H*p.W)
	n.hostLog = make([]float32, batch*p.Classes)
	n.modIns = func(i int) neuromod.Inputs {
		g := n.Groups[i]
		return neuromod.Inputs{Step: n.step, Group: g.Name, Index: i, Grad: g.Weight.Grad, PostGrad: n.postGrad[i], Seed: n.Seed,
			Loss: n.last.Loss, Correct: n.last.Correct, Labels: n.lastLabels,
			TimeMS: float64(n.step+1) * float64(p.Steps) * p.DTMS} // the end of this presentation
	}
	return n, nil
}

// encode uploads the spike trains of a batch of images (intensities in
// [0, 1], B·C·H·W values). Rate draws are counter-based per (step, t, pixel).
func (n *SpikingNet) encode(images []float32, key int) error {
	p := n.P
	if len(images) != len(n.host) {
		return fmt.Errorf("network: spiking batch has %d values, want %d (B·C·H·W)", len(images), len(n.host))
	}
	for t := 0; t < p.Steps; t++ {
		for i, x := range images {
			if !(x >= 0 && x <= 1) {
				return fmt.Errorf("network: spiking input %d = %v is outside [0, 1] (pass raw intensities, not normalised ones)", i, x)
			}
			var s float32
			switch p.Encoding {
			case "rate":
				if uniform01(n.encKey, int64(key)*int64(p.Steps)+int64(t), i) < float64(x)*p.MaxRate {
					s = 1
				}
			case "ttfs":
				if x > 0 && int(math.Round(float64(1-x)*float64(p.Steps-1))) == t {
					s = 1
				}
			}
			n.host[i] = s
		}
		n.B.Upload(n.x[t], n.host)
	}
	return nil
}

// forward runs the presentation: every step through both LIF layers and
// pools, then the readout of the mean pooled spikes. With eligibility set,
// each conv layer integrates the spiking Oja-SWTA term over the steps
// (GHL in time, ALGORITHM.md §1 with x the presynaptic trace and u the
// membrane drive I_t):
//
//	x̄_t = e^{−dt/τ_pre}·x̄_{t−1} + x_t,   E_t = e^{−dt/τ_e}·E_{t−1} + H(x̄_t, I_t, W)
//
// and hands E_T to its group as the Hebbian term (normalised by max|E_T| as
// in the batched rule). H is the Oja term Σ y·(x̄ − I·W) with y the softmax
// of the drives (Competition softmax) or the spikes s_t of the layer, whose
// neurons inhibit each other (Competition lateral); I_t is the feed-forward
// drive W∗x_t in both.
func (n *SpikingNet) forward(eligibility bool) {
	b := n.B
	T := n.P.Steps
	alpha := float32(math.Exp(-n.P.DTMS / n.P.TauPreMS))
	gamma := float32(math.Exp(-n.P.DTMS / n.P.TauEMS))
	for l := 0; l < 2; l++ {
		g := n.Groups[l]
		w := g.Weight.Value
		if eligibility {
			b.Fill(n.trace[l], 0)
			if !n.P.KeepEligibility {
				b.Fill(n.elig[l], 0)
			}
		}
		for t := 0; t < T; t++ {
			b.Conv2D(n.cur[l][t], n.in[l][t], w, nil, n.conv[l])
			n.lif[l].step(t, n.cur[l][t])
			if eligibility {
				b.AXPY(n.trace[l], alpha-1, n.trace[l])
				b.Add(n.trace[l], n.trace[l], n.in[l][t])
				op := g.OjaParams()
				if n.P.lateral() {
					op.Y = n.lif[l].s[t]
				}
				b.OjaSWTA(n.h[l], n.trace[l], n.cur[l][t], w, op)
				b.AXPY(n.elig[l], gamma-1, n.elig[l])
				b.Add(n.elig[l], n.elig[l], n.h[l])
			}
			b.AvgPool2D(n.pooled[l][t], n.lif[l].s[t], n.pool)
		}
		if eligibility {
			b.Copy(g.H, n.elig[l])
			g.HMax = b.MaxAbs(g.H)
			g.UpdateTrace(b)
		}
	}
	b.Fill(n.mean, 0)
	for t := 0; t < T; t++ {
		b.AXPY(n.mean, 1/float32(T), n.pooled[1][t])
	}
	ro := n.Groups[2]
	b.Linear(n.logits, n.meanFlat, ro.Weight.Value, ro.Bias.Value)
}

// backward is BPTT: readout, then each LIF layer from the last step down,
// accumulating ∂L/∂W and Σ ∂L/∂I per conv layer.
func (n *SpikingNet) backward() {
	b := n.B
	T := n.P.Steps
	ro := n.Groups[2]
	b.LinearBackwardWeight(ro.Weight.Grad, ro.Bias.Grad, n.meanFlat, n.dLogits)
	if !n.convGrad {
		return // hebb, rstdp: only the readout learns from the loss
	}
	b.LinearBackwardData(n.dMean, n.dLogits, ro.Weight.Value)
	dMean := n.dMeanPooled
	for l := 1; l >= 0; l-- {
		g := n.Groups[l]
		// δs_t of this layer, into cur[l][t] (I_t is no longer needed)
		for t := 0; t < T; t++ {
			if l == 1 {
				b.Fill(n.dPooled[1], 0)
				b.AXPY(n.dPooled[1], 1/float32(T), dMean)
				b.AvgPool2DBackward(n.cur[1][t], n.dPooled[1], n.pool)
			} else {
				b.Conv2DBackwardData(n.dIn, n.cur[1][t], n.Groups[1].Weight.Value, n.conv[1])
				b.AvgPool2DBackward(n.cur[0][t], n.dIn, n.pool)
			}
		}
		n.lif[l].backward(n.cur[l])
		b.Fill(g.Weight.Grad, 0)
		b.Fill(n.postGrad[l], 0)
		for t := 0; t < T; t++ {
			b.Conv2DBackwardWeight(n.gtmp[l], n.btmp[l], n.in[l][t], n.cur[l][t], n.conv[l])
			b.Add(g.Weight.Grad, g.Weight.Grad, n.gtmp[l])
			b.Add(n.postGrad[l], n.postGrad[l], n.btmp[l])
		}
	}
}

// TrainStep presents one batch (raw intensities in [0, 1], B·C·H·W values)
// for T steps and learns from it: the loss of the readout, BPTT for ∂L/∂W
// (the surrogate gradient), the third factor broadcast on the channel
// (sign(∂L/∂W) for grad-sign), then each conv group's rule and backprop for
// the readout.
func (n *SpikingNet) TrainStep(images []float32, labels []int32, h Hyper) (StepStats, error) {
	b := n.B
	if len(labels) != n.Batch {
		return StepStats{}, fmt.Errorf("network: %d labels for a batch of %d", len(labels), n.Batch)
	}
	if err := n.encode(images, n.step); err != nil {
		return StepStats{}, err
	}
	need := n.Groups[0].Rule.Needs()
	n.forward(need.Eligibility && !need.RewardSTDP)
	loss, correct := b.SoftmaxCrossEntropy(n.dLogits, n.logits, labels)
	st := StepStats{Step: n.step, Loss: loss, Correct: correct}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return st, &NumericError{Step: n.step, Where: "loss", Value: loss}
	}
	if need.RewardSTDP {
		n.rewardSTDP(labels)
	}
	n.backward()
	n.last, n.lastLabels = st, labels
	n.Channel.Broadcast(b, n.step, n.modIns)
	n.lastLabels = nil
	for l, g := range n.Groups {
		if l < 2 {
			g.Rule.Apply(b, g, synapse.Hyper{LR: h.HiddenLR, WeightDecay: h.HiddenWD, Step: n.step, Optimizer: h.HiddenOpt})
		} else {
			g.Rule.Apply(b, g, synapse.Hyper{LR: h.ReadoutLR, WeightDecay: h.ReadoutWD, Step: n.step, Optimizer: h.ReadoutOpt})
		}
	}
	for _, g := range n.Groups {
		if m := b.MaxAbs(g.Weight.Value); !finite32(m) {
			return st, &NumericError{Step: n.step, Where: g.Weight.Name, Value: float64(m)}
		}
	}
	n.step++
	return st, nil
}

// Evaluate presents a batch without learning and returns the summed loss and
// the correct predictions over its first count samples.
func (n *SpikingNet) Evaluate(images []float32, labels []int32, count int) (lossSum float64, correct int, err error) {
	if err := n.encode(images, -1-n.step); err != nil {
		return 0, 0, err
	}
	n.forward(false)
	n.B.Download(n.hostLog, n.logits)
	lossSum, correct = scoreLogits(n.hostLog, n.P.Classes, labels, count)
	return lossSum, correct, nil
}

// rewardSTDP computes the rstdp eligibility of both conv layers from the
// presentation's spikes (Mozafari et al. 2019's reward-modulated STDP, with
// exponential traces): each sample b is rewarded, r_b = +1, when the
// readout's argmax is its label and punished otherwise, with Mozafari et
// al.'s balance (a reward weighs the batch's share of misses, a punishment
// minus its share of hits, so Σ_b r_b = 0: at chance level punishments
// would otherwise silence every neuron), and
//
//	E = Σ_t Σ_b r_b · ( s_{b,t} ⊗ x̄_{b,t} − A₋/A₊ · ȳ_{b,t−1} ⊗ x_{b,t} )
//
// with x the presynaptic spikes (pooled spike counts for conv2), x̄ their
// trace including step t, s the postsynaptic spikes and ȳ their trace (both
// traces with τ_pre). STDP where rewarded, anti-STDP where punished. E goes
// to the group as its Hebbian term, normalised by max|E| as in the batched
// rule; it spans one presentation (the reward arrives at its end).
func (n *SpikingNet) rewardSTDP(labels []int32) {
	b := n.B
	n.B.Download(n.hostLog, n.logits)
	classes := n.P.Classes
	alpha := float32(math.Exp(-n.P.DTMS / n.P.TauPreMS))
	dep := float32(n.P.STDPDepression)
	hit := n.hits[:0]
	hits := 0
	for i := 0; i < n.Batch; i++ {
		row := n.hostLog[i*classes : (i+1)*classes]
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		hit = append(hit, int32(best) == labels[i])
		if hit[i] {
			hits++
		}
	}
	// Mozafari et al.'s balance: rewards scaled by the share of misses,
	// punishments by the share of hits, so Σ_b r_b = 0 and neither dominates
	rHit, rMiss := float32(n.Batch-hits)/float32(n.Batch), -float32(hits)/float32(n.Batch)
	for l := 0; l < 2; l++ {
		g, hr := n.Groups[l], n.hostReward[l]
		per := len(hr) / n.Batch
		for i := 0; i < n.Batch; i++ {
			r := rMiss
			if hit[i] {
				r = rHit
			}
			for j := i * per; j < (i+1)*per; j++ {
				hr[j] = r
			}
		}
		b.Upload(n.reward[l], hr)
		b.Fill(n.trace[l], 0)
		b.Fill(n.postTr[l], 0)
		b.Fill(g.H, 0)
		for t := 0; t < n.P.Steps; t++ {
			if t > 0 && dep != 0 { // post before pre: depression
				b.Mul(n.rs[l], n.postTr[l], n.reward[l])
				b.Conv2DBackwardWeight(n.gtmp[l], n.btmp[l], n.in[l][t], n.rs[l], n.conv[l])
				b.AXPY(g.H, -dep, n.gtmp[l])
			}
			b.AXPY(n.trace[l], alpha-1, n.trace[l])
			b.Add(n.trace[l], n.trace[l], n.in[l][t])
			s := n.lif[l].s[t]
			b.Mul(n.rs[l], s, n.reward[l]) // pre before (or with) post: potentiation
			b.Conv2DBackwardWeight(n.gtmp[l], n.btmp[l], n.trace[l], n.rs[l], n.conv[l])
			b.Add(g.H, g.H, n.gtmp[l])
			b.AXPY(n.postTr[l], alpha-1, n.postTr[l])
			b.Add(n.postTr[l], n.postTr[l], s)
		}
		g.HMax = b.MaxAbs(g.H)
		g.UpdateTrace(b)
	}
}
