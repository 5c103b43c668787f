package experiments

import (
	"errors"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ghlsim/backends/torch"
	"ghlsim/internal/runfiles"
	"ghlsim/internal/safetensors"
)

// distWorkers joins world in-process workers to one Gloo process group on
// loopback (each rank in its own goroutine, as NewDist blocks until all have
// joined); it skips without a shim that has Gloo.
func distWorkers(t *testing.T, world int) []*torch.Dist {
	t.Helper()
	if f, err := torch.DistFeatures(); err != nil || !strings.Contains(f, "gloo") {
		if os.Getenv("GHLSIM_REQUIRE_TORCH") == "1" {
			t.Fatalf("GHLSIM_REQUIRE_TORCH=1 but no Gloo process group (features %q): %v", f, err)
		}
		t.Skipf("data parallelism unavailable (shim features %q): %v", f, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ds := make([]*torch.Dist, world)
	errs := make([]error, world)
	var wg sync.WaitGroup
	for r := range world {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ds[r], errs[r] = torch.NewDist(torch.DistConfig{Addr: "127.0.0.1", Port: port, Rank: r, World: world, Timeout: 30 * time.Second})
		}()
	}
	wg.Wait()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	t.Cleanup(func() {
		for _, d := range ds {
			d.Close()
		}
	})
	return ds
}

// trainWorkers runs Train on every worker concurrently, rank r writing
// dirs[r], and returns their errors.
func trainWorkers(cfg TrainConfig, ds []*torch.Dist, dirs []string, stops []chan struct{}) []error {
	errs := make([]error, len(ds))
	var wg sync.WaitGroup
	for r, d := range ds {
		o := opts(dirs[r])
		o.Dist = &DistOptions{Reducer: d}
		if stops != nil {
			o.Stop = stops[r]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[r] = Train(cfg, o)
		}()
	}
	wg.Wait()
	return errs
}

// TestTrainDataParallel runs a whole training job (DeepHebb with its
// training-mode BatchNorms and dropout, GHL, one epoch) on two workers and
// checks it against the same job in one process: same metrics and, within
// float32 rounding, the same weights; both workers end bit-identical, and
// rank 0's dist.json accounts for what was sent.
func TestTrainDataParallel(t *testing.T) {
	cfg := tinyConfig("ghl")
	cfg.Epochs = 1
	cfg.DropLast = true // data-parallel runs drop the last partial batch; so does the reference
	single := t.TempDir()
	if _, err := Train(cfg, opts(single)); err != nil {
		t.Fatal(err)
	}
	ds := distWorkers(t, 2)
	dirs := []string{t.TempDir(), t.TempDir()}
	for r, err := range trainWorkers(cfg, ds, dirs, nil) {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	want, err := safetensors.ReadFile(filepath.Join(single, runfiles.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	var got [2]safetensors.File
	for r := range got {
		if got[r], err = safetensors.ReadFile(filepath.Join(dirs[r], runfiles.WeightsFile)); err != nil {
			t.Fatal(err)
		}
	}
	overall := 0.0
	for name, w := range want.Tensors {
		a, b := got[0].Tensors[name].Data, got[1].Tensors[name].Data
		worst := 0.0
		for i := range w.Data {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatalf("%s[%d]: the workers disagree", name, i)
			}
			worst = max(worst, math.Abs(float64(a[i]-w.Data[i]))/(1e-5+1e-3*math.Abs(float64(w.Data[i]))))
		}
		if worst > 1 {
			t.Errorf("%s: %.2f× the tolerance |Δ| ≤ 1e-5 + 1e-3·|w| from one process", name, worst)
		}
		overall = max(overall, worst)
	}
	t.Logf("worst weight difference from one process: %.3f of the tolerance", overall)
	m1, _ := runfiles.ReadJSONL[runfiles.Epoch](filepath.Join(single, runfiles.MetricsFile))
	m2, _ := runfiles.ReadJSONL[runfiles.Epoch](filepath.Join(dirs[0], runfiles.MetricsFile))
	if len(m1) != 1 || len(m2) != 1 || m1[0].Step != m2[0].Step || math.Abs(m1[0].Loss-m2[0].Loss) > 1e-5 || m1[0].TrainAcc != m2[0].TrainAcc {
		t.Errorf("metrics differ: one process %+v, data-parallel %+v", m1, m2)
	}
	rec, err := runfiles.ReadJSON[DistRecord](filepath.Join(dirs[0], DistFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dist.json: %+v", rec)
	if rec.Workers != 2 || rec.ShardBatch != cfg.Batch/2 || rec.Collective != "gloo" || rec.BytesPerStep != rec.ExactBytesPerStep ||
		rec.VoteBytesPerStep != rec.ExactBytesPerStep-3*int64(rec.Votable) || rec.Votable == 0 || rec.Hebbian == 0 {
		t.Errorf("dist.json %+v", rec)
	}
}

// TestTrainDataParallelStopsTogether checks that a stop request on one
// worker stops every worker after the same step: rank 1's Stop is closed
// before training, rank 0's never, and both must return ErrInterrupted at
// step 1 with the checkpoint written.
func TestTrainDataParallelStopsTogether(t *testing.T) {
	cfg := tinyConfig("ghl")
	ds := distWorkers(t, 2)
	dirs := []string{t.TempDir(), t.TempDir()}
	stops := []chan struct{}{make(chan struct{}), make(chan struct{})}
	close(stops[1])
	for r, err := range trainWorkers(cfg, ds, dirs, stops) {
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("rank %d: %v, want ErrInterrupted", r, err)
		}
	}
	for r, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, runfiles.CheckpointFile)); err != nil {
			t.Errorf("rank %d: %v", r, err)
		}
	}
}

// TestTrainDataParallelRefuses checks the configurations data parallelism
// rejects with a message that says what to change.
func TestTrainDataParallelRefuses(t *testing.T) {
	ds := distWorkers(t, 1)
	for _, c := range []struct {
		edit func(*TrainConfig)
		want string
	}{
		{func(c *TrainConfig) { c.Rule = "softhebb" }, "one process"},
		{func(c *TrainConfig) { c.TelemetryStride = 1 }, "telemetry"},
	} {
		cfg := tinyConfig("ghl")
		c.edit(&cfg)
		o := opts(t.TempDir())
		o.Dist = &DistOptions{Reducer: ds[0]}
		if _, err := Train(cfg, o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error mentioning %q", cfg, err, c.want)
		}
	}
}
