package experiments

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/backends/cpu"
	"ghlsim/datasets"
	"ghlsim/internal/progress"
	"ghlsim/internal/runfiles"
	"ghlsim/network"
)

// trainerSets are tinyConfig's data as a script loads it: synthetic
// 1×28×28 images, 160 for training, 64 for testing.
func trainerSets(t testing.TB) (train, test *datasets.Set) {
	t.Helper()
	train, test, err := datasets.Load("synthetic", "")
	if err != nil {
		t.Fatal(err)
	}
	return datasets.Head(train, 160), datasets.Head(test, 64)
}

// trainerBuild builds tinyConfig's network (DeepHebb at width 0.05) at any
// batch size on one shared backend, the TrainerConfig.Twin of the tests.
func trainerBuild(s *datasets.Set, r network.Rules) func(batch int) (*network.Network, error) {
	b := cpu.New(2)
	return func(batch int) (*network.Network, error) {
		n := network.New(b, batch, 1)
		if err := network.BuildArch(n, "deephebb", network.ArchOptions{C: s.C, H: s.H, W: s.W, Classes: s.Classes, Width: 0.05}); err != nil {
			return nil, err
		}
		return n, n.Build(r)
	}
}

// newTestTrainer is a trainer of batch 16 over 160 − 30 = 130 training
// images (ValFraction 0.2): 9 steps an epoch, the last of 2 images on the
// twin, for epochs epochs.
func newTestTrainer(t testing.TB, epochs int, edit func(*TrainerConfig)) (*Trainer, *network.Network) {
	t.Helper()
	train, test := trainerSets(t)
	build := trainerBuild(train, network.Rules{Hidden: "ghl"})
	net, err := build(16)
	if err != nil {
		t.Fatal(err)
	}
	c := TrainerDefaults()
	c.Train, c.Test, c.ValFraction, c.Epochs, c.Twin = train, test, 0.2, epochs, build
	if edit != nil {
		edit(&c)
	}
	tr, err := NewTrainer(net, c)
	if err != nil {
		t.Fatal(err)
	}
	return tr, net
}

// TestTrainerCallbacks: OnStep fires once per step with the epoch's
// position, OnEpoch once per epoch with its end-of-epoch scores; the last,
// partial batch (130 images at batch 20: 6 of 20 and one of 10) runs on
// the twin.
func TestTrainerCallbacks(t *testing.T) {
	train, test := trainerSets(t)
	train, val, err := datasets.Split(train, 0.2, 1) // 130 + 30
	if err != nil {
		t.Fatal(err)
	}
	build := trainerBuild(train, network.Rules{Hidden: "ghl"})
	net, err := build(20)
	if err != nil {
		t.Fatal(err)
	}
	c := TrainerDefaults()
	c.Train, c.Val, c.Test, c.Epochs, c.Twin = train, val, test, 2, build
	tr, err := NewTrainer(net, c)
	if err != nil {
		t.Fatal(err)
	}
	if tr.StepsPerEpoch() != 7 {
		t.Fatalf("steps per epoch %d, want 7", tr.StepsPerEpoch())
	}
	var steps []StepInfo
	var epochs []EpochInfo
	tr.OnStep(func(s StepInfo) error { steps = append(steps, s); return nil })
	tr.OnEpoch(func(e EpochInfo) error { epochs = append(epochs, e); return nil })
	res, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 14 || len(epochs) != 2 || len(res.Epochs) != 2 || res.StoppedEarly {
		t.Fatalf("%d step and %d epoch callbacks, %d epochs in the result (stopped early %v); want 14, 2, 2", len(steps), len(epochs), len(res.Epochs), res.StoppedEarly)
	}
	for i, s := range steps {
		wantN := 20
		if i%7 == 6 {
			wantN = 10
		}
		if s.Step != i+1 || s.Epoch != i/7 || s.Batch != i%7+1 || s.N != wantN || s.StepsPerEpoch != 7 || s.Epochs != 2 {
			t.Errorf("step callback %d: step %d epoch %d batch %d of %d, N %d; want step %d epoch %d batch %d of 7, N %d", i, s.Step, s.Epoch, s.Batch, s.StepsPerEpoch, s.N, i+1, i/7, i%7+1, wantN)
		}
		if s.Hyper.HiddenLR <= 0 || s.Hyper.HiddenLR > 1e-2 || (i > 0 && s.Hyper.HiddenLR >= steps[i-1].Hyper.HiddenLR) {
			t.Errorf("step %d: hidden rate %g does not follow the cosine schedule down from 1e-2", s.Step, s.Hyper.HiddenLR)
		}
	}
	if last := steps[6]; last.Seen != 130 || last.TrainLoss() <= 0 || last.TrainAcc() < 0 || last.TrainAcc() > 1 {
		t.Errorf("end of epoch 1: seen %d (want 130), running loss %v, accuracy %v", last.Seen, last.TrainLoss(), last.TrainAcc())
	}
	for i, e := range epochs {
		if e.Epoch != i+1 || e.Step != 7*(i+1) || e.Seen != 130 || e.ValAcc < 0 || e.TestAcc <= 0 || e.ValLoss <= 0 || e.LR != float64(steps[7*i+6].Hyper.HiddenLR) {
			t.Errorf("epoch callback %d: %+v", i, e)
		}
	}
	loss, acc, err := tr.Evaluate(test)
	if err != nil || loss != epochs[1].TestLoss || acc != epochs[1].TestAcc {
		t.Errorf("Evaluate(test) = %v, %v, %v; the last epoch recorded %v, %v", loss, acc, err, epochs[1].TestLoss, epochs[1].TestAcc)
	}
	if _, _, err := tr.Evaluate(nil); err == nil {
		t.Error("Evaluate(nil): no error")
	}
}

