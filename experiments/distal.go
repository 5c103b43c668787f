package experiments

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"ghlsim/internal/buildinfo"
	"ghlsim/internal/progress"
	"ghlsim/internal/runfiles"
	"ghlsim/network"
	"ghlsim/neuromod"
	"ghlsim/synapse"
)

// DistalConfig is one cell of the distal-reward experiment (Izhikevich
// 2007, network.NewDistalReward): the model's parameters, how long to
// simulate and how the run is cut into chunks. Every field is explicit
// (spec.json and config.json record it in full); DefaultDistal gives the
// published model.
type DistalConfig struct {
	NExc              int                `json:"n_exc"`
	NInh              int                `json:"n_inh"`
	OutDegree         int                `json:"out_degree"`
	MaxDelayMS        float64            `json:"max_delay_ms"`
	ExcWeightMV       float64            `json:"exc_weight_mv"`
	InhWeightMV       float64            `json:"inh_weight_mv"`
	Noise             float64            `json:"noise"`
	RewardedInitialMV float64            `json:"rewarded_initial_mv"`
	CoincidenceMS     float64            `json:"coincidence_ms"`
	RewardMinMS       float64            `json:"reward_min_ms"`
	RewardMaxMS       float64            `json:"reward_max_ms"`
	STDP              synapse.STDPParams `json:"stdp"`
	DopamineBase      float64            `json:"dopamine_base_um"`
	DopamineTauMS     float64            `json:"dopamine_tau_ms"`
	DopamineJump      float64            `json:"dopamine_jump_um"`
	DT                float64            `json:"dt_ms"`

	// DurationS is the simulated time (s); ChunkS the piece simulated
	// between records (s, ≥ 1, a whole number of steps), the last one
	// possibly shorter; CheckpointChunks how many chunks pass between
	// checkpoints.
	DurationS        float64 `json:"duration_s"`
	ChunkS           float64 `json:"chunk_s"`
	CheckpointChunks int     `json:"checkpoint_chunks"`
	// Seed is set by the runner from the cell's seed.
	Seed uint64 `json:"seed"`
}

// DefaultDistal returns the published model (network.DefaultDistalReward)
// simulated for an hour in 10 s chunks, checkpointed every minute.
func DefaultDistal() DistalConfig {
	p := network.DefaultDistalReward()
	return DistalConfig{NExc: p.NExc, NInh: p.NInh, OutDegree: p.OutDegree, MaxDelayMS: p.MaxDelayMS,
		ExcWeightMV: p.ExcWeight, InhWeightMV: p.InhWeight, Noise: p.Noise, RewardedInitialMV: p.RewardedInitial,
		CoincidenceMS: p.CoincidenceMS, RewardMinMS: p.RewardMinMS, RewardMaxMS: p.RewardMaxMS, STDP: p.STDP,
		DopamineBase: p.Dopamine.Base, DopamineTauMS: p.Dopamine.TauMS, DopamineJump: p.Dopamine.Jump, DT: p.DT,
		DurationS: 3600, ChunkS: 10, CheckpointChunks: 6, Seed: p.Seed}
}

// Params converts c to the model builder's parameters.
func (c DistalConfig) Params() network.DistalRewardParams {
	p := network.DefaultDistalReward()
	p.NExc, p.NInh, p.OutDegree, p.MaxDelayMS = c.NExc, c.NInh, c.OutDegree, c.MaxDelayMS
	p.ExcWeight, p.InhWeight, p.Noise, p.RewardedInitial = c.ExcWeightMV, c.InhWeightMV, c.Noise, c.RewardedInitialMV
	p.CoincidenceMS, p.RewardMinMS, p.RewardMaxMS = c.CoincidenceMS, c.RewardMinMS, c.RewardMaxMS
	p.STDP = c.STDP
	p.Dopamine = neuromod.ConcentrationParams{Base: c.DopamineBase, TauMS: c.DopamineTauMS, Jump: c.DopamineJump, Initial: math.NaN()}
	p.DT, p.Seed = c.DT, c.Seed
	return p
}

