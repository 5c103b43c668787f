package network

import (
	"fmt"
	"math"
	"time"

	"ghlsim/backends"
	"ghlsim/synapse"
)

// Data-parallel training. N workers (processes, possibly on several
// machines) hold identical copies of the network; every global batch of B
// samples is cut into N shards of B/N, worker r training on shard r. The step
// stays exact — N workers on N shards reproduce the single-worker step on the
// whole batch to float32 rounding — because every quantity that couples the
// samples of a batch is summed across workers:
//
//   - the loss gradient: each worker's ∂(mean loss over its shard)/∂logits is
//     scaled by 1/N before the credit phase, so every gradient it produces is
//     its shard's share of ∂(mean loss over the batch)/∂θ, and the shares are
//     summed (weights, biases, per-neuron credit, BN affine parameters);
//   - the Oja-SWTA term H = A − s⊙W (ALGORITHM.md §1): A and s are sums over
//     the batch, so H is linear in them and the full-batch H is the sum of
//     the workers' unnormalised H; max|H| (the normaliser) is taken after
//     the sum, and the eligibility trace is updated from the summed H;
//   - BatchNorm in training mode (SyncBN, dist_bn.go): per-channel sums and
//     sums of squares in the forward pass, Σdy and Σdy·x̂ in the backward pass;
//   - dropout masks: worker r draws elements [r·L, (r+1)·L) of the full-batch
//     mask (L its shard's mask length), so its mask is its shard of the mask
//     the single worker draws;
//   - the step's loss, correct count and the stop request (for the records
//     and so that all workers stop at the same step).
//
// With DistOptions.Vote the modulated hidden groups (ghl, sign) instead send
// only the sign of their local gradient, one int8 vote per synapse, and
// receive sign(Σ votes): the modulator is the majority vote (signSGD with
// majority vote, Bernstein et al. 2019 — beyond the paper). Their Weight.Grad
// then holds the vote, not a gradient. Everything else is still summed
// exactly.
//
// Parameters are never communicated: all workers start from the same seed
// and apply the same update to the same summed tensors, so they stay equal.

// Reducer is the communication a data-parallel worker needs; nil on a
// network means a single process. backends/torch.Dist implements it with
// torch.distributed's c10d collectives. Every worker must make the same
// calls, with tensors of the same lengths, in the same order.
type Reducer interface {
	// Rank is this worker's index in [0, Size()).
	Rank() int
	// Size is the number of workers.
	Size() int
	// AllReduce replaces every tensor by its elementwise sum over the
	// workers, in one collective over their concatenation.
	AllReduce(ts []backends.Tensor) error
	// Vote replaces every tensor t by sign(Σ_workers sign(t)), sending one
	// int8 per element.
	Vote(ts []backends.Tensor) error
	// AllReduceFloat64 sums a host buffer over the workers, in place.
	AllReduceFloat64(buf []float64) error
}

// DistOptions configure data-parallel training (SetDist).
type DistOptions struct {
	// Reducer connects the workers.
	Reducer Reducer
	// Vote replaces the exact sum of the modulated hidden groups' gradients
	// by the majority vote of their signs (one byte per synapse).
	Vote bool
	// Stop, when closed on any worker, makes every worker's DistStopAgreed
	// report true after the same step.
	Stop <-chan struct{}
}

// CommStats counts the payload one worker contributed to the collectives of
// the last data-parallel step. The bytes a ring all-reduce actually puts on
// the wire per worker are 2(N−1)/N times the payload.
type CommStats struct {
	// Collectives is the number of collective calls (each costs at least one
	// network round trip).
	Collectives int
	// ExactElems counts float32 elements summed exactly: gradients of
	// exactly aggregated tensors and the Hebbian terms H.
	ExactElems int
	// HebbElems is the part of ExactElems that are Hebbian terms H.
	HebbElems int
	// VoteElems counts int8 sign votes (vote mode; 0 otherwise).
	VoteElems int
	// Float64Elems counts float64 host elements: SyncBN statistics and the
	// step's loss, correct count and stop flag.
	Float64Elems int
	// Seconds is the wall time spent inside collective calls (waiting for
	// the slowest worker included).
	Seconds float64
}

// Bytes is the payload of the step as run: 4 bytes per exact element, 1 per
// vote, 8 per float64 element.
func (c CommStats) Bytes() int64 {
	return 4*int64(c.ExactElems) + int64(c.VoteElems) + 8*int64(c.Float64Elems)
}

// ExactBytes is what the same step sends with exact aggregation (the votes
// replaced by float32 gradients).
func (c CommStats) ExactBytes() int64 {
	return 4*int64(c.ExactElems+c.VoteElems) + 8*int64(c.Float64Elems)
}

