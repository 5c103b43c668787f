package experiments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"ghlsim/datasets"
	"ghlsim/internal/progress"
	"ghlsim/internal/quote"
	"ghlsim/network"
	"ghlsim/synapse"
)

// ErrStopEarly, returned (or wrapped) by an OnStep or OnEpoch callback,
// makes Run stop cleanly: the callbacks registered after it still see that
// step or epoch, then Run returns its result with StoppedEarly set and a nil
// error. From OnStep it stops at once, without evaluating the epoch it cut
// short.
var ErrStopEarly = errors.New("stop training early")

// TrainerConfig configures an in-memory Trainer (NewTrainer). Start from
// TrainerDefaults and set the data.
type TrainerConfig struct {
	// Train is the training set (required): images of the network's input
	// shape, labels below its number of classes.
	Train *datasets.Set
	// Val is evaluated at the end of every epoch (eval mode) for model
	// selection and EarlyStop; nil = no validation set, unless ValFraction
	// holds one out.
	Val *datasets.Set
	// ValFraction in [0, 1) holds this fraction of Train out as the
	// validation set (stratified per class, keyed by Seed: datasets.Split);
	// 0 = none. Set Val or ValFraction, not both.
	ValFraction float64
	// Test is evaluated at the end of every epoch (eval mode); nil = none.
	Test *datasets.Set
	// Mean and Std normalise each channel, x = (pixel/255 − Mean)/Std, as
	// datasets.LoaderConfig's; nil = the dataset's standard constants
	// (datasets.StandardNorm by Train's name), else statistics measured on
	// Train before any validation split (datasets.NormStats).
	Mean, Std []float32

	// Epochs is the number of passes over Train (≥ 1); the schedule spans
	// all of them, even if EarlyStop ends the run sooner.
	Epochs int
	// Batch is the number of samples per step; 0 = the network's batch,
	// which it must equal (a data-parallel network holds its shard of it).
	Batch int
	// DropLast drops the last, partial batch of every epoch (N mod Batch
	// samples). Kept (the default), it runs on Twin's network.
	DropLast bool
	// Twin builds the same network (architecture, rules, seed) at another
	// batch size; the Trainer calls it once, for the last, partial batch of
	// an epoch, whose step it runs on that twin, copying the state over and
	// back (network.CopyStateFrom) and sharing the modulator sources, so the
	// run continues as one. Needed unless DropLast is set or Batch divides
	// Train's size.
	Twin func(batch int) (*network.Network, error)
	// Shuffle order, augmentation and the validation split are keyed by
	// Seed; 0 = the network's seed.
	Seed uint64
	// Augment enables a random crop (4-pixel zero padding) and a horizontal
	// flip of every training sample.
	Augment bool

	// Hyper holds the step-0 learning rates, the weight decays and the
	// optimisers of the hidden groups and of the readout (network.Hyper);
	// a zero optimiser is plain SGD.
	Hyper network.Hyper
	// Schedule multiplies both learning rates at every step (LRAt):
	// "cosine" (from 1 to 0 over Epochs × steps per epoch, stepped every
	// iteration, the GHL reference; "" means cosine), "steps" or "constant".
	Schedule string
	// FreezeHidden stops learning in the hidden groups for the whole run:
	// only the readout and BN affine parameters train (a linear readout on
	// frozen features, SoftHebb's protocol; network.SetFrozen).
	FreezeHidden bool
	// Monitors observe every step at their own stride (network.Monitor:
	// network.Recorder, network.Telemetry, …), the last, partial batch's
	// step on the twin network included; a network.Recorder, bound to one
	// network, cannot record that step, so it needs DropLast (or a Batch
	// that divides Train's size).
	Monitors []network.Monitor
	// EarlyStop, when set, stops the run once its metric stops improving.
	EarlyStop *EarlyStop
	// Progress, when set, receives a live progress line per epoch (a
	// terminal; nil = none).
	Progress io.Writer
}

