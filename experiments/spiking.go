package experiments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"ghlsim/backends"
	"ghlsim/datasets"
	"ghlsim/internal/buildinfo"
	"ghlsim/internal/progress"
	"ghlsim/internal/quote"
	"ghlsim/internal/runfiles"
	"ghlsim/network"
	"ghlsim/synapse"
)

// SpikingConfig is one training run of network.SpikingNet (a cell of
// spiking-mnist or polarity-time): the data, the conv layers' rule and third
// factor, the network in time, and the learning rates. The readout always
// learns by backprop (SGD with ReadoutMomentum).
type SpikingConfig struct {
	Dataset    string `json:"dataset"`        // mnist, fashion-mnist, synthetic (Data: n=…,test=…)
	Data       string `json:"data,omitempty"` // dataset folder ("" = the default search)
	TrainLimit int    `json:"train_limit"`    // first N training images (0 = all)
	TestLimit  int    `json:"test_limit"`     // first N test images (0 = all)
	Epochs     int    `json:"epochs"`
	Batch      int    `json:"batch"` // presentations are batched; a last partial training batch is dropped
	// Rule is the conv layers' rule: ghl (GHL in time), sign, hebb, bp
	// (surrogate-gradient BPTT) or rstdp (reward-modulated STDP).
	Rule      string `json:"rule"`
	Modulator string `json:"modulator"` // third-factor source spec (grad-sign, flip:0.1+grad-sign, …@neuron)
	// Net is the spiking network and its time constants; C, H, W and
	// Classes are taken from the dataset.
	Net             network.SpikingParams `json:"net"`
	HiddenLR        float64               `json:"hidden_lr"`
	HiddenOptimizer string                `json:"hidden_optimizer,omitempty"` // bp's optimiser for the conv layers: sgd (default) or adam (PyTorch's defaults)
	HiddenWD        float64               `json:"hidden_wd"`
	ReadoutLR       float64               `json:"readout_lr"`
	ReadoutMomentum float64               `json:"readout_momentum"`
	Schedule        string                `json:"schedule"`         // cosine (over all steps) or constant
	TelemetryStride int                   `json:"telemetry_stride"` // every N presentations: LTP/LTD shares per layer (0 = off)
	Seed            uint64                `json:"seed"`
	Threads         int                   `json:"threads,omitempty"` // backend threads (0 = all cores)
	Backend         string                `json:"backend"`
	Label           string                `json:"label,omitempty"` // legend label in reports
}

// spikingRules are the conv rules SpikingNet runs.
var spikingRules = []string{"ghl", "sign", "hebb", "bp", "rstdp"}

// Validate reports the first bad field, naming it.
func (c SpikingConfig) Validate() error {
	known := false
	for _, r := range spikingRules {
		known = known || r == c.Rule
	}
	switch {
	case !known:
		return fmt.Errorf("spiking rule %s: use one of %v", quote.Q(c.Rule), spikingRules)
	case c.Epochs < 1 || c.Epochs > 10000:
		return fmt.Errorf("spiking epochs %d: use 1 to 10000", c.Epochs)
	case c.Batch < 1 || c.Batch > 4096:
		return fmt.Errorf("spiking batch %d: use 1 to 4096", c.Batch)
	case c.TrainLimit < 0 || c.TestLimit < 0:
		return fmt.Errorf("spiking train_limit %d / test_limit %d must be ≥ 0 (0 = all)", c.TrainLimit, c.TestLimit)
	case c.Schedule != "cosine" && c.Schedule != "constant":
		return fmt.Errorf("spiking schedule %s: use cosine or constant", quote.Q(c.Schedule))
	case c.HiddenOptimizer != "" && c.HiddenOptimizer != "sgd" && c.HiddenOptimizer != "adam":
		return fmt.Errorf("spiking hidden_optimizer %s: use sgd or adam", quote.Q(c.HiddenOptimizer))
	case c.TelemetryStride < 0:
		return fmt.Errorf("spiking telemetry_stride %d must be ≥ 0", c.TelemetryStride)
	case c.Threads < 0 || c.Threads > 1024:
		return fmt.Errorf("spiking threads %d: use 0 (all cores) to 1024", c.Threads)
	}
	for name, v := range map[string]float64{"hidden_lr": c.HiddenLR, "hidden_wd": c.HiddenWD, "readout_lr": c.ReadoutLR} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("spiking %s %v must be finite and ≥ 0", name, v)
		}
	}
	if !(c.ReadoutMomentum >= 0 && c.ReadoutMomentum < 1) {
		return fmt.Errorf("spiking readout_momentum %v must be in [0, 1)", c.ReadoutMomentum)
	}
	p := c.Net
	p.C, p.H, p.W, p.Classes = max(p.C, 1), max(p.H, 28), max(p.W, 28), max(p.Classes, 10) // set from the data
	return p.Validate()
}