// TestTrainerStepErrorStops: an error from OnStep ends Run at that step
// and comes back as is.
func TestTrainerStepErrorStops(t *testing.T) {
	tr, net := newTestTrainer(t, 2, nil)
	boom := errors.New("boom")
	calls := 0
	tr.OnStep(func(s StepInfo) error {
		calls++
		if s.Step == 3 {
			return boom
		}
		return nil
	})
	tr.OnEpoch(func(EpochInfo) error { t.Error("an epoch ended after the step callback failed"); return nil })
	res, err := tr.Run(context.Background())
	if err != boom {
		t.Fatalf("Run returned %v, want the callback's error", err)
	}
	if calls != 3 || net.Step() != 3 || len(res.Epochs) != 0 || res.StoppedEarly {
		t.Errorf("after the failing step: %d calls, network at step %d, %d epochs, stopped early %v; want 3, 3, 0, false", calls, net.Step(), len(res.Epochs), res.StoppedEarly)
	}
}

// TestTrainerEarlyStop: EarlyStop ends the run once its metric has not
// improved for Patience epochs (MinDelta 2 makes no accuracy an
// improvement after the first epoch); ErrStopEarly from OnEpoch stops it
// cleanly after that epoch, the later callbacks still seeing it.
func TestTrainerEarlyStop(t *testing.T) {
	for _, metric := range []string{"val_acc", "val_loss"} {
		delta := 2.0
		if metric == "val_loss" {
			delta = 100
		}
		tr, net := newTestTrainer(t, 10, func(c *TrainerConfig) { c.EarlyStop = &EarlyStop{Metric: metric, Patience: 2, MinDelta: delta} })
		res, err := tr.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Epochs) != 3 || !res.StoppedEarly || res.BestEpoch != 1 || net.Step() != 27 || !strings.Contains(res.StopReason, metric) {
			t.Errorf("%s: %d epochs, stopped early %v (%q), best epoch %d, step %d; want 3 epochs (the best, then 2 without improvement), true, 1, 27", metric, len(res.Epochs), res.StoppedEarly, res.StopReason, res.BestEpoch, net.Step())
		}
	}

	tr, net := newTestTrainer(t, 10, nil)
	tr.OnEpoch(func(e EpochInfo) error {
		if e.Epoch == 2 {
			return ErrStopEarly
		}
		return nil
	})
	seen := 0
	tr.OnEpoch(func(EpochInfo) error { seen++; return nil })
	res, err := tr.Run(context.Background())
	if err != nil || len(res.Epochs) != 2 || !res.StoppedEarly || seen != 2 || net.Step() != 18 {
		t.Errorf("ErrStopEarly after epoch 2: err %v, %d epochs, stopped early %v, later callback saw %d epochs, step %d; want nil, 2, true, 2, 18", err, len(res.Epochs), res.StoppedEarly, seen, net.Step())
	}
}

