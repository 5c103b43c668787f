package network_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/backends/torch"
	"ghlsim/network"
)

// The data-parallel tests run each worker as a process of this test binary
// (TestDistNetWorker, selected by GHL_DIST_NET_WORKER) with RANK,
// WORLD_SIZE, MASTER_ADDR and MASTER_PORT set as torchrun would; the workers
// talk through ProcessGroupGloo on 127.0.0.1 and write their final state to
// JSON files that the parent compares.

const (
	distBatch = 12 // the global batch: 2 workers × 6, 3 workers × 4
	distSteps = 3
	distSeed  = 21
)

var distHyper = network.Hyper{HiddenLR: 0.05, HiddenWD: 0.01, ReadoutLR: 0.05}

// distNet has every op that couples the samples of a batch or draws per
// sample: affine and non-affine training-mode BatchNorm (2-d and 4-d), dropout, fused and
// unfused Hebbian terms (conv and dense), biases, a residual add and a BP
// readout.
func distNet(t testing.TB, b backends.Backend, batch int, rule string) *network.Network {
	t.Helper()
	n := network.New(b, batch, distSeed)
	x := n.Input(2, 6, 6)
	h := n.BatchNorm(x, "bn0", true)
	h = n.Conv(h, network.ConvSpec{Name: "conv1", Out: 4, Kernel: 3, Pad: 1, TInv: 1})
	h = n.Act(h, "act1", backends.ActParams{Kind: backends.ReLU})
	h = n.MaxPool(h, "pool1", backends.PoolParams{Kernel: 2, Stride: 2})
	r := n.Conv(h, network.ConvSpec{Name: "conv2", Out: 4, Kernel: 3, Pad: 1, Mode: backends.PadReflect, Bias: true, TInv: 0.5})
	r = n.Act(r, "act2", backends.ActParams{Kind: backends.ReLU})
	h = n.Add(h, r, "res")
	h = n.BatchNorm(h, "bn2", false)
	h = n.Flatten(h, "flat")
	h = n.Dense(h, network.DenseSpec{Name: "fc1", Out: 8, TInv: 1})
	h = n.BatchNorm(h, "bn3", true) // BatchNorm1d on [B, N]
	h = n.Act(h, "act3", backends.ActParams{Kind: backends.ReLU})
	h = n.Dropout(h, "drop", 0.25)
	n.Dense(h, network.DenseSpec{Name: "fc", Out: 3, Bias: true, Init: network.InitUniform, Role: network.Readout})
	if err := n.Build(network.Rules{Hidden: rule}); err != nil {
		t.Fatal(err)
	}
	return n
}

// distBackend opens a compute backend by name; torch ones skip the test
// when the shim is missing (fail under GHLSIM_REQUIRE_TORCH=1).
func distBackend(t testing.TB, name string) backends.Backend {
	t.Helper()
	if name == "cpu" {
		return cpu.New(1)
	}
	b, err := backends.New(name)
	if err != nil {
		if errors.Is(err, torch.ErrUnavailable) && os.Getenv("GHLSIM_REQUIRE_TORCH") != "1" {
			t.Skipf("%s unavailable: %v", name, err)
		}
		t.Fatal(err)
	}
	b.SetThreads(1)
	t.Cleanup(func() { b.Close() })
	return b
}

// distRecord is what a run leaves for comparison.
type distRecord struct {
	State  map[string][]float32 // weights, BN running statistics, eligibilities
	Losses []float64
	Right  []int
	// Votes[step][group] are this worker's local signs sent in vote mode;
	// Mods[step][group] the modulator it then applied.
	Votes, Mods [][][]float32
	Stats       network.CommStats
	Votable     int
}

// distRun trains distSteps global batches and records the result.
func distRun(t testing.TB, n *network.Network, rec *distRecord, votes *voteRecorder) {
	t.Helper()
	for s := range distSteps {
		x, y := batch(uint64(300+s), distBatch, 2*6*6, 3)
		st, err := n.TrainStep(x, y, distHyper)
		if err != nil {
			t.Fatal(err)
		}
		rec.Losses = append(rec.Losses, st.Loss)
		rec.Right = append(rec.Right, st.Correct)
		if votes != nil {
			rec.Votes = append(rec.Votes, votes.last)
			var mods [][]float32
			for _, g := range n.Groups {
				if g.Modulator != nil {
					mods = append(mods, download(n.B, g.Modulator))
				}
			}
			rec.Mods = append(rec.Mods, mods)
		}
	}
	rec.State = map[string][]float32{}
	for name, h := range n.SaveState(network.KindWeight, network.KindBuffer, network.KindEligibility) {
		rec.State[name] = h.Data
	}
	rec.Stats = n.DistStats()
	rec.Votable = n.VotableElems()
}