// EarlyStop stops training when a validation metric has not improved for
// Patience epochs in a row (Keras's EarlyStopping, checked at epoch ends).
type EarlyStop struct {
	// Metric is "val_acc" (higher is better; "" means val_acc) or
	// "val_loss" (lower is better), the metrics.jsonl names. Both need a
	// validation set.
	Metric string
	// Patience is the number of epochs without improvement after which the
	// run stops (≥ 1).
	Patience int
	// MinDelta is the least change that counts as an improvement (≥ 0;
	// accuracy is a fraction, loss in nats).
	MinDelta float64
}

// TrainerDefaults is a TrainerConfig with the GHL paper's DeepHebb
// settings (ALGORITHM.md §3): 1 epoch, hidden η 1e-2 and λ 5e-2, readout
// η 5e-3 by plain SGD, a cosine schedule. Set Train (and Val, Test) and,
// for a partial last batch, Twin or DropLast.
func TrainerDefaults() TrainerConfig {
	return TrainerConfig{Epochs: 1, Schedule: "cosine", Hyper: network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3}}
}

// Validate checks the fields that do not depend on the network (NewTrainer
// checks the rest) and names the fix for a bad one.
func (c TrainerConfig) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("experiments: TrainerConfig: "+format, a...)
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case c.Train == nil:
		return bad("no training set: set Train (datasets.Load, datasets.Synthetic, …)")
	case c.Train.Len() == 0:
		return bad("the training set %s is empty", quote.Q(c.Train.Name))
	case c.Epochs < 1:
		return bad("Epochs %d: set the number of epochs to train (≥ 1)", c.Epochs)
	case c.Batch < 0:
		return bad("Batch %d: use a positive batch size, or 0 for the network's", c.Batch)
	case !(c.ValFraction >= 0 && c.ValFraction < 1):
		return bad("ValFraction %g must be in [0, 1)", c.ValFraction)
	case c.ValFraction > 0 && c.Val != nil:
		return bad("both Val and ValFraction %g are set: pass a validation set or hold one out, not both", c.ValFraction)
	case c.Schedule != "" && c.Schedule != "cosine" && c.Schedule != "constant" && c.Schedule != "steps":
		return bad("Schedule %s is unknown: use cosine, constant or steps", quote.Q(c.Schedule))
	}
	if err := c.Train.Validate(); err != nil {
		return bad("Train: %w", err)
	}
	h := c.Hyper
	for _, v := range []struct {
		name string
		x    float32
	}{{"HiddenLR", h.HiddenLR}, {"HiddenWD", h.HiddenWD}, {"ReadoutLR", h.ReadoutLR}, {"ReadoutWD", h.ReadoutWD}} {
		if !(v.x >= 0) || !finite(float64(v.x)) {
			return bad("Hyper.%s %g must be a finite number ≥ 0", v.name, v.x)
		}
	}
	for _, o := range []struct {
		name string
		opt  synapse.Optimizer
	}{{"HiddenOpt", h.HiddenOpt}, {"ReadoutOpt", h.ReadoutOpt}} {
		if o.opt.Kind == "" { // plain SGD
			continue
		}
		if err := o.opt.Validate(); err != nil {
			return bad("Hyper.%s: %w", o.name, err)
		}
	}
	if e := c.EarlyStop; e != nil {
		switch {
		case e.Metric != "" && e.Metric != "val_acc" && e.Metric != "val_loss":
			return bad("EarlyStop.Metric %s is unknown: use val_acc or val_loss", quote.Q(e.Metric))
		case e.Patience < 1:
			return bad("EarlyStop.Patience %d: give the epochs without improvement to wait for (≥ 1)", e.Patience)
		case !(e.MinDelta >= 0) || !finite(e.MinDelta):
			return bad("EarlyStop.MinDelta %g must be a finite number ≥ 0", e.MinDelta)
		case c.ValFraction == 0 && (c.Val == nil || c.Val.Len() == 0):
			return bad("EarlyStop watches %s, but there is no validation set: set Val or ValFraction", e.metric())
		}
	}
	return nil
}

