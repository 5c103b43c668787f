package experiments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"ghlsim/backends"
	"ghlsim/datasets"
	"ghlsim/internal/progress"
	"ghlsim/internal/quote"
	"ghlsim/internal/runfiles"
	"ghlsim/internal/runlock"
	"ghlsim/network"
	"ghlsim/synapse"
)

// ErrInterrupted is returned by Train when Options.Stop fired: the current
// step finished and a checkpoint was written; --resume continues the run.
var ErrInterrupted = errors.New("training interrupted; checkpoint written")

// Options control how a run is carried out (not what it computes).
type Options struct {
	Out      string    // run directory (created if absent)
	Resume   bool      // continue the run in Out from its checkpoint
	Init     string    // safetensors file to initialise weights from
	Command  string    // command line recorded in config.json
	Log      io.Writer // per-epoch summary lines (nil = silent)
	Progress bool      // live progress line on stderr
	// Stop, when closed, makes Train finish the current step, checkpoint and
	// return ErrInterrupted (SIGINT/SIGTERM).
	Stop <-chan struct{}
	// Monitors observe steps at their own stride (e.g. polarity telemetry).
	Monitors []network.Monitor
	// AfterEpoch runs after each epoch's metrics line is written (e.g. the report).
	AfterEpoch func(dir string)
	// OpenBackend overrides backends.New (tests).
	OpenBackend func(name string) (backends.Backend, error)
	// Dist makes the run one worker of a data-parallel job (dist.go); nil = one process.
	Dist *DistOptions
	// NoReport is recorded in config.json (ghl train --no-report), so that
	// a resume keeps the choice; Train itself writes no report.
	NoReport bool
}

// Result summarises a finished run.
type Result struct {
	Dir     string
	Epochs  []runfiles.Epoch
	TestAcc float64 // final-epoch test accuracy (fraction)
	ValAcc  float64 // final-epoch validation accuracy
	// BestValEpoch is the epoch with the best validation accuracy and
	// TestAtBestVal the test accuracy there (model selection on validation).
	BestValEpoch  int
	TestAtBestVal float64
}

// trainer is one run in progress: the run directory and its records,
// layered on the in-memory Trainer (trainer.go) that trains its network.
type trainer struct {
	cfg   TrainConfig
	opt   Options
	dir   string
	b     backends.Backend
	net   *network.Network
	data  *runData
	hyper network.Hyper // step-0 rates, weight decays and optimisers
	// telemetry is the polarity monitor when cfg.TelemetryStride > 0.
	telemetry *network.Telemetry
	// init is the --init weights file the run started from (nil: random).
	init *runfiles.InitFile
	// tr trains the supervised epochs; its callbacks write the run's
	// checkpoints and metrics into done (afterStep, afterEpoch).
	tr     *Trainer
	done   *[]runfiles.Epoch
	ckPath string
}

// position is where a run stands, saved in checkpoints.
type position struct {
	phase   string // "hebbian" or "" (supervised)
	epoch   int    // 0-based epoch in the phase
	batch   int    // next batch index in the epoch
	lossSum float64
	correct int
	seen    int
	seconds float64
}

// at is the Trainer's view of a supervised position.
func (p position) at() Position {
	return Position{Epoch: p.epoch, Batch: p.batch, LossSum: p.lossSum, Correct: p.correct, Seen: p.seen, Seconds: p.seconds}
}

// positionAt is the checkpoint position of a Trainer's.
func positionAt(p Position) position {
	return position{epoch: p.Epoch, batch: p.Batch, lossSum: p.LossSum, correct: p.Correct, seen: p.Seen, seconds: p.Seconds}
}

func (p position) meta() map[string]string {
	return map[string]string{
		"phase": p.phase, "epoch": strconv.Itoa(p.epoch), "batch": strconv.Itoa(p.batch),
		"loss_sum": strconv.FormatFloat(p.lossSum, 'g', -1, 64), "correct": strconv.Itoa(p.correct),
		"seen": strconv.Itoa(p.seen), "seconds": strconv.FormatFloat(p.seconds, 'g', -1, 64),
	}
}