func download(b backends.Backend, t backends.Tensor) []float32 {
	h := make([]float32, t.Shape().Len())
	b.Download(h, t)
	return h
}

// voteRecorder wraps a Reducer and keeps host copies of what Vote sends.
type voteRecorder struct {
	network.Reducer
	last [][]float32
}

func (v *voteRecorder) Vote(ts []backends.Tensor) error {
	v.last = nil
	for _, t := range ts {
		h := download(t.Backend(), t)
		for i, x := range h {
			h[i] = float32(sgn(float64(x)))
		}
		v.last = append(v.last, h)
	}
	return v.Reducer.Vote(ts)
}

func sgn(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// TestDistNetWorker is one spawned data-parallel worker; it does nothing
// when run directly.
func TestDistNetWorker(t *testing.T) {
	mode := os.Getenv("GHL_DIST_NET_WORKER")
	if mode == "" {
		t.Skip("only runs as a spawned worker")
	}
	rank, _ := strconv.Atoi(os.Getenv("RANK"))
	world, _ := strconv.Atoi(os.Getenv("WORLD_SIZE"))
	port, _ := strconv.Atoi(os.Getenv("MASTER_PORT"))
	d, err := torch.NewDist(torch.DistConfig{Addr: os.Getenv("MASTER_ADDR"), Port: port, Rank: rank, World: world, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	b := distBackend(t, os.Getenv("GHL_DIST_NET_BACKEND"))
	n := distNet(t, b, distBatch/world, os.Getenv("GHL_DIST_NET_RULE"))
	opt := network.DistOptions{Reducer: d, Vote: mode == "vote"}
	var votes *voteRecorder
	if opt.Vote {
		votes = &voteRecorder{Reducer: d}
		opt.Reducer = votes
	}
	if err := n.SetDist(opt); err != nil {
		t.Fatal(err)
	}
	var rec distRecord
	distRun(t, n, &rec, votes)
	raw, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(os.Getenv("GHL_DIST_NET_OUT"), fmt.Sprintf("rank%d.json", rank)), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.Barrier(); err != nil {
		t.Fatal(err)
	}
}

// spawnNet runs world workers and returns their records.
func spawnNet(t *testing.T, world int, mode, backend, rule string) []distRecord {
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
	dir := t.TempDir()
	var wg sync.WaitGroup
	outs, errs := make([]string, world), make([]error, world)
	for r := range world {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDistNetWorker$")
		cmd.Env = append(os.Environ(), "GHL_DIST_NET_WORKER="+mode, "GHL_DIST_NET_BACKEND="+backend,
			"GHL_DIST_NET_RULE="+rule, "GHL_DIST_NET_OUT="+dir, "RANK="+strconv.Itoa(r),
			"WORLD_SIZE="+strconv.Itoa(world), "MASTER_ADDR=127.0.0.1", "MASTER_PORT="+strconv.Itoa(port),
			"GOMAXPROCS=1")
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			kill := time.AfterFunc(60*time.Second, func() {
				if cmd.Process != nil {
					cmd.Process.Kill()
				}
			})
			defer kill.Stop()
			out, err := cmd.CombinedOutput()
			outs[r], errs[r] = string(out), err
		}(r)
	}
	wg.Wait()
	recs := make([]distRecord, world)
	for r := range world {
		if errs[r] != nil {
			t.Fatalf("worker %d: %v\n%s", r, errs[r], outs[r])
		}
		raw, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("rank%d.json", r)))
		if err != nil {
			t.Fatalf("worker %d left no record: %v\n%s", r, err, outs[r])
		}
		if err := json.Unmarshal(raw, &recs[r]); err != nil {
			t.Fatal(err)
		}
	}
	return recs
}

// Tolerances of the data-parallel equivalence (float32 throughout). The
// workers sum their shards' contributions in a different order than one
// process sums the whole batch, and SyncBN recovers the shard variance from
// the saved 1/sqrt(var+eps), so results agree to rounding, not bit for bit:
// after distSteps steps every tensor must satisfy
// |a − b| ≤ distAbsTol + distRelTol·|b|. A GHL step moves a synapse by
// ±η·|Ĥ|; a gradient within rounding of zero could flip its sign and move it
// the other way, which these tolerances would catch (none occurs here).
const (
	distAbsTol = 2e-5
	distRelTol = 2e-4
)

