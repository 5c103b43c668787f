package network_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ghlsim/backends/cpu"
	"ghlsim/network"
)

// handReader is the oracle of the recorder tests: on due steps it
// downloads whole tensors by hand, after the broadcast (Before) and at the
// end of the step (After).
type handReader struct {
	every  int
	before []map[string][]float32
	after  []map[string][]float32
	stats  []network.StepStats
	credit []float64
}

func (h *handReader) Due(step int) bool { return step%h.every == 0 }

func (h *handReader) Before(n *network.Network, step int) {
	m := map[string][]float32{}
	for _, g := range n.Groups {
		m[g.Name+".weight"] = download(n.B, g.Weight.Value)
		m[g.Name+".grad"] = download(n.B, g.Weight.Grad)
		if g.Trace != nil {
			e := download(n.B, g.Trace)
			for i := range e {
				e[i] *= g.TraceScale
			}
			m[g.Name+".eligibility"] = e
		}
		if g.Modulator != nil {
			m[g.Name+".modulator"] = download(n.B, g.Modulator)
		}
	}
	m["act1.activity"] = download(n.B, n.Population("act1").Act)
	h.before = append(h.before, m)
	h.credit = append(h.credit, n.Channel.GlobalCredit())
}

func (h *handReader) After(n *network.Network, st network.StepStats) {
	m := map[string][]float32{}
	for _, g := range n.Groups {
		m[g.Name+".weight"] = download(n.B, g.Weight.Value)
	}
	h.after = append(h.after, m)
	h.stats = append(h.stats, st)
}