// TestTrainerContextCancel: cancelling the context stops Run after the
// step in progress with ctx.Err(); a second Run continues from there and
// ends with the weights of an uninterrupted run, bit for bit.
func TestTrainerContextCancel(t *testing.T) {
	ref, refNet := newTestTrainer(t, 2, nil)
	if _, err := ref.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	tr, net := newTestTrainer(t, 2, nil)
	ctx, cancel := context.WithCancel(context.Background())
	tr.OnStep(func(s StepInfo) error {
		if s.Step == 5 {
			cancel()
		}
		return nil
	})
	res, err := tr.Run(ctx)
	if !errors.Is(err, context.Canceled) || net.Step() != 5 || len(res.Epochs) != 0 {
		t.Fatalf("cancelled at step 5: err %v, network at step %d, %d epochs; want context.Canceled, 5, 0", err, net.Step(), len(res.Epochs))
	}
	if p := tr.Position(); p.Epoch != 0 || p.Batch != 5 || p.Seen != 80 {
		t.Errorf("position after the cancel %+v, want epoch 0 batch 5 seen 80", p)
	}
	res, err = tr.Run(context.Background())
	if err != nil || len(res.Epochs) != 2 || net.Step() != 18 {
		t.Fatalf("continued run: err %v, %d epochs, step %d", err, len(res.Epochs), net.Step())
	}
	want, got := refNet.SaveState(network.KindWeight, network.KindBuffer, network.KindEligibility), net.SaveState(network.KindWeight, network.KindBuffer, network.KindEligibility)
	for name, w := range want {
		for i, v := range w.Data {
			if got[name].Data[i] != v {
				t.Fatalf("%s[%d]: cancelled and continued %v, uninterrupted %v", name, i, got[name].Data[i], v)
			}
		}
	}
}

// TestTrainerWritesNoFile: a Trainer run, with a recorder and a progress
// line, leaves its working directory empty.
func TestTrainerWritesNoFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	train, test := trainerSets(t)
	net, err := trainerBuild(train, network.Rules{Hidden: "ghl"})(16)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := network.NewRecorder(net, network.RecordOptions{Every: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Add("channel", "loss", 0); err != nil {
		t.Fatal(err)
	}
	c := TrainerDefaults()
	c.Train, c.Test, c.ValFraction, c.DropLast = train, test, 0.2, true // 8 steps
	c.Monitors, c.Progress = []network.Monitor{rec}, io.Discard
	tr, err := NewTrainer(net, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.Trace(0)) != 4 || rec.Err != nil {
		t.Errorf("the recorder saw %d of the epoch's 8 steps at stride 2 (err %v), want 4", len(rec.Trace(0)), rec.Err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the Trainer wrote %d file(s) into its working directory, e.g. %s", len(entries), entries[0].Name())
	}
}

// TestTrainerEqualsTrain: the Trainer, given what Train derives from its
// config, trains to Train's weights bit for bit (a partial last batch, a
// delayed modulator, the cosine schedule) and reports its metrics.
func TestTrainerEqualsTrain(t *testing.T) {
	cfg := tinyConfig("ghl")
	cfg.Batch, cfg.Modulator = 20, "delay:2"
	dir := t.TempDir()
	if _, err := Train(cfg, opts(dir)); err != nil {
		t.Fatal(err)
	}
	train, test := trainerSets(t)
	build := trainerBuild(train, network.Rules{Hidden: "ghl", Modulator: "delay:2", Steps: 14})
	net, err := build(20)
	if err != nil {
		t.Fatal(err)
	}
	c := TrainerDefaults()
	c.Train, c.Test, c.ValFraction, c.Epochs, c.Twin = train, test, 0.2, 2, build
	tr, err := NewTrainer(net, c)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(t.TempDir(), "w.safetensors")
	if err := net.WriteWeights(mine, map[string]string{"rule": "ghl", "arch": "deephebb", "dataset": "synthetic"}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, runfiles.WeightsFile))
	b, _ := os.ReadFile(mine)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatal("the Trainer's weights differ from Train's")
	}
	eps, _ := runfiles.ReadJSONL[runfiles.Epoch](filepath.Join(dir, runfiles.MetricsFile))
	if len(eps) != 2 {
		t.Fatalf("Train wrote %d metrics lines", len(eps))
	}
	for i, e := range res.Epochs {
		r := eps[i]
		if e.Epoch != r.Epoch || e.Step != r.Step || e.TrainLoss != r.Loss || e.TrainAcc != r.TrainAcc || e.ValLoss != r.ValLoss || e.ValAcc != r.ValAcc || e.TestLoss != r.TestLoss || e.TestAcc != r.TestAcc || e.LR != r.LR {
			t.Errorf("epoch %d: Trainer %+v, Train %+v", i+1, e, r)
		}
	}
}