// steps converts seconds to whole steps of dt, or an error naming field.
func (c DistalConfig) steps(field string, s float64) (int64, error) {
	if !(s > 0) || math.IsInf(s, 0) || !(c.DT > 0) {
		return 0, fmt.Errorf("distal-reward %s = %v s must be positive (dt %v ms)", field, s, c.DT)
	}
	n := math.Round(s * 1000 / c.DT)
	if math.Abs(n*c.DT-s*1000) > 1e-6*s*1000 {
		return 0, fmt.Errorf("distal-reward %s = %v s is not a whole number of %v ms steps", field, s, c.DT)
	}
	return int64(n), nil
}

// Validate checks the run's shape and builds the model once, so a bad
// parameter is reported before anything runs or is written.
func (c DistalConfig) Validate() error {
	if _, err := c.steps("duration_s", c.DurationS); err != nil {
		return err
	}
	if _, err := c.steps("chunk_s", c.ChunkS); err != nil {
		return err
	}
	if c.ChunkS < 1 {
		return fmt.Errorf("distal-reward chunk_s = %v s must be at least 1 s (the spike excerpt is the last simulated second)", c.ChunkS)
	}
	if c.CheckpointChunks < 1 {
		return fmt.Errorf("distal-reward checkpoint_chunks = %d must be at least 1", c.CheckpointChunks)
	}
	if c.STDP.WMax < distalTargetMV {
		return fmt.Errorf("distal-reward stdp WMax = %v mV is below the %v mV the rewarded synapse is watched for", c.STDP.WMax, distalTargetMV)
	}
	if _, err := network.NewDistalReward(c.Params()); err != nil {
		return fmt.Errorf("distal-reward model: %w", err)
	}
	return nil
}

// distalTargetMV is the weight whose first crossing by the rewarded synapse
// is reported (the synapse's upper bound in the paper).
const distalTargetMV = 4

// distalBudget is the cell config of each budget:
//
//	smoke  the full network, 20 s simulated in 5 s chunks (about a second of wall time)
//	cpu    the full network, 1 h simulated (issue 14's cpu budget)
//	full   the full network, 5 h simulated
func distalBudget(budget string) DistalConfig {
	c := DefaultDistal()
	switch budget {
	case "smoke":
		c.DurationS, c.ChunkS, c.CheckpointChunks = 20, 5, 2
	case "cpu":
		c.DurationS = 3600
	default:
		c.DurationS = 5 * 3600
	}
	return c
}

// distalReward is Izhikevich's distal-reward experiment (distal-reward).
var distalReward = &Spec{
	Name: "distal-reward", Version: 1,
	Title:  "Distal reward — dopamine-modulated STDP reinforces one chosen synapse (Izhikevich 2007)",
	Metric: "rewarded weight at the end (mV)",
	Budgets: map[string]string{
		"smoke": "1000 Izhikevich neurons, 20 s simulated (seconds of wall time)",
		"cpu":   "1000 Izhikevich neurons, 1 h simulated (a few minutes per seed)",
		"full":  "1000 Izhikevich neurons, 5 h simulated",
	},
	Cells: func(budget string) ([]CellSpec, error) {
		if err := checkBudget(budget); err != nil {
			return nil, err
		}
		c := distalBudget(budget)
		return []CellSpec{{Row: "distal reward", Column: "da-stdp", Sim: &c}}, nil
	},
	Notes: []string{
		"Model: network.NewDistalReward — 800 RS + 200 FS Izhikevich neurons, 100 distinct targets per neuron, excitatory delays 1–20 ms, weights 1 mV (max 4), inhibitory −1 mV / 1 ms, thalamic noise 13·(U − 0.5), dt 1 ms with two 0.5 ms half-steps for v.",
		"Plasticity: nearest-spike STDP (+0.1 / −0.15, τ± 20 ms) into an eligibility c (τ_c 1 s); w ← clip(w + c·d) every 10 ms with the tonic dopamine 0.002 µM included (daspnet's (0.002 + DA)·sd).",
		"Reward: each time n2 fires less than 10 ms after n1, 0.5 µM of dopamine (τ_d 200 ms) is released 1–3 s later. n1 = neuron 0, the chosen synapse its shortest-delay synapse, starting at 0 mV.",
		"rank: 1 + the number of the 80 000 excitatory synapses strictly stronger than the rewarded one (ties at the 4 mV bound share rank 1; 'ties' counts them). first 4 mV: the simulated time the rewarded synapse first reached the bound (— = never).",
		"full = 5 h of simulated time; Izhikevich's daspnet.m, which states it reproduces Fig. 1, runs T = 3600 s.",
	},
}