// VoteBytes is what the same step sends in majority-vote mode, given the
// number of elements that would be voted on (VotableElems of the network).
func (c CommStats) VoteBytes(votable int) int64 {
	e := c.ExactElems + c.VoteElems - votable
	return 4*int64(e) + int64(votable) + 8*int64(c.Float64Elems)
}

// distState is a network's data-parallel state (nil: single process).
type distState struct {
	opt         DistOptions
	rank, world int
	exact, vote []backends.Tensor // the step's tensors (reused)
	hebb        []*synapse.Group  // groups whose H is in exact (reused)
	f64         [3]float64        // loss, correct, stop
	stopAgreed  bool
	stats       CommStats
	err         error // first collective error of the step (ops cannot return errors)
	bn          map[*bnOp]*syncBN
	mask        []float32 // host dropout mask
	// commSeconds and steps accumulate CommStats.Seconds over the run.
	commSeconds float64
	steps       int
}

// SetDist makes the network one worker of a data-parallel job (after Build,
// before the first step). n.Batch is the worker's shard: the global batch
// is n.Batch·Size(). Unsupervised rules (softhebb, swta-fh, hpca-fh) and
// telemetry's gradient recomputation are not supported.
func (n *Network) SetDist(o DistOptions) error {
	if !n.built {
		return fmt.Errorf("network: SetDist before Build")
	}
	if o.Reducer == nil {
		return fmt.Errorf("network: SetDist without a Reducer")
	}
	if o.Reducer.Size() < 1 || o.Reducer.Rank() < 0 || o.Reducer.Rank() >= o.Reducer.Size() {
		return fmt.Errorf("network: reducer has rank %d of %d", o.Reducer.Rank(), o.Reducer.Size())
	}
	for _, g := range n.Groups {
		if _, ok := g.Rule.(synapse.ActivityRule); ok {
			return fmt.Errorf("rule %s of %s keeps host copies of the activity and cannot run data-parallel: train it in one process", g.Rule.Name(), g.Name)
		}
	}
	if o.Vote && o.Reducer.Size() > 127 {
		return fmt.Errorf("majority vote sums int8 votes: at most 127 workers, not %d", o.Reducer.Size())
	}
	d := &distState{opt: o, rank: o.Reducer.Rank(), world: o.Reducer.Size(), bn: map[*bnOp]*syncBN{}}
	for _, op := range n.ops {
		if b, ok := op.(*bnOp); ok {
			d.bn[b] = newSyncBN(n, b)
		}
	}
	n.dist = d
	return nil
}

// Distributed reports whether SetDist made the network a data-parallel worker.
func (n *Network) Distributed() bool { return n.dist != nil }

// DistStats is what this worker contributed to the collectives of the last
// step (zero in a single process).
func (n *Network) DistStats() CommStats {
	if n.dist == nil {
		return CommStats{}
	}
	return n.dist.stats
}

// DistCommTime is the mean wall time per step spent inside collectives
// since SetDist, and the number of steps it averages.
func (n *Network) DistCommTime() (secondsPerStep float64, steps int) {
	if n.dist == nil || n.dist.steps == 0 {
		return 0, 0
	}
	return n.dist.commSeconds / float64(n.dist.steps), n.dist.steps
}

// DistStopAgreed reports whether some worker's DistOptions.Stop had fired
// when the last step's statistics were summed; every worker sees the same
// answer after the same step, so they can stop together.
func (n *Network) DistStopAgreed() bool { return n.dist != nil && n.dist.stopAgreed }

// VotableElems is the number of synapses majority-vote mode votes on: the
// weights of hidden groups whose rule reads a modulator.
func (n *Network) VotableElems() int {
	total := 0
	for i, g := range n.Groups {
		if n.Roles[i] == Hidden && g.Rule.Needs().Modulator && n.synOf[g].needW {
			total += g.Weight.Value.Shape().Len()
		}
	}
	return total
}

// distBegin starts a data-parallel step: it resets the step's counters and
// returns this worker's shard of a global batch (x and labels unchanged
// when they already have the worker's batch size).
func (n *Network) distBegin(x []float32, labels []int32) ([]float32, []int32) {
	if n.dist == nil {
		return x, labels
	}
	n.dist.err = nil
	n.dist.stats = CommStats{}
	l, w, r := n.InPop.Shape.Len(), n.dist.world, n.dist.rank
	if len(x) == l*w && len(labels) == n.Batch*w {
		return x[r*l : (r+1)*l], labels[r*n.Batch : (r+1)*n.Batch]
	}
	return x, labels
}

// distBeforeCredit scales ∂(shard mean loss)/∂logits by 1/N, making it the
// shard's share of ∂(batch mean loss)/∂logits (shards are equal).
func (n *Network) distBeforeCredit() {
	if n.dist.world > 1 {
		n.B.AXPY(n.Logits.Grad, 1/float32(n.dist.world)-1, n.Logits.Grad)
	}
}