func (e *EarlyStop) metric() string {
	if e.Metric == "" {
		return "val_acc"
	}
	return e.Metric
}

// Position is where a run stands: the epoch in progress and the batches of
// it done, with the running sums behind the epoch's training loss and
// accuracy. Save it with the network's state (network.WriteCheckpoint) and
// hand it to Trainer.Resume to continue a run exactly.
type Position struct {
	Epoch   int     // 0-based epoch in progress
	Batch   int     // batches of that epoch done (0 … steps per epoch)
	LossSum float64 // Σ batch-mean loss × batch size over those batches
	Correct int     // correct predictions over those batches
	Seen    int     // samples in those batches
	Seconds float64 // wall time of those batches' steps
}

// StepInfo is what an OnStep callback sees after a training step.
type StepInfo struct {
	Position          // after this step
	Epochs        int // the run's epochs
	StepsPerEpoch int // batches per epoch
	Step          int // the network's step count after this step
	N             int // samples in this batch
	Stats         network.StepStats
	Hyper         network.Hyper // the rates this step used (after the schedule)
}

// TrainLoss and TrainAcc are the running means over the epoch's steps so
// far (train mode, the weights changing under them).
func (s StepInfo) TrainLoss() float64 { return s.LossSum / float64(max(1, s.Seen)) }

// TrainAcc is the fraction of the epoch's training samples so far predicted right.
func (s StepInfo) TrainAcc() float64 { return float64(s.Correct) / float64(max(1, s.Seen)) }

// EpochInfo is what an OnEpoch callback sees at the end of an epoch: its
// running training means and the end-of-epoch model's validation and test
// scores (the fields of a metrics.jsonl line).
type EpochInfo struct {
	Epoch         int // 1-based number of the finished epoch
	Epochs        int
	StepsPerEpoch int
	Step          int // the network's step count
	// TrainLoss and TrainAcc are running means over the epoch's steps
	// (0 when it took none), Seen their samples.
	TrainLoss, TrainAcc float64
	Seen                int
	// ValLoss, ValAcc, TestLoss and TestAcc score the end-of-epoch model in
	// eval mode (mean cross-entropy, fraction correct); −1 without the set.
	ValLoss, ValAcc, TestLoss, TestAcc float64
	Seconds                            float64 // wall time of the epoch's steps
	ImagesPerS                         float64 // training throughput (0 when Seconds is)
	// LR is the hidden groups' learning rate at the epoch's last step (the
	// readout's with FreezeHidden); Hyper all of that step's rates.
	LR    float64
	Hyper network.Hyper
}

// TrainerResult is what Run did.
type TrainerResult struct {
	// Epochs are the epochs this Run finished, in order.
	Epochs []EpochInfo
	// StoppedEarly says a callback returned ErrStopEarly or EarlyStop
	// fired; StopReason says which.
	StoppedEarly bool
	StopReason   string
	// BestEpoch is the 1-based epoch with the best EarlyStop metric (the
	// best validation accuracy without EarlyStop) over the trainer's runs,
	// 0 when none was measured (no validation set); Best is its value.
	BestEpoch int
	Best      float64
}

// Trainer trains a built network in memory: epochs of shuffled batches,
// the learning-rate schedule, the last partial batch on a twin network,
// end-of-epoch evaluation, callbacks and early stopping. It writes no
// file; Train layers a run directory (config, metrics, checkpoints,
// resume) on top of it. A Trainer is used by one goroutine at a time.
type Trainer struct {
	net, tail        *network.Network
	cfg              TrainerConfig // Batch, Seed and Schedule filled in
	train, val, test *datasets.Set
	mean, std        []float32
	per, total       int // steps per epoch, steps of the run
	pos              Position
	hyper            network.Hyper // the current step's rates
	base             int           // the network's step at the run's step 0
	onStep           []func(StepInfo) error
	onEpoch          []func(EpochInfo) error
	bar              *progress.Bar
	// stepErr wraps a failed step's error (Train: names the last good
	// checkpoint); nil = returned as is.
	stepErr func(error) error
	// best, bestEpoch and wait are the early-stop state.
	best      float64
	bestEpoch int
	wait      int
}