// DistalOptions control how a distal-reward run is carried out.
type DistalOptions struct {
	Out      string    // run directory (created if absent)
	Resume   bool      // continue the run in Out from its checkpoint
	Command  string    // command line recorded in config.json
	Log      io.Writer // a summary line per checkpoint (nil = silent)
	Progress bool      // live progress line on stderr
	// Stop, when closed, makes RunDistal finish the current chunk, write a
	// checkpoint and return ErrInterrupted (SIGINT/SIGTERM).
	Stop <-chan struct{}
	// stopAfter (tests) acts as Stop after that many chunks of this call;
	// crashAfter (tests) returns errCrash after that many chunks' records,
	// without a checkpoint, as a killed process would leave the directory.
	stopAfter, crashAfter int
}

// errCrash is the error of DistalOptions.crashAfter.
var errCrash = errors.New("simulated crash (test)")

// distalRun is one distal-reward run in progress.
type distalRun struct {
	cfg  DistalConfig
	opt  DistalOptions
	dir  string
	m    *network.DistalReward
	w    []float32 // scratch for sorting weights
	wmax float32

	first4 []float64 // [0]: step the rewarded synapse first reached 4 mV, −1 before

	// per-chunk trackers, reset at each chunk start (never span a checkpoint)
	prevRewards  int
	prevReleases int64
	triggers     []int64
	releases     []int64
	state        []*network.StateMonitor
	best         int // quality of the excerpt on disk, −1 when none
}