// SpikingOptions control how a spiking run is carried out.
type SpikingOptions struct {
	Out      string    // run directory (created if absent)
	Resume   bool      // continue the run in Out from its checkpoint
	Command  string    // command line recorded in config.json
	Log      io.Writer // a summary line per epoch (nil = silent)
	Progress bool      // live progress line on stderr
	// Stop, when closed, makes RunSpiking finish the current presentation,
	// write a checkpoint and return ErrInterrupted.
	Stop <-chan struct{}
	// OpenBackend overrides backends.New (tests, --threads).
	OpenBackend func(name string) (backends.Backend, error)
	// stopAfter (tests) acts as Stop after that many presentations.
	stopAfter int
}

// spikingRun is a spiking run in progress.
type spikingRun struct {
	cfg         SpikingConfig
	dir         string
	net         *network.SpikingNet
	b           backends.Backend
	train, test *datasets.Set
	before      [2][]float32 // conv weights before a telemetry step
	after       [2][]float32
}

// RunSpiking trains a SpikingNet per cfg into opt.Out: config.json,
// metrics.jsonl (an Epoch record per epoch: running train loss and
// accuracy, end-of-epoch test loss and accuracy), telemetry.jsonl (LTP/LTD
// shares) and checkpoint.ckpt (at every epoch's end and on Stop; a resumed
// run continues bit-identically). It returns the result the runner writes.
func RunSpiking(cfg SpikingConfig, opt SpikingOptions) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	train, test, err := datasets.LoadWith(cfg.Dataset, cfg.Data, datasets.LoadOptions{})
	if err != nil {
		return nil, err
	}
	if cfg.TrainLimit > 0 && cfg.TrainLimit < train.Len() {
		train = datasets.Head(train, cfg.TrainLimit)
	}
	if cfg.TestLimit > 0 && cfg.TestLimit < test.Len() {
		test = datasets.Head(test, cfg.TestLimit)
	}
	if train.Len() < cfg.Batch {
		return nil, fmt.Errorf("the training split has %d images, fewer than one batch of %d: lower batch or raise train_limit", train.Len(), cfg.Batch)
	}
	cfg.Net.C, cfg.Net.H, cfg.Net.W, cfg.Net.Classes = train.C, train.H, train.W, train.Classes
	if err := cfg.Net.Validate(); err != nil {
		return nil, fmt.Errorf("dataset %s (%d×%d×%d): %w", cfg.Dataset, train.C, train.H, train.W, err)
	}
	open := opt.OpenBackend
	if open == nil {
		open = backends.New
	}
	b, err := open(cfg.Backend)
	if err != nil {
		return nil, err
	}
	if cfg.Threads > 0 {
		b.SetThreads(cfg.Threads)
	}
	presentations := cfg.Epochs * (train.Len() / cfg.Batch)
	if lat := cfg.Net.LatencyMS / (float64(cfg.Net.Steps) * cfg.Net.DTMS); lat >= float64(presentations) {
		return nil, fmt.Errorf("modulator latency %g ms is %g presentations of %g ms, not shorter than the run's %d: the third factor would never arrive (lower the latency or train longer)",
			cfg.Net.LatencyMS, lat, float64(cfg.Net.Steps)*cfg.Net.DTMS, presentations)
	}
	net, err := network.NewSpikingNet(b, cfg.Net, cfg.Batch, cfg.Seed, cfg.Rule, cfg.Modulator)
	if err != nil {
		return nil, err
	}
	r := &spikingRun{cfg: cfg, dir: opt.Out, net: net, b: b, train: train, test: test}
	start, err := r.prepare(opt)
	if err != nil {
		return nil, err
	}
	return r.loop(start, opt)
}