// NewTrainer checks cfg against the built network net and returns its
// trainer. It builds Twin's network when the last batch is partial.
func NewTrainer(net *network.Network, cfg TrainerConfig) (*Trainer, error) {
	if net == nil || net.Logits == nil {
		return nil, fmt.Errorf("experiments: NewTrainer: the network is not built: call its Build first")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("experiments: NewTrainer: "+format, a...)
	}
	if cfg.Batch == 0 {
		cfg.Batch = net.Batch
	}
	if cfg.Batch != net.Batch && !net.Distributed() {
		return nil, bad("TrainerConfig.Batch %d differs from the network's batch %d: build the network at the batch it trains with, or leave Batch 0", cfg.Batch, net.Batch)
	}
	if net.Distributed() && !cfg.DropLast {
		return nil, bad("a data-parallel network splits every batch into equal shards: set DropLast")
	}
	if cfg.Seed == 0 {
		cfg.Seed = net.Seed
	}
	if cfg.Schedule == "" {
		cfg.Schedule = "cosine"
	}
	t := &Trainer{net: net, cfg: cfg, train: cfg.Train, val: cfg.Val, test: cfg.Test, mean: cfg.Mean, std: cfg.Std}
	if t.mean == nil && t.std == nil {
		if m, s, ok := datasets.StandardNorm(cfg.Train.Name, cfg.Train.C); ok {
			t.mean, t.std = m, s
		} else {
			t.mean, t.std = datasets.NormStats(cfg.Train)
		}
	}
	if cfg.ValFraction > 0 {
		var err error
		if t.train, t.val, err = datasets.Split(cfg.Train, cfg.ValFraction, cfg.Seed); err != nil {
			return nil, bad("ValFraction: %w", err)
		}
	}
	feat, classes := net.InPop.Features(), net.Logits.Shape[1]
	for _, s := range []struct {
		name string
		set  *datasets.Set
	}{{"Train", t.train}, {"Val", t.val}, {"Test", t.test}} {
		if s.set == nil {
			continue
		}
		if err := s.set.Validate(); err != nil {
			return nil, bad("%s: %w", s.name, err)
		}
		if f := s.set.C * s.set.H * s.set.W; f != feat {
			return nil, bad("%s holds %d×%d×%d images (%d values) but the network's input takes %d: build its Input for the data", s.name, s.set.C, s.set.H, s.set.W, f, feat)
		}
		if s.set.Classes > classes {
			return nil, bad("%s has %d classes but the network's readout only %d: give the readout one unit per class", s.name, s.set.Classes, classes)
		}
	}
	if err := t.loaderConfig().Validate(t.train); err != nil {
		return nil, bad("%w", err)
	}
	n := t.train.Len()
	if t.per = n / cfg.Batch; !cfg.DropLast && n%cfg.Batch != 0 {
		t.per++
	}
	t.total = cfg.Epochs * t.per
	if r := n % cfg.Batch; r != 0 && !cfg.DropLast {
		if cfg.Twin == nil {
			return nil, bad("the %d training samples leave a last batch of %d (batch %d): set TrainerConfig.Twin to build the network at batch %d, or DropLast to drop it", n, r, cfg.Batch, r)
		}
		tail, err := cfg.Twin(r)
		if err != nil {
			return nil, err
		}
		if tail == nil || tail.Batch != r {
			return nil, bad("TrainerConfig.Twin(%d) returned no network of batch %d", r, r)
		}
		if err := tail.ShareModulators(net); err != nil {
			return nil, err
		}
		for _, m := range cfg.Monitors {
			if _, ok := m.(*network.Recorder); ok {
				return nil, bad("a network.Recorder records the network it was made for, but the last batch of %d (of %d training samples, batch %d) runs on the twin network: set DropLast, or a batch size that divides %d", r, n, cfg.Batch, n)
			}
		}
		t.tail = tail
	}
	t.best = math.NaN()
	return t, nil
}