// RunDistal simulates the distal-reward model of cfg into opt.Out in chunks
// of cfg.ChunkS: a sim.jsonl record per chunk, a checkpoint every
// cfg.CheckpointChunks chunks (and at the end, and on Stop), the monitor
// excerpts in monitors/. A resumed run continues bit-identically from its
// checkpoint. It returns the result that the runner writes to result.json.
func RunDistal(cfg DistalConfig, opt DistalOptions) (res *runfiles.SimResult, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opt.Out == "" {
		return nil, errors.New("no output directory: pass --out DIR")
	}
	r := &distalRun{cfg: cfg, opt: opt, dir: opt.Out, best: -1, first4: []float64{-1}}
	resuming, err := prepareSimDir(opt.Out, cfg, opt.Resume)
	if err != nil {
		return nil, err
	}
	if r.m, err = network.NewDistalReward(cfg.Params()); err != nil {
		return nil, err
	}
	r.wmax = float32(cfg.STDP.WMax)
	r.w = make([]float32, r.m.Exc.Len())
	if err := r.m.Sim.RegisterState("experiment/first-4mv", r.first4); err != nil {
		return nil, err
	}
	r.m.Sim.OnStep(r.onStep)
	if err := r.addMonitors(); err != nil {
		return nil, err
	}
	if !resuming {
		if err := writeSimInfo(opt.Out, cfg, opt.Command); err != nil {
			return nil, err
		}
	}
	chunkSteps, _ := cfg.steps("chunk_s", cfg.ChunkS)
	total, _ := cfg.steps("duration_s", cfg.DurationS)
	nChunks := int((total + chunkSteps - 1) / chunkSteps)
	done := 0
	if resuming {
		if done, err = r.resume(chunkSteps, total, nChunks); err != nil {
			return nil, err
		}
	}
	began := time.Now()
	bar := progress.NewTo(os.Stderr, opt.Progress, fmt.Sprintf("distal-reward seed %d", cfg.Seed), int(math.Round(cfg.DurationS)), "sim s")
	bar.Add(int(math.Round(float64(int64(done)*chunkSteps) * cfg.DT / 1000)))
	ckPath := filepath.Join(r.dir, runfiles.SimCheckpointFile)
	recPath := filepath.Join(r.dir, runfiles.SimRecordsFile)
	var last runfiles.SimChunk
	if done == 0 { // the initial state, chunk 0 at t = 0
		if err := runfiles.AppendJSONL(recPath, r.stats()); err != nil {
			bar.Done()
			return nil, err
		}
	}
	for c := done; c < nChunks; c++ {
		from := int64(c) * chunkSteps
		n := min(chunkSteps, total-from)
		rec, err := r.chunk(c, n, c == nChunks-1)
		if err != nil {
			bar.Done()
			return nil, fmt.Errorf("%w; the last good checkpoint is %s", err, ckPath)
		}
		if err := runfiles.AppendJSONL(recPath, rec); err != nil {
			bar.Done()
			return nil, err
		}
		last = rec
		if opt.crashAfter > 0 && c+1-done >= opt.crashAfter {
			bar.Done()
			return nil, errCrash
		}
		bar.Add(int(math.Round(float64(n) * cfg.DT / 1000)))
		stop := stopped(opt.Stop) || (opt.stopAfter > 0 && c+1-done >= opt.stopAfter)
		if (c+1)%cfg.CheckpointChunks == 0 || c == nChunks-1 || stop {
			if err := r.m.Sim.Save(ckPath); err != nil {
				bar.Done()
				return nil, err
			}
			r.logf("t = %.0f s: rewarded synapse %.3f mV (rank %d of %d), mean %.3f mV, p99 %.3f mV, %d rewards, %.2f Hz, %.0f× real time\n",
				rec.TimeS, rec.RewardedWeightMV, rec.RewardedRank, r.m.Exc.Len(), rec.MeanExcWeightMV, rec.P99ExcWeightMV, rec.Rewards, rec.RateHz,
				float64(int64(c+1-done)*chunkSteps)*cfg.DT/1000/math.Max(time.Since(began).Seconds(), 1e-9))
		}
		if stop && c < nChunks-1 {
			bar.Done()
			return nil, ErrInterrupted
		}
	}
	bar.Done()
	if done == nChunks { // finished before: the result comes from the records
		recs, err := runfiles.ReadJSONL[runfiles.SimChunk](recPath)
		if err != nil || len(recs) == 0 {
			return nil, fmt.Errorf("%s: the run is complete but its records are missing (%v); start it again in another directory", recPath, err)
		}
		last = recs[len(recs)-1]
	}
	return r.result(last)
}

// addMonitors records the state excerpt variables every step: v of n1 and
// n2, the rewarded synapse's traces, eligibility and weight, the dopamine
// concentration. They are cleared after every chunk.
func (r *distalRun) addMonitors() error {
	s, m := r.m.Sim, r.m
	add := func(target any, v string, idx []int) error {
		mon, err := s.MonitorState(target, v, idx, 0)
		if err != nil {
			return err
		}
		r.state = append(r.state, mon)
		return nil
	}
	if err := add(m.Neurons, "v", []int{m.N1, m.N2}); err != nil {
		return err
	}
	for _, v := range []string{"apre", "apost", "c", "w"} {
		if err := add(m.Exc, v, []int{m.Rewarded}); err != nil {
			return err
		}
	}
	return add(m.Dopamine, "d", []int{0})
}