// spikingPosition is where a run stands, kept in the checkpoint's metadata.
type spikingPosition struct {
	Epoch, Batch    int // completed epochs; presentations done in the current one
	LossSum         float64
	Correct, Seen   int
	Seconds         float64
	ResumedFromStep int `json:"-"`
}

// prepare creates or checks the run directory and, resuming, restores the
// checkpoint; it returns the position to continue from.
func (r *spikingRun) prepare(opt SpikingOptions) (spikingPosition, error) {
	raw, err := json.Marshal(r.cfg)
	if err != nil {
		return spikingPosition{}, fmt.Errorf("spiking config: %w (a time constant of +Inf cannot be recorded: use a large finite value)", err)
	}
	cfgPath := filepath.Join(r.dir, runfiles.ConfigFile)
	if prev, err := runfiles.ReadJSON[runfiles.RunInfo](cfgPath); err == nil {
		if !opt.Resume {
			return spikingPosition{}, fmt.Errorf("output directory %s already holds a run: resume it, or choose another directory", r.dir)
		}
		var saved bytes.Buffer
		if err := json.Compact(&saved, prev.Config); err != nil || saved.String() != string(raw) {
			return spikingPosition{}, fmt.Errorf("output directory %s holds a spiking run with a different config:\n  saved: %s\n  now:   %s\nresume with the same config, or choose another directory", r.dir, quote.S(saved.String()), quote.S(string(raw)))
		}
	} else {
		if err := os.MkdirAll(r.dir, 0o755); err != nil {
			return spikingPosition{}, fmt.Errorf("run directory %s: %w", r.dir, err)
		}
		info := runfiles.RunInfo{Tool: "ghlsim", Command: opt.Command, Created: time.Now().UTC().Format(time.RFC3339), Seed: r.cfg.Seed,
			Backend: r.cfg.Backend, Device: r.b.Device(), GoVersion: runtime.Version(), GitRevision: buildinfo.Revision(),
			Rule: r.cfg.Rule, Dataset: r.cfg.Dataset, Arch: "spiking", Label: r.cfg.Label, Config: raw}
		if err := runfiles.WriteJSONAtomic(cfgPath, info); err != nil {
			return spikingPosition{}, err
		}
	}
	removeStaleTemps(r.dir)
	ck, err := network.ReadCheckpoint(filepath.Join(r.dir, runfiles.CheckpointFile))
	if os.IsNotExist(err) {
		// no checkpoint yet: start over (records of a run killed before it are dropped)
		return spikingPosition{}, r.keepEpochs(0)
	}
	if err != nil {
		return spikingPosition{}, err
	}
	if err := r.net.RestoreCheckpoint(ck); err != nil {
		return spikingPosition{}, err
	}
	var pos spikingPosition
	if err := json.Unmarshal([]byte(ck.Meta["position"]), &pos); err != nil {
		return spikingPosition{}, fmt.Errorf("checkpoint %s: bad position metadata: %w", filepath.Join(r.dir, runfiles.CheckpointFile), err)
	}
	pos.ResumedFromStep = ck.Step
	return pos, r.keepEpochs(pos.Epoch)
}