// TestRecorderMatchesTensors: every recorded value equals the group's
// tensor read by hand at that step (weight and Δw at the end of the step,
// eligibility Trace·TraceScale, modulator and gradient after the
// broadcast, the channel's loss, correct count and credit), at flat
// indices and at (post, pre) and per-axis coordinates, every 2 steps — on
// the host-memory path and on the download path a device backend takes.
func TestRecorderMatchesTensors(t *testing.T) {
	for _, c := range []struct {
		viaHost bool
		mod     string
	}{{true, "flip:0.3"}, {false, "flip:0.3"}, {true, "grad-sign@global"}, {false, "grad-sign@global"}} {
		t.Run(fmt.Sprintf("viaHost=%v/%s", c.viaHost, c.mod), func(t *testing.T) {
			defer network.SetRecordViaHost(c.viaHost)()
			b := cpu.New(1)
			n := tinyNetMod(t, b, "ghl", c.mod, 5)
			rec, err := network.NewRecorder(n, network.RecordOptions{Every: 2, Steps: 6})
			if err != nil {
				t.Fatal(err)
			}
			conv1 := []int{0, 7, 53} // conv1 W is [3, 2, 3, 3]: 54 synapses
			for _, v := range []string{"weight", "eligibility", "modulator", "grad", "delta"} {
				if err := rec.Add("conv1", v, conv1...); err != nil {
					t.Fatal(err)
				}
			}
			// conv2 W is [3, 3, 3, 3]: (post 1, pre 5) = 32; (2, 0, 1, 2) = 59.
			if err := rec.AddAt("conv2", "eligibility", []int{1, 5}, []int{2, 0, 1, 2}); err != nil {
				t.Fatal(err)
			}
			if err := rec.Add("fc", "weight", 4); err != nil {
				t.Fatal(err)
			}
			// act1 is [4, 3, 6, 6]: unit 5 of sample 0, and (sample 3, unit 100).
			if err := rec.Add("act1", "activity", 5); err != nil {
				t.Fatal(err)
			}
			if err := rec.AddAt("act1", "activity", []int{3, 100}); err != nil {
				t.Fatal(err)
			}
			for _, v := range []string{"loss", "correct", "credit"} {
				if err := rec.Add(network.ChannelTarget, v); err != nil {
					t.Fatal(err)
				}
			}
			hand := &handReader{every: 2}
			h := network.Hyper{HiddenLR: 0.05, ReadoutLR: 0.01}
			for k := 0; k < 6; k++ {
				x, y := batch(uint64(20+k), 4, 72, 3)
				if _, err := n.TrainStep(x, y, h, rec, hand); err != nil {
					t.Fatal(err)
				}
			}
			if err := rec.Flush(); err != nil {
				t.Fatal(err)
			}
			if len(rec.Steps) != 3 || rec.Steps[0] != 0 || rec.Steps[2] != 4 {
				t.Fatalf("recorded steps %v, want [0 2 4]", rec.Steps)
			}
			want := func(r int, col string) float64 {
				name, idx, _ := strings.Cut(strings.TrimSuffix(col, "]"), "[")
				var i int
				fmt.Sscan(idx, &i)
				switch {
				case name == "channel.loss":
					return hand.stats[r].Loss
				case name == "channel.correct":
					return float64(hand.stats[r].Correct)
				case name == "channel.credit":
					return hand.credit[r]
				case strings.HasSuffix(name, ".weight"):
					return float64(hand.after[r][name][i])
				case strings.HasSuffix(name, ".delta"):
					w := strings.TrimSuffix(name, ".delta") + ".weight"
					return float64(hand.after[r][w][i] - hand.before[r][w][i])
				}
				return float64(hand.before[r][name][i])
			}
			cols := rec.Columns()
			if cols[0] != "conv1.weight[0]" || cols[15] != "conv2.eligibility[32]" || cols[16] != "conv2.eligibility[59]" {
				t.Errorf("columns %v", cols)
			}
			nonzero := map[string]bool{}
			for r := range rec.Steps {
				for q, col := range cols {
					got, exp := float64(rec.Values[r*len(cols)+q]), float64(float32(want(r, col)))
					if got != exp {
						t.Errorf("row %d (step %d) %s = %v, read by hand %v", r, rec.Steps[r], col, got, exp)
					}
					if got != 0 {
						nonzero[col[:strings.Index(col, "[")]] = true
					}
				}
			}
			// Every variable moved (a recorder reading zeros would pass the above).
			for _, v := range []string{"conv1.weight", "conv1.eligibility", "conv1.modulator", "conv1.grad", "conv1.delta", "conv2.eligibility", "fc.weight", "act1.activity", "channel.loss"} {
				if !nonzero[v] {
					t.Errorf("%s recorded only zeros", v)
				}
			}
			if strings.HasSuffix(c.mod, "@global") != nonzero["channel.credit"] {
				t.Errorf("%s: channel.credit nonzero = %v", c.mod, nonzero["channel.credit"])
			}
			// The Synapse view reads the same weight and eligibility after the
			// last step (step 5, not recorded: compare with the tensors now).
			g := n.Groups[0]
			v := g.Synapse(b, 1, 7) // flat 1·18 + 7 = 25
			e := download(b, g.Trace)
			if w := download(b, g.Weight.Value); v.Weight != w[25] || v.Eligibility != e[25]*g.TraceScale {
				t.Errorf("Synapse view (%v, %v) disagrees with the tensors (%v, %v)", v.Weight, v.Eligibility, w[25], e[25]*g.TraceScale)
			}
		})
	}
}