// onStep tracks coincidences, releases and the first crossing of 4 mV.
func (r *distalRun) onStep(k int64) {
	if n := r.m.Rewards(); n != r.prevRewards {
		r.prevRewards = n
		r.triggers = append(r.triggers, k)
	}
	if n := r.m.Dopamine.Releases; n != r.prevReleases {
		r.prevReleases = n
		r.releases = append(r.releases, k)
	}
	if r.first4[0] < 0 && r.m.Exc.W[r.m.Rewarded] >= distalTargetMV {
		r.first4[0] = float64(k)
	}
}

// chunk simulates chunk c of n steps and returns its record; the final
// chunk also writes the spike excerpt of its last simulated second.
func (r *distalRun) chunk(c int, n int64, final bool) (runfiles.SimChunk, error) {
	s := r.m.Sim
	began := time.Now()
	r.prevRewards, r.prevReleases = r.m.Rewards(), r.m.Dopamine.Releases
	r.triggers, r.releases = r.triggers[:0], r.releases[:0]
	spikes0 := s.SpikeCount()
	start := s.Step()
	var spk *network.SpikeMonitor
	var spkFrom int64
	if final {
		sec := min(n, int64(math.Round(1000/r.cfg.DT)))
		if err := s.Run(n - sec); err != nil {
			return runfiles.SimChunk{}, err
		}
		var err error
		if spk, err = s.MonitorSpikes(r.m.Neurons); err != nil {
			return runfiles.SimChunk{}, err
		}
		spkFrom, n = s.Step(), sec
	}
	if err := s.Run(n); err != nil {
		return runfiles.SimChunk{}, err
	}
	if err := r.excerpt(c, start); err != nil {
		return runfiles.SimChunk{}, err
	}
	if spk != nil {
		if err := r.writeSpikes(spk, spkFrom); err != nil {
			return runfiles.SimChunk{}, err
		}
	}
	rec := r.stats()
	rec.Chunk = c + 1
	rec.Spikes = s.SpikeCount() - spikes0
	dur := float64(s.Step()-start) * r.cfg.DT / 1000
	rec.RateHz = float64(rec.Spikes) / dur / float64(r.m.Neurons.Size())
	rec.WallS = time.Since(began).Seconds()
	return rec, nil
}

// stats summarises the excitatory weights now.
func (r *distalRun) stats() runfiles.SimChunk {
	m := r.m
	w := m.Exc.W
	wr := w[m.Rewarded]
	var sum float64
	greater, ties, atMax := 0, 0, 0
	for q, x := range w {
		sum += float64(x)
		switch {
		case x > wr:
			greater++
		case x == wr && q != m.Rewarded:
			ties++
		}
		if x >= r.wmax {
			atMax++
		}
	}
	copy(r.w, w)
	slices.Sort(r.w)
	n := len(r.w)
	p99 := r.w[max(0, int(math.Ceil(0.99*float64(n)))-1)]
	return runfiles.SimChunk{TimeS: m.Sim.TimeMS() / 1000, RewardedWeightMV: float64(wr), MeanExcWeightMV: sum / float64(n),
		P99ExcWeightMV: float64(p99), MaxExcWeightMV: float64(r.w[n-1]), RewardedRank: greater + 1, RewardedTies: ties,
		AtMax: atMax, Rewards: m.Rewards(), Releases: m.Dopamine.Releases}
}

