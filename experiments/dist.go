package experiments

import (
	"fmt"
	"path/filepath"

	"ghlsim/internal/runfiles"
	"ghlsim/network"
)

// DistFile is the data-parallel record a worker writes into its run
// directory (rank 0's is the run's).
const DistFile = "dist.json"

// DistOptions make Train one worker of a data-parallel job (network/dist.go
// explains the exact aggregation and the majority vote). Every worker runs
// Train with the same config; each loads every global batch of
// TrainConfig.Batch samples and trains on its shard of Batch/Size() samples,
// so Batch must be a multiple of the number of workers. Each worker writes
// its own run directory: point the others at scratch directories.
type DistOptions struct {
	// Reducer connects the workers (backends/torch.Dist).
	Reducer network.Reducer
	// Vote sends only the signs of the modulated hidden groups' gradients
	// (one byte per synapse) and uses their majority as the modulator.
	Vote bool
}

// DistRecord is the content of dist.json: what data parallelism cost per
// step. Bytes are the payload one worker contributes to the collectives of
// a step; a ring all-reduce puts WireFactor times that on the wire.
type DistRecord struct {
	Workers    int    `json:"workers"`
	Rank       int    `json:"rank"`
	Collective string `json:"collective,omitempty"` // "gloo", "nccl"
	Vote       bool   `json:"vote"`                 // the mode this run used
	// ShardBatch is each worker's share of the global batch.
	ShardBatch int `json:"shard_batch"`
	// CollectivesPerStep counts collective calls per step.
	CollectivesPerStep int `json:"collectives_per_step"`
	// BytesPerStep is the payload per step of the mode this run used.
	BytesPerStep int64 `json:"bytes_per_step"`
	// ExactBytesPerStep and VoteBytesPerStep are the payloads of the same
	// step with exact aggregation and with majority vote.
	ExactBytesPerStep int64 `json:"exact_bytes_per_step"`
	VoteBytesPerStep  int64 `json:"vote_bytes_per_step"`
	// Float32, Hebbian, Votes and Float64 break the payload down: float32
	// elements summed exactly (Hebbian of them Oja-SWTA terms H), int8
	// votes, and float64 host values (SyncBN statistics, step statistics).
	Float32 int `json:"float32_elems"`
	Hebbian int `json:"hebbian_elems"`
	Votes   int `json:"vote_elems"`
	// Votable is the number of synapses majority vote votes on.
	Votable    int     `json:"votable_elems"`
	Float64    int     `json:"float64_elems"`
	WireFactor float64 `json:"wire_factor"`
	// CommSecondsPerStep is the mean wall time per step inside collectives
	// (waiting for the slowest worker included), over CommSteps steps of
	// this process.
	CommSecondsPerStep float64 `json:"comm_seconds_per_step"`
	CommSteps          int     `json:"comm_steps"`
}

// workerBatch is the network's batch: the worker's shard of the global batch.
func (t *trainer) workerBatch() int {
	if t.opt.Dist == nil {
		return t.cfg.Batch
	}
	return t.cfg.Batch / max(1, t.opt.Dist.Reducer.Size())
}

// startDist makes the built network a data-parallel worker (no-op in one
// process).
func (t *trainer) startDist() error {
	d := t.opt.Dist
	if d == nil {
		return nil
	}
	if d.Reducer == nil {
		return fmt.Errorf("data parallelism without a process group (Options.Dist.Reducer is nil)")
	}
	w := d.Reducer.Size()
	switch {
	case t.cfg.Batch%w != 0:
		return fmt.Errorf("batch %d cannot be split among %d workers: use a multiple of %d (each worker trains on batch/%d samples)", t.cfg.Batch, w, w, w)
	case Unsupervised(t.cfg.Rule):
		return fmt.Errorf("rule %s has an unsupervised phase, which cannot run data-parallel yet: train it in one process (no --nproc)", t.cfg.Rule)
	case t.cfg.TelemetryStride > 0 || len(t.opt.Monitors) > 0:
		return fmt.Errorf("telemetry and monitors recompute gradients per worker and cannot run data-parallel: drop --telemetry-stride or --nproc")
	}
	return t.net.SetDist(network.DistOptions{Reducer: d.Reducer, Vote: d.Vote, Stop: t.opt.Stop})
}

// stopNow reports whether training must stop after this step: the
// interrupt channel in one process; under data parallelism the stop request
// every worker agreed on in the step's collective, so that all workers stop
// at the same step.
func (t *trainer) stopNow() bool {
	if t.net.Distributed() {
		return t.net.DistStopAgreed()
	}
	return stopped(t.opt.Stop)
}

// distRecord describes the data-parallel cost of the last step.
func (t *trainer) distRecord() DistRecord {
	d := t.opt.Dist
	st := t.net.DistStats()
	w := d.Reducer.Size()
	votable := t.net.VotableElems()
	r := DistRecord{
		Workers: w, Rank: d.Reducer.Rank(), Vote: d.Vote, ShardBatch: t.net.Batch,
		CollectivesPerStep: st.Collectives, BytesPerStep: st.Bytes(),
		ExactBytesPerStep: st.ExactBytes(), VoteBytesPerStep: st.VoteBytes(votable),
		Float32: st.ExactElems, Hebbian: st.HebbElems, Votes: st.VoteElems, Votable: votable,
		Float64: st.Float64Elems, WireFactor: 2 * float64(w-1) / float64(w),
	}
	r.CommSecondsPerStep, r.CommSteps = t.net.DistCommTime()
	if b, ok := d.Reducer.(interface{ Backend() string }); ok {
		r.Collective = b.Backend()
	}
	return r
}

// writeDistRecord writes dist.json after a data-parallel run (no-op in one
// process or before the first step).
func (t *trainer) writeDistRecord() error {
	if t.opt.Dist == nil || t.net.DistStats().Collectives == 0 {
		return nil
	}
	return runfiles.WriteJSONAtomic(filepath.Join(t.dir, DistFile), t.distRecord())
}