// TestRecorderCSV: WriteCSV writes the documented header and one row per
// recorded step; a recorder streaming to Path with room for two rows in
// memory writes the same file over several flushes and keeps at most two
// rows in memory.
func TestRecorderCSV(t *testing.T) {
	dir := t.TempDir()
	run := func(opt network.RecordOptions) *network.Recorder {
		n := tinyNetMod(t, cpu.New(1), "ghl", "", 2)
		rec, err := network.NewRecorder(n, opt)
		if err != nil {
			t.Fatal(err)
		}
		if err := rec.Add("conv1", "eligibility", 3, 4); err != nil {
			t.Fatal(err)
		}
		if err := rec.Add(network.ChannelTarget, "loss"); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 7; k++ {
			x, y := batch(uint64(k), 4, 72, 3)
			if _, err := n.TrainStep(x, y, network.Hyper{HiddenLR: 0.05, ReadoutLR: 0.01}, rec); err != nil {
				t.Fatal(err)
			}
			if len(rec.Steps) > 2 && opt.Path != "" {
				t.Fatalf("step %d: %d rows in memory, over the bound of 2", k, len(rec.Steps))
			}
		}
		if err := rec.Flush(); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	mem := run(network.RecordOptions{Every: 2})
	whole := filepath.Join(dir, "whole.csv")
	if err := mem.WriteCSV(whole); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if lines[0] != "step,conv1.eligibility[3],conv1.eligibility[4],channel.loss[0]" || len(lines) != 5 {
		t.Fatalf("CSV:\n%s\nwant the header step,conv1.eligibility[3],conv1.eligibility[4],channel.loss[0] and 4 rows (steps 0, 2, 4, 6)", got)
	}
	for r, l := range lines[1:] {
		f := strings.Split(l, ",")
		if f[0] != fmt.Sprint(2*r) || len(f) != 4 || f[3] != strconv.FormatFloat(float64(mem.Values[r*3+2]), 'g', -1, 32) {
			t.Errorf("row %d: %q (values %v)", r, l, mem.Values[r*3:r*3+3])
		}
	}
	streamed := filepath.Join(dir, "streamed.csv")
	os.WriteFile(streamed, []byte("an older file\n"), 0o644)
	run(network.RecordOptions{Every: 2, Path: streamed, MaxBytes: 2 * (8 + 4*3)})
	if again, _ := os.ReadFile(streamed); string(again) != string(got) {
		t.Errorf("streamed CSV differs from the in-memory one:\n%s\nwant\n%s", again, got)
	}
}

// TestRecorderMemoryBound: with the run's length known the bound is
// checked when the column is added; without it, a recorder without Path
// that fills MaxBytes stops, keeps its rows and says why in Err.
func TestRecorderMemoryBound(t *testing.T) {
	n := tinyNetMod(t, cpu.New(1), "ghl", "", 2)
	rec, _ := network.NewRecorder(n, network.RecordOptions{Steps: 1000, MaxBytes: 1 << 10})
	err := rec.Add("conv1", "weight")
	if err == nil || !strings.Contains(err.Error(), "1000 rows") || !strings.Contains(err.Error(), "set Path") {
		t.Fatalf("all 54 weights for 1000 steps in 1 KiB: %v, want a refusal naming the rows and the fixes", err)
	}
	rec, _ = network.NewRecorder(n, network.RecordOptions{MaxBytes: 3 * (8 + 4*2)})
	if err := rec.Add("conv1", "weight", 0, 1); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 5; k++ {
		x, y := batch(uint64(k), 4, 72, 3)
		if _, err := n.TrainStep(x, y, network.Hyper{HiddenLR: 0.05, ReadoutLR: 0.01}, rec); err != nil {
			t.Fatal(err)
		}
	}
	if len(rec.Steps) != 3 || rec.Err == nil || !strings.Contains(rec.Err.Error(), "reached MaxBytes = 48 at step 3") {
		t.Errorf("rows %v, Err %v; want 3 rows and an error at step 3", rec.Steps, rec.Err)
	}
	if err := rec.Flush(); err != rec.Err {
		t.Errorf("Flush returned %v, want Err", err)
	}
}

// TestRecorderBadNames: unknown targets, variables, indices and
// coordinates are errors that name the problem and what exists.
func TestRecorderBadNames(t *testing.T) {
	n := tinyNetMod(t, cpu.New(1), "ghl", "", 2)
	rec, err := network.NewRecorder(n, network.RecordOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		target, v string
		idx       []int
		coords    [][]int
		want      []string
	}{
		{"conv9", "weight", []int{0}, nil, []string{`"conv9" is not a synapse group`, "conv1, conv2, fc"}},
		{"conv1", "elig", []int{0}, nil, []string{`no variable "elig"`, "weight, eligibility, modulator, grad, delta", "activity", "loss, correct, credit"}},
		{"conv1", "weight", []int{54}, nil, []string{"conv1.weight has 54 elements", "index 54 is outside", "AddAt"}},
		{"conv1", "weight", []int{-1}, nil, []string{"index -1 is outside"}},
		{"fc", "eligibility", []int{0}, nil, []string{"group fc learns by bp, which keeps no eligibility", "weight, grad and delta"}},
		{"fc", "modulator", []int{0}, nil, []string{"keeps no modulator"}},
		{"conv1", "loss", []int{0}, nil, []string{`"loss" is a variable of the modulator channel`, `Add("channel", "loss")`}},
		{"channel", "loss", []int{1}, nil, []string{"channel.loss has 1 elements", "index 1 is outside"}},
		{"act9", "activity", []int{0}, nil, []string{`"act9" is not a population`, "act1"}},
		{"conv1", "weight", nil, [][]int{{3, 0}}, []string{"conv1.weight [3 0]", "outside [3×2×3×3]", "first number runs to 2"}},
		{"conv1", "weight", nil, [][]int{{0, 0, 0}}, []string{"3 numbers for a [3×2×3×3] tensor", "give 2", "or 4"}},
		{"conv1", "weight", nil, [][]int{{0, 2, 0, 0}}, []string{"axis 1 runs to 1"}},
		{"channel", "credit", nil, [][]int{{0, 0}}, []string{"has one element", `Add("channel", "credit")`}},
	} {
		var err error
		if c.coords != nil {
			err = rec.AddAt(c.target, c.v, c.coords...)
		} else {
			err = rec.Add(c.target, c.v, c.idx...)
		}
		if err == nil {
			t.Errorf("%s.%s %v %v: no error", c.target, c.v, c.idx, c.coords)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s.%s %v %v: %q does not say %q", c.target, c.v, c.idx, c.coords, err, w)
			}
		}
	}
	if len(rec.Columns()) != 0 {
		t.Errorf("failed Adds left columns %v", rec.Columns())
	}
	if err := rec.Add("conv1", "weight", 0); err != nil {
		t.Fatal(err)
	}
	x, y := batch(1, 4, 72, 3)
	if _, err := n.TrainStep(x, y, network.Hyper{}, rec); err != nil {
		t.Fatal(err)
	}
	if err := rec.Add("conv1", "grad", 0); err == nil || !strings.Contains(err.Error(), "before the first TrainStep") {
		t.Errorf("a column added after recording started: %v", err)
	}
	if _, err := network.NewRecorder(network.New(cpu.New(1), 2, 1), network.RecordOptions{}); err == nil || !strings.Contains(err.Error(), "build the network first") {
		t.Errorf("recorder of an unbuilt network: %v", err)
	}
	if _, err := network.NewRecorder(n, network.RecordOptions{Every: -1}); err == nil || !strings.Contains(err.Error(), "must be ≥ 0") {
		t.Errorf("Every −1: %v", err)
	}
}