// excerpt writes the chunk's state recordings to monitors/ when the chunk
// shows at least as much as the excerpt on disk (a coincidence and a
// release beat a release, which beats nothing; later beats earlier at
// equal quality), then clears the monitors. The files end up holding the
// latest chunk of the best quality whatever interruptions the run had.
func (r *distalRun) excerpt(c int, start int64) error {
	q, reason := 0, "no reward in the run yet: the latest chunk"
	if len(r.releases) > 0 {
		q, reason = 1, "a dopamine release"
		for _, rel := range r.releases {
			for _, tr := range r.triggers {
				if lat := float64(rel-tr) * r.cfg.DT; lat >= r.cfg.RewardMinMS && lat <= r.cfg.RewardMaxMS {
					q, reason = 2, "a coincidence n1→n2 and a dopamine release after it"
				}
			}
		}
	}
	defer func() {
		for _, m := range r.state {
			m.Clear()
		}
	}()
	if q < r.best {
		return nil
	}
	dir := filepath.Join(r.dir, runfiles.MonitorsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("monitor directory %s: %w", dir, err)
	}
	for _, m := range r.state {
		if err := m.WriteCSV(filepath.Join(dir, m.Var+".csv")); err != nil {
			return err
		}
	}
	ex := r.readExcerpt()
	sec := func(steps []int64) []float64 {
		out := make([]float64, len(steps))
		for i, k := range steps {
			out[i] = float64(k) * r.cfg.DT / 1000
		}
		return out
	}
	ex.StateFromS, ex.StateToS = float64(start)*r.cfg.DT/1000, r.m.Sim.TimeMS()/1000
	ex.Chunk, ex.Quality, ex.Reason = c+1, q, reason
	ex.ReleasesS, ex.TriggersS = sec(r.releases), sec(r.triggers)
	r.best = q
	return r.writeExcerpt(ex)
}

// readExcerpt returns monitors/excerpt.json, or a fresh one.
func (r *distalRun) readExcerpt() runfiles.MonitorExcerpt {
	ex, err := runfiles.ReadJSON[runfiles.MonitorExcerpt](filepath.Join(r.dir, runfiles.MonitorsDir, runfiles.ExcerptFile))
	if err != nil {
		ex = runfiles.MonitorExcerpt{}
	}
	m := r.m
	ex.Labels = map[string]string{
		fmt.Sprintf("v[%d]", m.N1):           fmt.Sprintf("n1 = neuron %d (pre)", m.N1),
		fmt.Sprintf("v[%d]", m.N2):           fmt.Sprintf("n2 = neuron %d (post)", m.N2),
		fmt.Sprintf("apre[%d]", m.Rewarded):  "pre trace",
		fmt.Sprintf("apost[%d]", m.Rewarded): "post trace",
		fmt.Sprintf("c[%d]", m.Rewarded):     "eligibility c",
		fmt.Sprintf("w[%d]", m.Rewarded):     "rewarded weight",
		"d[0]":                               "dopamine",
	}
	ex.Highlight = map[int]string{m.N1: "n1", m.N2: "n2"}
	ex.Inhibitory = r.cfg.NExc
	return ex
}

func (r *distalRun) writeExcerpt(ex runfiles.MonitorExcerpt) error {
	return runfiles.WriteJSONAtomic(filepath.Join(r.dir, runfiles.MonitorsDir, runfiles.ExcerptFile), ex)
}

// writeSpikes writes the spike excerpt (the last simulated second).
func (r *distalRun) writeSpikes(m *network.SpikeMonitor, from int64) error {
	dir := filepath.Join(r.dir, runfiles.MonitorsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("monitor directory %s: %w", dir, err)
	}
	if err := m.WriteCSV(filepath.Join(dir, runfiles.SpikesCSV)); err != nil {
		return err
	}
	ex := r.readExcerpt()
	ex.SpikesToS = r.m.Sim.TimeMS() / 1000
	ex.SpikesFromS = ex.SpikesToS - float64(r.m.Sim.Step()-from)*r.cfg.DT/1000
	return r.writeExcerpt(ex)
}