func positionFrom(m map[string]string) (position, error) {
	var p position
	var err error
	p.phase = m["phase"]
	atoi := func(k string) int {
		v, e := strconv.Atoi(m[k])
		if e != nil && err == nil {
			err = fmt.Errorf("checkpoint metadata %s=%s is not an integer", k, quote.Q(m[k]))
		}
		return v
	}
	atof := func(k string) float64 {
		v, e := strconv.ParseFloat(m[k], 64)
		if e != nil && err == nil {
			err = fmt.Errorf("checkpoint metadata %s=%s is not a number", k, quote.Q(m[k]))
		}
		return v
	}
	p.epoch, p.batch, p.correct, p.seen = atoi("epoch"), atoi("batch"), atoi("correct"), atoi("seen")
	p.lossSum, p.seconds = atof("loss_sum"), atof("seconds")
	return p, err
}

// Train runs one training job into opt.Out and returns its result. The
// training itself is a Trainer's (NewTrainer); Train builds its network
// and data from cfg and layers the run directory on it: config.json, the
// metrics.jsonl lines and checkpoints its callbacks write, resume from a
// checkpoint, the stop request (opt.Stop), SoftHebb's unsupervised phase
// and the final weights.
func Train(cfg TrainConfig, opt Options) (res *Result, err error) {
	cfg.RuleDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opt.Out == "" {
		return nil, fmt.Errorf("no output directory: pass --out DIR")
	}
	_, statErr := os.Stat(opt.Out)
	resuming, err := prepareRunDir(opt.Out, cfg, opt.Resume)
	if err != nil {
		return nil, err
	}
	if os.IsNotExist(statErr) {
		// A directory this call created and setup (backend, data, network)
		// then failed before writing anything into: remove it, so a bad
		// flag leaves no empty run behind (os.Remove keeps a non-empty one).
		defer func() {
			if err != nil {
				runlock.Drop(opt.Out) // the lock file this call created
				os.Remove(opt.Out)
			}
		}()
	}
	t := &trainer{cfg: cfg, opt: opt, dir: opt.Out, ckPath: filepath.Join(opt.Out, runfiles.CheckpointFile)}
	open := opt.OpenBackend
	if open == nil {
		open = backends.New
	}
	if t.b, err = open(cfg.Backend); err != nil {
		return nil, err
	}
	defer t.b.Close()
	if cfg.Threads > 0 {
		t.b.SetThreads(cfg.Threads)
	}
	if t.data, err = loadData(cfg); err != nil {
		return nil, err
	}
	if t.net, err = t.buildNet(t.workerBatch()); err != nil { // workerBatch: the data-parallel shard (dist.go)
		return nil, err
	}
	if err := t.startDist(); err != nil { // data parallelism (dist.go)
		return nil, err
	}
	if err := t.newTrainer(); err != nil { // the last, partial batch's twin network too
		return nil, err
	}
	t.logf("%s\n", t.dataLine())
	// --init is applied before config.json is written, so a bad init file
	// leaves no run directory behind; config.json records its path and
	// SHA-256 so that a resume before the first checkpoint starts from it
	// again.
	if resuming {
		info, err := runfiles.ReadJSON[runfiles.RunInfo](filepath.Join(t.dir, runfiles.ConfigFile))
		if err != nil {
			return nil, err
		}
		t.init = info.Init
		if opt.Init != "" {
			if abs, _ := filepath.Abs(opt.Init); t.init == nil || abs != t.init.Path {
				return nil, fmt.Errorf("--resume %s continues the run from its own record; --init %s cannot change where it started", t.dir, opt.Init)
			}
		}
	} else if opt.Init != "" {
		if t.init, err = recordInit(opt.Init); err != nil {
			return nil, fmt.Errorf("--init: %w", err)
		}
		if err := t.applyInit(); err != nil {
			return nil, err
		}
	}
	if !resuming {
		if err := writeRunInfo(t.dir, cfg, opt.Command, t.b.Device(), time.Now(), t.init, opt.NoReport); err != nil {
			return nil, err
		}
	}
	pos := position{}
	if Unsupervised(cfg.Rule) {
		pos.phase = "hebbian"
	}
	var done []runfiles.Epoch
	if resuming {
		if pos, done, err = t.resume(pos); err != nil {
			return nil, err
		}
	}
	if pos.phase == "hebbian" {
		if pos, err = t.hebbianPhase(pos, &done); err != nil {
			return nil, err
		}
	}
	if err := t.supervised(pos, &done); err != nil {
		return nil, err
	}
	if t.telemetry != nil && t.telemetry.Err != nil {
		return nil, t.telemetry.Err
	}
	if err := t.net.WriteWeights(filepath.Join(t.dir, runfiles.WeightsFile), map[string]string{"rule": cfg.Rule, "arch": cfg.Arch, "dataset": cfg.Dataset}); err != nil {
		return nil, err
	}
	if err := t.writeDistRecord(); err != nil { // data parallelism: dist.json (dist.go)
		return nil, err
	}
	return summarise(t.dir, done), nil
}