// distReduce runs after the credit phase: it sums the step's statistics,
// gradients and Hebbian terms over the workers (or votes), renormalises the
// Hebbian terms and sets st to the global batch's loss and correct count.
func (n *Network) distReduce(st *StepStats) error {
	d, b := n.dist, n.B
	// The step's statistics first: a non-finite loss anywhere stops every
	// worker at this step.
	d.f64[0], d.f64[1], d.f64[2] = st.Loss, float64(st.Correct), 0
	if stopped(d.opt.Stop) {
		d.f64[2] = 1
	}
	if err := d.host(d.f64[:]); err != nil {
		return err
	}
	st.Loss, st.Correct = d.f64[0]/float64(d.world), int(math.Round(d.f64[1]))
	d.stopAgreed = d.f64[2] > 0
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return &NumericError{Step: st.Step, Where: "loss", Value: st.Loss}
	}
	d.exact, d.vote, d.hebb = d.exact[:0], d.vote[:0], d.hebb[:0]
	for i, g := range n.Groups {
		hidden := n.Roles[i] == Hidden
		if hidden && n.frozen {
			continue
		}
		o := n.synOf[g]
		if n.trainsParams(o) {
			if d.opt.Vote && hidden && g.Rule.Needs().Modulator {
				d.vote = append(d.vote, g.Weight.Grad)
			} else {
				d.exact = append(d.exact, g.Weight.Grad)
			}
			if bg := o.biasGrad(); bg != nil {
				d.exact = append(d.exact, bg)
			}
		}
		if hidden && g.Rule.Needs().Eligibility && g.H != nil {
			d.exact = append(d.exact, g.H)
			d.hebb = append(d.hebb, g)
			d.stats.HebbElems += g.H.Shape().Len()
			if g.Decay > 0 {
				// Take back the local Ĥ that UpdateTrace added (E ← γE + Ĥ);
				// the summed one is added below.
				g.RemoveFromTrace(b)
			}
		}
	}
	for _, p := range n.bpParams {
		d.exact = append(d.exact, p.Grad)
	}
	for _, t := range d.exact {
		d.stats.ExactElems += t.Shape().Len()
	}
	for _, t := range d.vote {
		d.stats.VoteElems += t.Shape().Len()
	}
	began := time.Now()
	if len(d.exact) > 0 {
		d.stats.Collectives++
		if err := d.opt.Reducer.AllReduce(d.exact); err != nil {
			return err
		}
	}
	if len(d.vote) > 0 {
		d.stats.Collectives++
		if err := d.opt.Reducer.Vote(d.vote); err != nil {
			return err
		}
	}
	d.stats.Seconds += time.Since(began).Seconds()
	d.commSeconds += d.stats.Seconds
	d.steps++
	for _, g := range d.hebb {
		// The full-batch H: its normaliser max|H| and the trace (as
		// synapse.Group.UpdateTrace, on the summed H; the decay was applied
		// locally).
		g.HMax = b.MaxAbs(g.H)
		g.AddToTrace(b)
	}
	clear(d.exact)
	clear(d.vote)
	clear(d.hebb)
	return d.err
}

// host sums a float64 host buffer over the workers, counting it.
func (d *distState) host(buf []float64) error {
	if d.err != nil {
		return d.err
	}
	d.stats.Collectives++
	d.stats.Float64Elems += len(buf)
	began := time.Now()
	err := d.opt.Reducer.AllReduceFloat64(buf)
	d.stats.Seconds += time.Since(began).Seconds()
	if err != nil {
		d.err = err
	}
	return err
}

// distDropout applies the shard of the full-batch dropout mask: this
// worker's elements are [rank·L, (rank+1)·L) of the mask a single worker
// would draw for the whole batch with the same seed (backends.DropoutKeep).
// The mask is drawn on the host and uploaded (L hashes and one copy).
func (n *Network) distDropout(o *dropoutOp, seed uint64) {
	d := n.dist
	size := o.mask.Shape().Len()
	if cap(d.mask) < size {
		d.mask = make([]float32, size)
	}
	m := d.mask[:size]
	scale := float32(0)
	if o.rate < 1 {
		scale = 1 / (1 - o.rate)
	}
	off := d.rank * size
	for i := range m {
		if backends.DropoutKeep(seed, off+i, o.rate) {
			m[i] = scale
		} else {
			m[i] = 0
		}
	}
	n.B.Upload(o.mask, m)
	n.B.Mul(o.out.Act, o.in.Act, o.mask)
}

// stopped reports whether c is closed (nil never is).
func stopped(c <-chan struct{}) bool {
	if c == nil {
		return false
	}
	select {
	case <-c:
		return true
	default:
		return false
	}
}