// TestDistMatchesSingleProcess is the data-parallel equivalence: two Gloo
// workers on loopback, each training on its half of every batch, must end
// with the weights, BN running statistics, eligibilities, losses and
// correct counts of one process training on the whole batches (three GHL
// steps; also the bp rule), on the cpu backend (host staging) and on
// torch:cpu (collectives on the tensors themselves). Both workers must hold
// bit-identical weights.
func TestDistMatchesSingleProcess(t *testing.T) {
	for _, c := range []struct{ backend, rule string }{{"cpu", "ghl"}, {"torch:cpu", "ghl"}, {"cpu", "bp"}} {
		t.Run(c.backend+"/"+c.rule, func(t *testing.T) {
			var want distRecord
			distRun(t, distNet(t, distBackend(t, c.backend), distBatch, c.rule), &want, nil)
			recs := spawnNet(t, 2, "exact", c.backend, c.rule)
			for name, w := range want.State {
				a, b := recs[0].State[name], recs[1].State[name]
				if len(a) != len(w) {
					t.Fatalf("%s: %d values, want %d", name, len(a), len(w))
				}
				worst, at := 0.0, 0
				for i := range w {
					if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
						t.Fatalf("%s[%d]: the workers disagree (%g vs %g)", name, i, a[i], b[i])
					}
					e := math.Abs(float64(a[i]-w[i])) / (distAbsTol + distRelTol*math.Abs(float64(w[i])))
					if e > worst {
						worst, at = e, i
					}
				}
				t.Logf("%-22s worst error %.3f of tolerance (at %d: %g vs %g)", name, worst, at, a[at], w[at])
				if worst > 1 {
					t.Errorf("%s[%d] = %g, single process %g", name, at, a[at], w[at])
				}
			}
			for s := range want.Losses {
				if math.Abs(recs[0].Losses[s]-want.Losses[s]) > 1e-5 || recs[0].Right[s] != want.Right[s] {
					t.Errorf("step %d: loss %g correct %d, single process %g %d", s, recs[0].Losses[s], recs[0].Right[s], want.Losses[s], want.Right[s])
				}
			}
			st := recs[0].Stats
			t.Logf("per step: %d collectives, %d B (%d float32, %d of them Hebbian; %d float64)", st.Collectives, st.Bytes(), st.ExactElems, st.HebbElems, st.Float64Elems)
			if st.VoteElems != 0 || st.ExactElems == 0 || st.Bytes() != st.ExactBytes() {
				t.Errorf("exact mode stats %+v", st)
			}
		})
	}
}

// TestDistMajorityVote checks majority vote's defining property on the
// tiny network: after each step, every modulated group's modulator M (what
// the GHL update multiplies by) equals sign(Σ_workers local sign) — with
// three workers the elementwise majority, with two workers 0 wherever they
// disagree — and it is the same on every worker. The votes cost one byte per
// synapse.
func TestDistMajorityVote(t *testing.T) {
	for _, world := range []int{3, 2} {
		t.Run(strconv.Itoa(world), func(t *testing.T) {
			recs := spawnNet(t, world, "vote", "cpu", "ghl")
			disagree, ties, total := 0, 0, 0
			for s := range distSteps {
				for g := range recs[0].Mods[s] {
					m := recs[0].Mods[s][g]
					for i := range m {
						sum, pos, neg := 0, 0, 0
						for r := range world {
							v := int(recs[r].Votes[s][g][i])
							sum += v
							if v > 0 {
								pos++
							} else if v < 0 {
								neg++
							}
							if recs[r].Mods[s][g][i] != m[i] {
								t.Fatalf("step %d group %d [%d]: workers apply different modulators", s, g, i)
							}
						}
						if int(m[i]) != sgn(float64(sum)) {
							t.Fatalf("step %d group %d [%d]: votes %d for, %d against, modulator %g", s, g, i, pos, neg, m[i])
						}
						if pos > 0 && neg > 0 {
							disagree++
						}
						if m[i] == 0 && pos+neg > 0 {
							ties++
						}
						total++
					}
				}
			}
			t.Logf("%d workers: %d modulator values, %d with disagreeing votes, %d ties (M = 0)", world, total, disagree, ties)
			if disagree == 0 {
				t.Error("no worker ever disagreed: the test does not exercise the vote")
			}
			if world == 2 && ties == 0 {
				t.Error("two workers never tied")
			}
			st := recs[0].Stats
			t.Logf("per step: %d B with votes, %d B with exact sums (%d votes)", st.Bytes(), st.ExactBytes(), st.VoteElems)
			if st.VoteElems != recs[0].Votable || st.Bytes() != st.ExactBytes()-3*int64(st.VoteElems) {
				t.Errorf("vote mode stats %+v (votable %d)", st, recs[0].Votable)
			}
		})
	}
}