// buildNet builds the configured architecture at a batch size.
func (t *trainer) buildNet(batch int) (*network.Network, error) {
	s := t.data.train
	n := network.New(t.b, batch, t.cfg.Seed)
	if err := network.BuildArch(n, t.cfg.Arch, network.ArchOptions{C: s.C, H: s.H, W: s.W, Classes: s.Classes, Width: t.cfg.Width, SoftHebb: t.cfg.Rule == "softhebb", Dropout: t.cfg.Dropout}); err != nil {
		return nil, fmt.Errorf("arch %s: %w", t.cfg.Arch, err)
	}
	if err := n.Build(network.Rules{Hidden: t.cfg.Rule, Modulator: t.cfg.Modulator, Decay: float32(t.cfg.TraceDecay), StepMS: t.cfg.StepMS, Steps: t.cfg.Epochs * t.stepsPerEpoch()}); err != nil {
		return nil, err
	}
	return n, nil
}

// stepsPerEpoch is the number of supervised steps (global batches) in one
// epoch of the training split: ⌈N/batch⌉, or ⌊N/batch⌋ with DropLast.
func (t *trainer) stepsPerEpoch() int {
	if t.cfg.Batch <= 0 {
		return 0
	}
	n := t.data.train.Len()
	if t.dropLast() {
		return n / t.cfg.Batch
	}
	return (n + t.cfg.Batch - 1) / t.cfg.Batch
}

// dataLine says what an epoch trains on: the training images (and how many
// --val-fraction holds out), the test images, and the batches per epoch
// with the fate of the last, partial one.
func (t *trainer) dataLine() string {
	tr, va, te := t.data.train.Len(), 0, 0
	if t.data.val != nil {
		va = t.data.val.Len()
	}
	if t.data.test != nil {
		te = t.data.test.Len()
	}
	held := "no validation split (--val-fraction 0)"
	if va > 0 {
		held = fmt.Sprintf("%d of %d held out for validation by --val-fraction %g", va, tr+va, t.cfg.ValFraction)
	}
	last := "no partial batch"
	if r := tr % t.cfg.Batch; r != 0 && t.cfg.DropLast {
		last = fmt.Sprintf("the last %d images dropped by --drop-last", r)
	} else if r != 0 && t.dropLast() {
		last = fmt.Sprintf("the last %d images dropped (data-parallel shards need full batches)", r)
	} else if r != 0 {
		last = fmt.Sprintf("the last batch of %d kept", r)
	}
	return fmt.Sprintf("data: training on %d images (%s), testing on %d; %d steps per epoch of batch %d, %s", tr, held, te, t.stepsPerEpoch(), t.cfg.Batch, last)
}

// dropLast reports whether the last, partial batch of an epoch is dropped:
// with --drop-last, and always in data-parallel training, which splits
// every batch into equal shards (the data line says so).
func (t *trainer) dropLast() bool { return t.cfg.DropLast || t.opt.Dist != nil }

// newTrainer makes the Trainer of the supervised epochs: the run's data,
// schedule and rates, Options.Monitors and telemetry, and for the last,
// partial batch of each epoch (N mod batch images, when the run keeps it)
// a twin network built by buildNet at that batch size. Its callbacks write
// the run's records.
func (t *trainer) newTrainer() error {
	cfg := t.cfg
	t.hyper = network.Hyper{
		HiddenLR: float32(val(cfg.HiddenLR)), ReadoutLR: float32(val(cfg.ReadoutLR)),
		HiddenWD: float32(val(cfg.HiddenWD)), ReadoutWD: float32(cfg.ReadoutWD),
		HiddenOpt:  t.optimizer(),
		ReadoutOpt: t.readoutOptimizer(),
	}
	if cfg.TelemetryStride > 0 {
		t.telemetry = &network.Telemetry{Stride: cfg.TelemetryStride, Path: filepath.Join(t.dir, runfiles.TelemetryFile)}
		t.opt.Monitors = append(append([]network.Monitor(nil), t.opt.Monitors...), t.telemetry)
	}
	var bar io.Writer
	if t.opt.Progress {
		bar = os.Stderr
	}
	tr, err := NewTrainer(t.net, TrainerConfig{
		Train: t.data.train, Val: t.data.val, Test: t.data.test, Mean: t.data.mean, Std: t.data.std,
		Epochs: cfg.Epochs, Batch: cfg.Batch, DropLast: t.dropLast(), Twin: t.buildNet, Seed: cfg.Seed, Augment: cfg.Augment,
		Hyper: t.hyper, Schedule: cfg.Schedule, FreezeHidden: Unsupervised(cfg.Rule), Monitors: t.opt.Monitors, Progress: bar,
	})
	if err != nil {
		return err
	}
	tr.stepErr = func(err error) error { return fmt.Errorf("%w; the last good checkpoint is %s", err, t.ckPath) }
	tr.OnStep(t.afterStep)
	tr.OnEpoch(t.afterEpoch)
	t.tr = tr
	return nil
}