// resume restores the checkpoint (if any) and drops the records of chunks
// after it; it returns the number of chunks done.
func (r *distalRun) resume(chunkSteps, total int64, nChunks int) (int, error) {
	ck := filepath.Join(r.dir, runfiles.SimCheckpointFile)
	recPath := filepath.Join(r.dir, runfiles.SimRecordsFile)
	done := 0
	if _, err := os.Stat(ck); err == nil {
		if err := r.m.Sim.Load(ck); err != nil {
			return 0, err
		}
		k := r.m.Sim.Step()
		switch {
		case k >= total:
			done = nChunks
		case k%chunkSteps == 0:
			done = int(k / chunkSteps)
		default:
			return 0, fmt.Errorf("%s stops at step %d, not at a chunk boundary (%d steps): it was not written by this experiment", ck, k, chunkSteps)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	if done == 0 { // died before its first checkpoint: start over
		if err := os.Remove(recPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
		return 0, nil
	}
	recs, err := runfiles.ReadJSONL[runfiles.SimChunk](recPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	var keep []runfiles.SimChunk
	for _, c := range recs {
		if c.Chunk <= done {
			keep = append(keep, c)
		}
	}
	if len(keep) != done+1 {
		return 0, fmt.Errorf("%s holds %d records for the initial state and the %d chunks its checkpoint has simulated: the run directory is damaged; start again in another directory", recPath, len(keep), done)
	}
	if len(keep) != len(recs) {
		if err := rewriteJSONL(recPath, keep); err != nil {
			return 0, err
		}
	}
	if ex, err := runfiles.ReadJSON[runfiles.MonitorExcerpt](filepath.Join(r.dir, runfiles.MonitorsDir, runfiles.ExcerptFile)); err == nil && ex.Chunk > 0 {
		r.best = ex.Quality
	}
	return done, nil
}

// result assembles result.json from the final record and the run's files.
func (r *distalRun) result(last runfiles.SimChunk) (*runfiles.SimResult, error) {
	res := &runfiles.SimResult{Seed: int(r.cfg.Seed), SimulatedS: last.TimeS, RewardedWeightMV: last.RewardedWeightMV,
		MeanExcWeightMV: last.MeanExcWeightMV, P99ExcWeightMV: last.P99ExcWeightMV, RewardedRank: last.RewardedRank,
		RewardedTies: last.RewardedTies, ExcSynapses: r.m.Exc.Len(), AtMax: last.AtMax, Rewards: last.Rewards, Marks: []runfiles.SimMark{}}
	if r.first4[0] >= 0 {
		t := r.first4[0] * r.cfg.DT / 1000
		res.First4mVS = &t
	}
	recs, err := runfiles.ReadJSONL[runfiles.SimChunk](filepath.Join(r.dir, runfiles.SimRecordsFile))
	if err != nil {
		return nil, err
	}
	next := 600.0
	for _, c := range recs {
		res.Spikes += c.Spikes
		if c.TimeS >= next-1e-9 {
			res.Marks = append(res.Marks, runfiles.SimMark{TimeS: c.TimeS, RewardedWeightMV: c.RewardedWeightMV, RewardedRank: c.RewardedRank,
				MeanExcWeightMV: c.MeanExcWeightMV, Rewards: c.Rewards})
			next = (math.Floor(c.TimeS/600+1e-9) + 1) * 600
		}
	}
	return res, nil
}

func (r *distalRun) logf(format string, a ...any) {
	if r.opt.Log != nil {
		fmt.Fprintf(r.opt.Log, format, a...)
	}
}

// prepareSimDir creates dir or checks that it may be reused: a directory
// holding another run's config.json is refused unless resume is set and the
// configs agree.
func prepareSimDir(dir string, cfg DistalConfig, resume bool) (resuming bool, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("output directory %s: %w (choose a writable --out)", dir, err)
	}
	cfgPath := filepath.Join(dir, runfiles.ConfigFile)
	old, err := runfiles.ReadJSON[runfiles.RunInfo](cfgPath)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w (the directory holds a damaged run record: choose another --out)", err)
	}
	if !resume {
		return false, fmt.Errorf("output directory %s already holds a run (%s): resume it, or choose another --out", dir, old.Command)
	}
	removeStaleTemps(dir)
	removeStaleTemps(filepath.Join(dir, runfiles.MonitorsDir))
	now, _ := json.Marshal(cfg)
	var prev DistalConfig
	if err := json.Unmarshal(old.Config, &prev); err != nil {
		return false, fmt.Errorf("%s: unreadable config: %w", cfgPath, err)
	}
	was, _ := json.Marshal(prev)
	if string(was) != string(now) {
		return false, fmt.Errorf("output directory %s holds a run with a different config:\n  saved: %s\n  now:   %s\nresume with the same settings, or choose another --out", dir, was, now)
	}
	return true, nil
}

// writeSimInfo records the config and environment in config.json.
func writeSimInfo(dir string, cfg DistalConfig, command string) error {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	info := runfiles.RunInfo{Tool: "ghlsim", Command: command, Created: time.Now().UTC().Format(time.RFC3339),
		Seed: cfg.Seed, Backend: "cpu", Device: fmt.Sprintf("host event-driven engine (network.Sim, one thread of %d)", runtime.NumCPU()),
		GoVersion: runtime.Version(), GitRevision: buildinfo.Revision(), Rule: "da-stdp", Arch: "distal-reward",
		Label: fmt.Sprintf("distal-reward seed %d", cfg.Seed), Config: raw}
	return runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.ConfigFile), info)
}