// keepEpochs drops metrics records past the checkpoint's epoch (written by
// a run that died before its next checkpoint) and telemetry past its step.
func (r *spikingRun) keepEpochs(epochs int) error {
	path := filepath.Join(r.dir, runfiles.MetricsFile)
	recs, err := runfiles.ReadJSONL[runfiles.Epoch](path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	if len(recs) > epochs {
		if err := rewriteJSONL(path, recs[:epochs]); err != nil {
			return err
		}
	}
	tpath := filepath.Join(r.dir, runfiles.TelemetryFile)
	tel, err := runfiles.ReadJSONL[runfiles.Telemetry](tpath)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	keep := tel[:0]
	for _, t := range tel {
		if t.Step < r.net.Step() {
			keep = append(keep, t)
		}
	}
	if len(keep) < len(tel) {
		return rewriteJSONL(tpath, keep)
	}
	return nil
}

// loop trains the remaining epochs from pos.
func (r *spikingRun) loop(pos spikingPosition, opt SpikingOptions) (*Result, error) {
	cfg := r.cfg
	loader, err := datasets.NewLoader(r.train, datasets.LoaderConfig{Batch: cfg.Batch, Shuffle: true, Seed: cfg.Seed, DropLast: true})
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	per := loader.BatchesPerEpoch()
	total := cfg.Epochs * per
	ro := synapse.Optimizer{Kind: "sgd", Momentum: float32(cfg.ReadoutMomentum)}
	ho := synapse.PlainSGD
	if cfg.HiddenOptimizer == "adam" {
		ho = synapse.Optimizer{Kind: "adam", Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	}
	bar := progress.NewTo(os.Stderr, opt.Progress && progress.Interactive(os.Stderr), "spiking "+cfg.Rule, (cfg.Epochs-pos.Epoch)*per-pos.Batch, "img")
	defer bar.Done()
	ckPath := filepath.Join(r.dir, runfiles.CheckpointFile)
	done := 0
	for e := pos.Epoch; e < cfg.Epochs; e++ {
		loader.Start(e, pos.Batch)
		began := time.Now()
		for pos.Batch < per {
			bt, ok := loader.Next()
			if !ok {
				return nil, fmt.Errorf("spiking: the loader ended after %d of %d batches", pos.Batch, per)
			}
			step := r.net.Step()
			m := float32(1)
			if cfg.Schedule == "cosine" {
				m = float32(LRAt("cosine", step, total))
			}
			h := network.Hyper{HiddenLR: m * float32(cfg.HiddenLR), HiddenWD: float32(cfg.HiddenWD), ReadoutLR: m * float32(cfg.ReadoutLR), HiddenOpt: ho, ReadoutOpt: ro}
			tel := cfg.TelemetryStride > 0 && step%cfg.TelemetryStride == 0
			if tel {
				r.snapshot(&r.before)
			}
			st, err := r.net.TrainStep(bt.X, bt.Y, h)
			if err != nil {
				return nil, err
			}
			if tel {
				if err := r.telemetry(step); err != nil {
					return nil, err
				}
			}
			pos.Batch++
			pos.LossSum += st.Loss
			pos.Correct += st.Correct
			pos.Seen += cfg.Batch
			bar.Add(cfg.Batch)
			done++
			stop := opt.stopAfter > 0 && done >= opt.stopAfter
			select {
			case <-opt.Stop:
				stop = true
			default:
			}
			if stop && pos.Batch < per {
				pos.Seconds += time.Since(began).Seconds()
				if err := r.checkpoint(ckPath, pos); err != nil {
					return nil, err
				}
				return nil, ErrInterrupted
			}
		}
		pos.Seconds += time.Since(began).Seconds()
		testLoss, testAcc, err := r.evaluate()
		if err != nil {
			return nil, err
		}
		rec := runfiles.Epoch{Epoch: e + 1, Step: r.net.Step(), Loss: pos.LossSum / float64(per), ValLoss: -1, ValAcc: -1,
			TestLoss: testLoss, TestAcc: testAcc, TrainAcc: float64(pos.Correct) / float64(pos.Seen), Seconds: pos.Seconds,
			ImagesPerS: float64(pos.Seen) / pos.Seconds, LR: float64(r.lrAt(r.net.Step(), total))}
		next := spikingPosition{Epoch: e + 1}
		if err := r.checkpoint(ckPath, next); err != nil {
			return nil, err
		}
		if err := runfiles.AppendJSONL(filepath.Join(r.dir, runfiles.MetricsFile), rec); err != nil {
			return nil, err
		}
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, "epoch %d/%d: test loss %.4f  test %.2f%% (end of epoch); train loss %.4f  train %.2f%% (running means over %d presentations of %d images), %.0f img/s\n",
				e+1, cfg.Epochs, testLoss, 100*testAcc, rec.Loss, 100*rec.TrainAcc, per, cfg.Batch, rec.ImagesPerS)
		}
		pos = next
	}
	recs, err := runfiles.ReadJSONL[runfiles.Epoch](filepath.Join(r.dir, runfiles.MetricsFile))
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("spiking run %s has no epoch records", r.dir)
	}
	return summarise(r.dir, recs), nil
}