// loaderConfig is the training loader's configuration.
func (t *Trainer) loaderConfig() datasets.LoaderConfig {
	c := t.cfg
	return datasets.LoaderConfig{Batch: c.Batch, Shuffle: true, Seed: c.Seed, Mean: t.mean, Std: t.std, Crop: cropPad(c.Augment), Flip: c.Augment, DropLast: c.DropLast}
}

// OnStep registers f to run after every training step, in the order
// registered. An error stops Run, which returns it as is (ErrStopEarly:
// a clean stop).
func (t *Trainer) OnStep(f func(StepInfo) error) { t.onStep = append(t.onStep, f) }

// OnEpoch registers f to run at the end of every epoch, after evaluation,
// in the order registered. An error stops Run, which returns it as is
// (ErrStopEarly: a clean stop).
func (t *Trainer) OnEpoch(f func(EpochInfo) error) { t.onEpoch = append(t.onEpoch, f) }

// StepsPerEpoch is the number of training steps in an epoch: ⌈N/Batch⌉,
// or ⌊N/Batch⌋ with DropLast.
func (t *Trainer) StepsPerEpoch() int { return t.per }

// Position is where the run stands: after Run, where it stopped.
func (t *Trainer) Position() Position { return t.pos }

// Resume makes the next Run continue from p instead of where the trainer
// stands (epoch 0 for a new one). Restore the network's state saved with p
// first (network.RestoreCheckpoint): the run then continues bit for bit as
// if never stopped.
func (t *Trainer) Resume(p Position) error {
	if p.Epoch < 0 || p.Epoch > t.cfg.Epochs || p.Batch < 0 || p.Batch > t.per || p.Seen < 0 || p.Correct < 0 {
		return fmt.Errorf("experiments: Trainer.Resume: position epoch %d batch %d (seen %d, correct %d) is outside this run of %d epochs of %d steps: resume with the config the position was saved from", p.Epoch, p.Batch, p.Seen, p.Correct, t.cfg.Epochs, t.per)
	}
	t.pos = p
	return nil
}

// Val is the validation set evaluated at every epoch's end (nil: none):
// TrainerConfig.Val, or the split ValFraction held out.
func (t *Trainer) Val() *datasets.Set { return t.val }

// Test is the test set evaluated at every epoch's end (nil: none).
func (t *Trainer) Test() *datasets.Set { return t.test }