// TestTrainerStepAllocs: a training step through the Trainer (schedule,
// running sums, callbacks; on the twin for the partial batch) allocates
// nothing after warm-up.
func TestTrainerStepAllocs(t *testing.T) {
	tr, _ := newTestTrainer(t, 1, func(c *TrainerConfig) { c.ValFraction = 0.25 }) // 120 images: 7 batches of 16, one of 8
	calls := 0
	tr.OnStep(func(s StepInfo) error { calls += s.N; return nil })
	tr.bar = progress.NewTo(io.Discard, false, "", 0, "img")
	l, err := datasets.NewLoader(tr.train, tr.loaderConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Start(0, 0)
	var last *datasets.Batch
	for bt, ok := l.Next(); ok; bt, ok = l.Next() {
		if bt.N == 16 {
			if a := testing.AllocsPerRun(3, func() {
				if _, err := tr.step(bt); err != nil {
					t.Fatal(err)
				}
			}); a != 0 {
				t.Errorf("a full-batch step allocates %v times", a)
			}
		}
		if last = bt; bt.N < 16 {
			break
		}
	}
	if last == nil || last.N != 8 {
		t.Fatalf("no partial batch of 8")
	}
	if a := testing.AllocsPerRun(3, func() {
		if _, err := tr.step(last); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("a partial-batch step on the twin allocates %v times", a)
	}
	if calls == 0 {
		t.Error("the step callback never ran")
	}
}

// TestNewTrainerRefuses: configurations NewTrainer refuses name the fix.
func TestNewTrainerRefuses(t *testing.T) {
	train, test := trainerSets(t)
	build := trainerBuild(train, network.Rules{Hidden: "ghl"})
	net, err := build(20)
	if err != nil {
		t.Fatal(err)
	}
	other := datasets.Synthetic(64, 3, 16, 16, 10, 1)
	rec, err := network.NewRecorder(net, network.RecordOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*TrainerConfig)
		want string
	}{
		{"no data", func(c *TrainerConfig) { c.Train = nil }, "set Train"},
		{"no epochs", func(c *TrainerConfig) { c.Epochs = 0 }, "Epochs 0"},
		{"partial batch without twin", func(c *TrainerConfig) { c.Twin = nil }, "set TrainerConfig.Twin to build the network at batch 10, or DropLast"},
		{"batch", func(c *TrainerConfig) { c.Batch = 32 }, "build the network at the batch it trains with"},
		{"schedule", func(c *TrainerConfig) { c.Schedule = "linear" }, "use cosine, constant or steps"},
		{"rate", func(c *TrainerConfig) { c.Hyper.HiddenLR = -1 }, "Hyper.HiddenLR -1"},
		{"val twice", func(c *TrainerConfig) { c.Val = test }, "not both"},
		{"early stop without val", func(c *TrainerConfig) { c.ValFraction, c.EarlyStop = 0, &EarlyStop{Patience: 1} }, "no validation set"},
		{"early stop patience", func(c *TrainerConfig) { c.EarlyStop = &EarlyStop{} }, "Patience 0"},
		{"early stop metric", func(c *TrainerConfig) { c.EarlyStop = &EarlyStop{Metric: "test_acc", Patience: 1} }, "use val_acc or val_loss"},
		{"shape", func(c *TrainerConfig) { c.Test = other }, "3×16×16 images"},
		{"recorder on the twin", func(c *TrainerConfig) { c.Monitors = []network.Monitor{rec} }, "set DropLast"},
	} {
		cfg := TrainerDefaults()
		cfg.Train, cfg.Test, cfg.ValFraction, cfg.Epochs, cfg.Twin = train, test, 0.2, 1, build
		c.edit(&cfg)
		if _, err := NewTrainer(net, cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error containing %q", c.name, err, c.want)
		}
	}
}