func (t *trainer) optimizer() synapse.Optimizer {
	if t.cfg.Optimizer == "adam" {
		return synapse.Optimizer{Kind: "adam", Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	}
	return synapse.Optimizer{Kind: "sgd", Momentum: float32(val(t.cfg.Momentum))}
}

// readoutOptimizer: the paper trains the classifier by plain SGD for GHL
// and its ablations; bp and softhebb use the run's optimiser everywhere.
func (t *trainer) readoutOptimizer() synapse.Optimizer {
	if t.cfg.Rule == "bp" || Unsupervised(t.cfg.Rule) {
		return t.optimizer()
	}
	return synapse.PlainSGD
}

// resume restores the checkpoint and drops metrics lines it does not cover.
func (t *trainer) resume(start position) (position, []runfiles.Epoch, error) {
	path := filepath.Join(t.dir, runfiles.CheckpointFile)
	ck, err := network.ReadCheckpoint(path)
	if errors.Is(err, os.ErrNotExist) {
		// The run died before its first checkpoint: start over, from the
		// --init weights it started from, dropping any records of the lost
		// progress.
		return start, nil, t.restart()
	}
	if err != nil {
		return start, nil, err
	}
	pos, err := positionFrom(ck.Meta)
	if err != nil {
		return start, nil, fmt.Errorf("%s: %w", path, err)
	}
	if pos.phase == "hebbian" {
		// The unsupervised phase runs at its own batch size; checkpoints of
		// that phase are taken only at its end, so restart it.
		return start, nil, t.restart()
	}
	if err := t.net.RestoreCheckpoint(ck); err != nil {
		return start, nil, fmt.Errorf("%s: %w", path, err)
	}
	metricsPath := filepath.Join(t.dir, runfiles.MetricsFile)
	all, err := runfiles.ReadJSONL[runfiles.Epoch](metricsPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return start, nil, err
	}
	var keep []runfiles.Epoch
	for _, e := range all {
		if e.Phase != "" || e.Epoch <= pos.epoch {
			keep = append(keep, e)
		}
	}
	if len(keep) != len(all) {
		if err := rewriteJSONL(metricsPath, keep); err != nil {
			return start, nil, err
		}
	}
	// Telemetry of steps after the checkpoint will be recorded again.
	telPath := filepath.Join(t.dir, runfiles.TelemetryFile)
	tel, err := runfiles.ReadJSONL[runfiles.Telemetry](telPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return start, nil, err
	}
	var telKeep []runfiles.Telemetry
	for _, r := range tel {
		if r.Step < ck.Step {
			telKeep = append(telKeep, r)
		}
	}
	if len(telKeep) != len(tel) {
		if err := rewriteJSONL(telPath, telKeep); err != nil {
			return start, nil, err
		}
	}
	return pos, keep, nil
}

// restart prepares a resumed run that has no usable checkpoint to start
// over: the recorded --init weights again (refused if the file is gone or
// changed), and no records of the lost progress.
func (t *trainer) restart() error {
	if t.init != nil {
		if err := checkInit(t.dir, t.init); err != nil {
			return err
		}
		if err := t.applyInit(); err != nil {
			return err
		}
	}
	return t.dropRecords()
}

// applyInit loads the --init weights into the network.
func (t *trainer) applyInit() error {
	ignored, err := t.net.LoadWeightsWith(t.init.Path, network.LoadOptions{IgnoreExtra: true})
	if err != nil {
		return fmt.Errorf("--init: %w", err)
	}
	if len(ignored) > 0 && t.opt.Log != nil {
		fmt.Fprintf(t.opt.Log, "--init %s: ignored %d tensor(s) this network does not have: %s\n", t.init.Path, len(ignored), nameList(ignored, 20))
	}
	return nil
}

// dropRecords removes metrics and telemetry of a run restarted from scratch.
func (t *trainer) dropRecords() error {
	for _, f := range []string{runfiles.MetricsFile, runfiles.TelemetryFile} {
		if err := os.Remove(filepath.Join(t.dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// hebbianPhase runs SoftHebb's unsupervised epochs at their own batch size
// on a twin network, then copies the learned weights into the main network.
func (t *trainer) hebbianPhase(pos position, done *[]runfiles.Epoch) (position, error) {
	twin, err := t.buildNet(t.cfg.HebbianBatch)
	if err != nil {
		return pos, err
	}
	if err := twin.LoadState(t.net.SaveState(network.KindWeight, network.KindBuffer), false, network.KindWeight, network.KindBuffer); err != nil {
		return pos, err
	}
	lrs := make([]float32, len(t.cfg.HebbianLRs))
	for i, v := range t.cfg.HebbianLRs {
		lrs[i] = float32(v)
	}
	l, err := datasets.NewLoader(t.data.train, datasets.LoaderConfig{Batch: t.cfg.HebbianBatch, Shuffle: true, Seed: t.cfg.Seed, Mean: t.data.mean, Std: t.data.std, DropLast: true})
	if err != nil {
		return pos, err
	}
	defer l.Close()
	for e := 0; e < t.cfg.HebbianEpochs; e++ {
		start := time.Now()
		bar := progress.NewTo(os.Stderr, t.opt.Progress, fmt.Sprintf("hebbian epoch %d/%d", e+1, t.cfg.HebbianEpochs), l.BatchesPerEpoch()*t.cfg.HebbianBatch, "img")
		l.Start(e, 0)
		for {
			bt, ok := l.Next()
			if !ok {
				break
			}
			if err := twin.HebbianStep(bt.X, lrs, 0); err != nil {
				return pos, err
			}
			bar.Add(bt.N)
			if stopped(t.opt.Stop) {
				bar.Done()
				return pos, fmt.Errorf("%w (the unsupervised phase restarts on resume)", ErrInterrupted)
			}
		}
		bar.Done()
		if err := twin.CheckFinite(); err != nil {
			return pos, err
		}
		secs := time.Since(start).Seconds()
		rec := runfiles.Epoch{Epoch: e + 1, Phase: "hebbian", Step: twin.Step(), Loss: -1, TrainAcc: -1, ValLoss: -1, ValAcc: -1, TestLoss: -1, TestAcc: -1, Seconds: secs, ImagesPerS: float64(l.BatchesPerEpoch()*t.cfg.HebbianBatch) / secs, LR: float64(lrs[0])}
		if err := runfiles.AppendJSONL(filepath.Join(t.dir, runfiles.MetricsFile), rec); err != nil {
			return pos, err
		}
		*done = append(*done, rec)
		t.logf("hebbian epoch %d/%d: %.1f s, %.0f img/s\n", e+1, t.cfg.HebbianEpochs, secs, rec.ImagesPerS)
	}
	if err := t.net.LoadState(twin.SaveState(network.KindWeight, network.KindBuffer), false, network.KindWeight, network.KindBuffer); err != nil {
		return pos, err
	}
	pos = position{}
	if err := t.net.WriteCheckpoint(filepath.Join(t.dir, runfiles.CheckpointFile), pos.meta()); err != nil {
		return pos, err
	}
	return pos, nil
}

// supervised runs the supervised epochs from pos (GHL, BP, sign, hebb with
// a BP readout; the frozen-feature readout for softhebb) on the Trainer,
// whose callbacks append each epoch's record to done.
func (t *trainer) supervised(pos position, done *[]runfiles.Epoch) error {
	if err := t.tr.Resume(pos.at()); err != nil {
		return err
	}
	t.done = done
	_, err := t.tr.Run(context.Background()) // the stop request is afterStep's
	return err
}

// afterStep is the Trainer's step callback: a checkpoint every
// CheckpointEvery steps (the epoch's end writes its own), and on a stop
// request a checkpoint and ErrInterrupted.
func (t *trainer) afterStep(s StepInfo) error {
	if t.cfg.CheckpointEvery > 0 && s.Step%t.cfg.CheckpointEvery == 0 && s.Batch < s.StepsPerEpoch {
		if err := t.net.WriteCheckpoint(t.ckPath, positionAt(s.Position).meta()); err != nil {
			return err
		}
	}
	if t.stopNow() { // data-parallel workers stop at the step they agreed on (dist.go)
		if err := t.net.WriteCheckpoint(t.ckPath, positionAt(s.Position).meta()); err != nil {
			return err
		}
		return ErrInterrupted
	}
	return nil
}

// afterEpoch is the Trainer's epoch callback: the metrics.jsonl line, the
// end-of-epoch checkpoint, the summary line and Options.AfterEpoch.
func (t *trainer) afterEpoch(e EpochInfo) error {
	rec := epochRecord(e)
	if err := runfiles.AppendJSONL(filepath.Join(t.dir, runfiles.MetricsFile), rec); err != nil {
		return err
	}
	*t.done = append(*t.done, rec)
	if err := t.net.WriteCheckpoint(t.ckPath, position{epoch: e.Epoch}.meta()); err != nil {
		return err
	}
	t.logf("%s\n", epochLine(rec, e.Epochs, e.StepsPerEpoch))
	if t.opt.AfterEpoch != nil {
		t.opt.AfterEpoch(t.dir)
	}
	return nil
}

// epochRecord is the metrics.jsonl line of a supervised epoch.
func epochRecord(e EpochInfo) runfiles.Epoch {
	return runfiles.Epoch{Epoch: e.Epoch, Step: e.Step, Loss: e.TrainLoss, TrainAcc: e.TrainAcc, ValLoss: e.ValLoss, ValAcc: e.ValAcc,
		TestLoss: e.TestLoss, TestAcc: e.TestAcc, Seconds: e.Seconds, ImagesPerS: e.ImagesPerS, LR: e.LR}
}

// epochLine is the per-epoch summary. The loss a reader takes for "the
// loss" beside the accuracies is the end-of-epoch model's (on validation,
// else on test); the running training loss and accuracy are labelled as
// means over the epoch's steps, which for a fast-moving rule (sign: huge
// losses in the first steps, then ≈ 0.2) say little about the final model.
func epochLine(rec runfiles.Epoch, epochs, steps int) string {
	end := fmt.Sprintf("val loss %.4f  val %s  test %.2f%%", rec.ValLoss, pct(rec.ValAcc), 100*rec.TestAcc)
	if rec.ValAcc < 0 {
		end = fmt.Sprintf("test loss %.4f  test %.2f%%  (no validation split)", rec.TestLoss, 100*rec.TestAcc)
	}
	return fmt.Sprintf("epoch %d/%d: %s (end of epoch); train loss %.4f  train %.2f%% (running means over the epoch's %d steps)  %.1f s  %.0f img/s",
		rec.Epoch, epochs, end, rec.Loss, 100*rec.TrainAcc, steps, rec.Seconds, rec.ImagesPerS)
}

func (t *trainer) logf(format string, a ...any) {
	if t.opt.Log != nil {
		fmt.Fprintf(t.opt.Log, format, a...)
	}
}

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

// cropPad is the random-crop padding of --augment.
func cropPad(augment bool) int {
	if augment {
		return 4
	}
	return 0
}

func pct(x float64) string {
	if x < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f%%", 100*x)
}

// summarise picks final and best-validation accuracies from the epochs.
func summarise(dir string, eps []runfiles.Epoch) *Result {
	r := &Result{Dir: dir, Epochs: eps, BestValEpoch: -1}
	best := math.Inf(-1)
	for _, e := range eps {
		if e.Phase != "" {
			continue
		}
		r.TestAcc, r.ValAcc = e.TestAcc, e.ValAcc
		if e.ValAcc >= 0 && e.ValAcc > best { // no validation set: no best-validation epoch
			best, r.BestValEpoch, r.TestAtBestVal = e.ValAcc, e.Epoch, e.TestAcc
		}
	}
	return r
}

// rewriteJSONL atomically replaces a JSONL file with the given records.
func rewriteJSONL[T any](path string, recs []T) error {
	tmp := path + ".rewrite"
	os.Remove(tmp)
	for _, r := range recs {
		if err := runfiles.AppendJSONL(tmp, r); err != nil {
			return err
		}
	}
	if len(recs) == 0 {
		if err := runfiles.WriteFileAtomic(tmp, nil); err != nil {
			return err
		}
	}
	return os.Rename(tmp, path)
}

// nameList joins names with ", ", listing at most max of them and then
// how many more there are.
func nameList(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … and %d more", strings.Join(names[:max], ", "), len(names)-max)
}