// TestRecorderAllocatesNothing: after the first recorded step, a training
// step that records weights, eligibilities, modulators, Δw, activity and
// the loss allocates nothing, on both read paths.
func TestRecorderAllocatesNothing(t *testing.T) {
	for _, viaHost := range []bool{true, false} {
		restore := network.SetRecordViaHost(viaHost)
		n := tinyNetMod(t, cpu.New(1), "ghl", "", 1)
		rec, err := network.NewRecorder(n, network.RecordOptions{Steps: 20})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"weight", "eligibility", "modulator", "grad", "delta"} {
			if err := rec.Add("conv2", v, 0, 9, 80); err != nil {
				t.Fatal(err)
			}
		}
		if err := rec.Add("act1", "activity", 1, 2); err != nil {
			t.Fatal(err)
		}
		if err := rec.Add(network.ChannelTarget, "loss"); err != nil {
			t.Fatal(err)
		}
		x, y := batch(3, 4, 72, 3)
		h := network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}
		for i := 0; i < 2; i++ {
			if _, err := n.TrainStep(x, y, h, rec); err != nil {
				t.Fatal(err)
			}
		}
		if allocs := testing.AllocsPerRun(5, func() {
			if _, err := n.TrainStep(x, y, h, rec); err != nil {
				t.Fatal(err)
			}
		}); allocs != 0 {
			t.Errorf("viaHost=%v: %.1f allocations per recorded step", viaHost, allocs)
		}
		if len(rec.Steps) != 8 || rec.Err != nil {
			t.Errorf("viaHost=%v: %d rows, Err %v; want 8 rows", viaHost, len(rec.Steps), rec.Err)
		}
		restore()
	}
}