// Run trains from the trainer's position to the end of the last epoch. It
// returns early, with the epochs finished so far, when ctx is cancelled
// (after the step in progress; the error is ctx.Err()), when a step fails
// (a *network.NumericError names the step and tensor), when a callback
// returns an error, or cleanly (nil error, StoppedEarly) on ErrStopEarly or
// EarlyStop. A later Run continues from where this one stopped.
func (t *Trainer) Run(ctx context.Context) (*TrainerResult, error) {
	res := &TrainerResult{}
	t.noteBest(res)
	if t.cfg.FreezeHidden {
		t.net.SetFrozen(true)
		if t.tail != nil {
			t.tail.SetFrozen(true)
		}
	}
	if t.pos.Epoch >= t.cfg.Epochs {
		return res, nil
	}
	l, err := datasets.NewLoader(t.train, t.loaderConfig())
	if err != nil {
		return res, err
	}
	defer l.Close()
	done := t.pos.Epoch*t.per + t.pos.Batch
	t.base = t.net.Step() - done
	t.hyper = t.cfg.Hyper
	if done > 0 {
		t.setRates(t.net.Step() - 1) // the rates of the last step taken, for an epoch that ends at once
	}
	for e := t.pos.Epoch; e < t.cfg.Epochs; e++ {
		if e != t.pos.Epoch {
			t.pos = Position{Epoch: e}
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		w, live := t.cfg.Progress, t.cfg.Progress != nil
		if w == nil {
			w = io.Discard
		}
		t.bar = progress.NewTo(w, live, fmt.Sprintf("epoch %d/%d", e+1, t.cfg.Epochs), t.per*t.cfg.Batch, "img")
		t.bar.Add(t.pos.Batch * t.cfg.Batch)
		l.Start(e, t.pos.Batch)
		for {
			if err := ctx.Err(); err != nil {
				t.bar.Done()
				return res, err
			}
			bt, ok := l.Next()
			if !ok {
				break
			}
			if stop, err := t.step(bt); err != nil || stop {
				t.bar.Done()
				if stop {
					res.StoppedEarly, res.StopReason = true, fmt.Sprintf("a step callback returned ErrStopEarly at step %d", t.net.Step())
				}
				return res, err
			}
		}
		t.bar.Done()
		info, err := t.endEpoch(e)
		if err != nil {
			return res, err
		}
		res.Epochs = append(res.Epochs, info)
		stop, err := call(t.onEpoch, info)
		if err != nil {
			return res, err
		}
		if stop {
			res.StoppedEarly, res.StopReason = true, fmt.Sprintf("an epoch callback returned ErrStopEarly after epoch %d", info.Epoch)
		}
		if why := t.watch(info); why != "" && !stop {
			res.StoppedEarly, res.StopReason, stop = true, why, true
		}
		t.noteBest(res)
		t.pos = Position{Epoch: e + 1}
		if stop {
			return res, nil
		}
	}
	return res, nil
}

// noteBest copies the best epoch so far into res.
func (t *Trainer) noteBest(res *TrainerResult) {
	if t.bestEpoch > 0 {
		res.BestEpoch, res.Best = t.bestEpoch, t.best
	}
}

// setRates sets the step's learning rates from the schedule at the
// network's step s.
func (t *Trainer) setRates(s int) {
	m := float32(LRAt(t.cfg.Schedule, s-t.base, t.total))
	t.hyper.HiddenLR, t.hyper.ReadoutLR = t.cfg.Hyper.HiddenLR*m, t.cfg.Hyper.ReadoutLR*m
}

// step trains on one batch — on the twin network when it is the partial
// last one — and runs the step callbacks; stop reports ErrStopEarly. It
// allocates nothing (callbacks and monitors aside).
func (t *Trainer) step(bt *datasets.Batch) (stop bool, err error) {
	t.setRates(t.net.Step())
	began := time.Now()
	net := t.net
	if bt.N < t.cfg.Batch { // the last, partial batch: the twin takes the step
		if err := t.tail.CopyStateFrom(t.net); err != nil {
			return false, err
		}
		net = t.tail
	}
	st, err := net.TrainStep(bt.X, bt.Y, t.hyper, t.cfg.Monitors...)
	if err != nil {
		if t.stepErr != nil {
			err = t.stepErr(err)
		}
		return false, err
	}
	if net != t.net {
		if err := t.net.CopyStateFrom(net); err != nil {
			return false, err
		}
	}
	p := &t.pos
	p.Seconds += time.Since(began).Seconds()
	p.LossSum += st.Loss * float64(bt.N)
	p.Correct += st.Correct
	p.Seen += bt.N
	p.Batch++
	t.bar.Add(bt.N)
	if len(t.onStep) == 0 {
		return false, nil
	}
	return call(t.onStep, StepInfo{Position: *p, Epochs: t.cfg.Epochs, StepsPerEpoch: t.per, Step: t.net.Step(), N: bt.N, Stats: st, Hyper: t.hyper})
}

// call runs callbacks in order: the first error other than ErrStopEarly
// ends the loop and is returned; ErrStopEarly lets the others run and sets
// stop.
func call[I any](fs []func(I) error, info I) (stop bool, err error) {
	for _, f := range fs {
		if err := f(info); errors.Is(err, ErrStopEarly) {
			stop = true
		} else if err != nil {
			return stop, err
		}
	}
	return stop, nil
}

// endEpoch checks the weights for NaN/Inf and evaluates validation and test.
func (t *Trainer) endEpoch(e int) (EpochInfo, error) {
	if err := t.net.CheckFinite(); err != nil {
		return EpochInfo{}, err
	}
	valLoss, valAcc, err := evalSet(t.net, t.val, t.mean, t.std)
	if err != nil {
		return EpochInfo{}, err
	}
	testLoss, testAcc, err := evalSet(t.net, t.test, t.mean, t.std)
	if err != nil {
		return EpochInfo{}, err
	}
	p := t.pos
	info := EpochInfo{Epoch: e + 1, Epochs: t.cfg.Epochs, StepsPerEpoch: t.per, Step: t.net.Step(), Seen: p.Seen,
		ValLoss: valLoss, ValAcc: valAcc, TestLoss: testLoss, TestAcc: testAcc, Seconds: p.Seconds, LR: float64(t.hyper.HiddenLR), Hyper: t.hyper}
	if t.cfg.FreezeHidden {
		info.LR = float64(t.hyper.ReadoutLR)
	}
	if p.Seen > 0 {
		info.TrainLoss = p.LossSum / float64(p.Seen)
		info.TrainAcc = float64(p.Correct) / float64(p.Seen)
	}
	if p.Seconds > 0 {
		info.ImagesPerS = float64(p.Seen) / p.Seconds
	}
	return info, nil
}

// watch updates the best epoch (by EarlyStop's metric, else validation
// accuracy) and returns why the run must stop, or "".
func (t *Trainer) watch(info EpochInfo) string {
	es := t.cfg.EarlyStop
	v, lower := info.ValAcc, false
	if es != nil && es.metric() == "val_loss" {
		v, lower = info.ValLoss, true
	}
	if v < 0 { // no validation set
		return ""
	}
	delta := 0.0
	if es != nil {
		delta = es.MinDelta
	}
	improved := math.IsNaN(t.best) || (!lower && v > t.best+delta) || (lower && v < t.best-delta)
	if improved {
		t.best, t.bestEpoch, t.wait = v, info.Epoch, 0
		return ""
	}
	t.wait++
	if es == nil || t.wait < es.Patience {
		return ""
	}
	return fmt.Sprintf("early stop: %s has not improved by more than %g for %d epochs (best %.4g at epoch %d)", es.metric(), es.MinDelta, t.wait, t.best, t.bestEpoch)
}

// Evaluate scores the network on s in eval mode (BN running statistics, no
// dropout), normalised as the training data, and returns the mean
// cross-entropy and the fraction of samples predicted right.
func (t *Trainer) Evaluate(s *datasets.Set) (loss, acc float64, err error) {
	if s == nil || s.Len() == 0 {
		return 0, 0, fmt.Errorf("experiments: Trainer.Evaluate: no samples to evaluate: pass a non-empty set")
	}
	return evalSet(t.net, s, t.mean, t.std)
}

// evalSet runs net in eval mode over a whole set (the last batch padded)
// and returns mean loss and accuracy; −1, −1 for no set.
func evalSet(net *network.Network, s *datasets.Set, mean, std []float32) (loss, acc float64, err error) {
	if s == nil || s.Len() == 0 {
		return -1, -1, nil
	}
	l, err := datasets.NewLoader(s, datasets.LoaderConfig{Batch: net.Batch, Mean: mean, Std: std})
	if err != nil {
		return 0, 0, err
	}
	defer l.Close()
	l.Start(0, 0)
	feat := net.InPop.Features()
	x := make([]float32, net.Batch*feat)
	y := make([]int32, net.Batch)
	var sum float64
	var correct int
	for {
		bt, ok := l.Next()
		if !ok {
			break
		}
		copy(x, bt.X[:bt.N*feat])
		clear(x[bt.N*feat:])
		copy(y, bt.Y[:bt.N])
		clear(y[bt.N:])
		ls, c := net.Evaluate(x, y, bt.N)
		sum += ls
		correct += c
	}
	n := float64(s.Len())
	return sum / n, float64(correct) / n, nil
}