// runSimTask runs a simulated-time cell (Task.Cell.Sim) and writes its
// result.json.
func (s *Sweep) runSimTask(t Task, opt CellOptions) error {
	cfg := *t.Cell.Sim
	cfg.Seed = uint64(t.Seed)
	_, statErr := os.Stat(filepath.Join(t.Dir, runfiles.ConfigFile))
	began := time.Now()
	res, err := RunDistal(cfg, DistalOptions{Out: t.Dir, Resume: statErr == nil,
		Command: fmt.Sprintf("ghl run %s --budget %s (cell %s, seed %d)", s.Spec.Experiment, s.Spec.Budget, t.Cell.ID(), t.Seed),
		Log:     opt.Log, Progress: opt.Progress, Stop: opt.Stop})
	if err != nil {
		err = fmt.Errorf("cell %s seed %d: %w", t.Cell.ID(), t.Seed, err)
		recordCellError(t, err)
		return err
	}
	res.Seconds = time.Since(began).Seconds()
	if err := runfiles.WriteJSONAtomic(filepath.Join(t.Dir, resultFile), res); err != nil {
		recordCellError(t, err)
		return err
	}
	return nil
}

// prepareSimCell validates a simulated-time cell of PrepareSweep: it runs
// on the host engine, so only --backend cpu (or none) applies.
func prepareSimCell(c *CellSpec, opt RunOptions) error {
	if opt.Backend != "" && opt.Backend != "cpu" {
		return fmt.Errorf("runs on the host's event-driven engine; --backend %s does not apply (leave --backend out)", opt.Backend)
	}
	return c.Sim.Validate()
}

// resultSummary describes a finished task's result.json in a few words for
// ghl status and the local executor's log.
func resultSummary(t Task) (string, error) {
	path := filepath.Join(t.Dir, resultFile)
	if t.Cell.Sim != nil {
		r, err := runfiles.ReadJSON[runfiles.SimResult](path)
		if err != nil {
			return "", err
		}
		first := "never at 4 mV"
		if r.First4mVS != nil {
			first = fmt.Sprintf("4 mV at %.0f s", *r.First4mVS)
		}
		return fmt.Sprintf("rewarded %.4f mV (rank %d of %d), mean %.3f mV, %d rewards, %s; %.0f s simulated in %.1f s",
			r.RewardedWeightMV, r.RewardedRank, r.ExcSynapses, r.MeanExcWeightMV, r.Rewards, first, r.SimulatedS, r.Seconds), nil
	}
	r, err := runfiles.ReadJSON[cellResult](path)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("test %.2f%%, %.1f s", 100*r.TestAcc, r.Seconds), nil
}