func (r *spikingRun) lrAt(step, total int) float32 {
	if r.cfg.Schedule == "cosine" {
		return float32(r.cfg.HiddenLR * LRAt("cosine", step, total))
	}
	return float32(r.cfg.HiddenLR)
}

func (r *spikingRun) checkpoint(path string, pos spikingPosition) error {
	meta, err := json.Marshal(pos)
	if err != nil {
		return err
	}
	return r.net.WriteCheckpoint(path, map[string]string{"position": string(meta), "kind": "spiking"})
}

// evaluate presents the whole test set (no learning, the last batch padded)
// and returns its mean loss and accuracy.
func (r *spikingRun) evaluate() (loss, acc float64, err error) {
	l, err := datasets.NewLoader(r.test, datasets.LoaderConfig{Batch: r.cfg.Batch})
	if err != nil {
		return 0, 0, err
	}
	defer l.Close()
	l.Start(0, 0)
	x := make([]float32, r.cfg.Batch*r.test.ImageSize())
	y := make([]int32, r.cfg.Batch)
	var sum float64
	correct := 0
	for {
		bt, ok := l.Next()
		if !ok {
			break
		}
		clear(x)
		clear(y)
		copy(x, bt.X)
		copy(y, bt.Y)
		s, c, err := r.net.Evaluate(x, y, bt.N)
		if err != nil {
			return 0, 0, err
		}
		sum += s
		correct += c
	}
	n := float64(r.test.Len())
	return sum / n, float64(correct) / n, nil
}

// snapshot downloads the conv weights into dst.
func (r *spikingRun) snapshot(dst *[2][]float32) {
	for l := 0; l < 2; l++ {
		w := r.net.Groups[l].Weight.Value
		if len(dst[l]) != w.Shape().Len() {
			dst[l] = make([]float32, w.Shape().Len())
		}
		r.b.Download(dst[l], w)
	}
}

// telemetry appends each conv layer's potentiated / depressed / unchanged
// shares of the step just taken (Δw = W_after − W_before) and weight norm.
func (r *spikingRun) telemetry(step int) error {
	r.snapshot(&r.after)
	for l := 0; l < 2; l++ {
		var up, down int
		var norm float64
		for i, w := range r.after[l] {
			switch d := w - r.before[l][i]; {
			case d > 0:
				up++
			case d < 0:
				down++
			}
			norm += float64(w) * float64(w)
		}
		n := float64(len(r.after[l]))
		rec := runfiles.Telemetry{Step: step, Layer: r.net.Groups[l].Name, Potentiated: float64(up) / n, Depressed: float64(down) / n,
			Unchanged: (n - float64(up+down)) / n, WeightNorm: math.Sqrt(norm)}
		if err := runfiles.AppendJSONL(filepath.Join(r.dir, runfiles.TelemetryFile), rec); err != nil {
			return err
		}
	}
	return nil
}

// runSpikingTask runs a spiking cell (Task.Cell.Spiking) and writes its
// result.json.
func (s *Sweep) runSpikingTask(t Task, opt CellOptions) error {
	cfg := *t.Cell.Spiking
	cfg.Seed = uint64(t.Seed)
	open := cellOpener(opt, cfg.Threads)
	return s.trainCell(t, func(resume bool, command string) (*Result, error) {
		return RunSpiking(cfg, SpikingOptions{Out: t.Dir, Resume: resume, Command: command, Log: opt.Log, Progress: opt.Progress, Stop: opt.Stop, OpenBackend: open})
	})
}

// prepareSpikingCell applies the run-wide overrides to a spiking cell of
// PrepareSweep and validates it.
func prepareSpikingCell(c *CellSpec, opt RunOptions) error {
	if opt.Data != "" {
		c.Spiking.Data = opt.Data
	}
	if opt.Backend != "" {
		c.Spiking.Backend = opt.Backend
	}
	if opt.Threads > 0 {
		c.Spiking.Threads = opt.Threads
	}
	return c.Spiking.Validate()
}
