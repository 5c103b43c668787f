package experiments

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ghlsim/internal/runfiles"
	"ghlsim/network"
)

// TestDistalRewardSmoke runs `ghl run distal-reward --budget smoke --seeds
// 1` end to end and checks the table's fields and the cell's files.
func TestDistalRewardSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 20 s of the 1000-neuron network")
	}
	dir := t.TempDir()
	tab, err := RunExperiment(RunOptions{Spec: "distal-reward", Budget: "smoke", Seeds: 1, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Seeds) != 1 || tab.Seeds[0].SimulatedS != 20 || tab.Seeds[0].ExcSynapses != 80000 {
		t.Fatalf("seeds: %+v", tab.Seeds)
	}
	raw, err := os.ReadFile(filepath.Join(dir, runfiles.TableFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Seeds []map[string]any `json:"seeds"`
		Rows  []runfiles.Row   `json:"rows"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"rewarded_weight_mv", "mean_exc_weight_mv", "rewards", "simulated_s", "rewarded_rank", "first_4mv_s", "exc_synapses", "p99_exc_weight_mv"} {
		if _, ok := doc.Seeds[0][k]; !ok {
			t.Errorf("table.json seeds[0] lacks %q: %v", k, doc.Seeds[0])
		}
	}
	if len(doc.Rows) != 1 || len(doc.Rows[0].Cells) != 1 || doc.Rows[0].Cells[0].N != 1 || doc.Rows[0].Cells[0].Values[0] != tab.Seeds[0].RewardedWeightMV {
		t.Errorf("rows: %+v", doc.Rows)
	}
	s := tab.Seeds[0]
	if w := s.RewardedWeightMV; w < 0 || w > 4 || s.MeanExcWeightMV <= 0 || s.MeanExcWeightMV > 4 || s.RewardedRank < 1 || s.RewardedRank > 80000 {
		t.Errorf("implausible result %+v", s)
	}
	cell := filepath.Join(dir, s.Cell)
	recs, err := runfiles.ReadJSONL[runfiles.SimChunk](filepath.Join(cell, runfiles.SimRecordsFile))
	if err != nil || len(recs) != 5 || recs[0].TimeS != 0 || recs[0].MeanExcWeightMV < 0.99 || recs[4].TimeS != 20 || recs[4].Chunk != 4 {
		t.Fatalf("sim.jsonl: %v, %+v", err, recs)
	}
	for _, f := range []string{runfiles.ConfigFile, runfiles.SimCheckpointFile, resultFile,
		"monitors/spikes.csv", "monitors/d.csv", "monitors/v.csv", "monitors/c.csv", "monitors/w.csv", "monitors/apre.csv", "monitors/apost.csv", "monitors/excerpt.json"} {
		if _, err := os.Stat(filepath.Join(cell, f)); err != nil {
			t.Error(err)
		}
	}
	info, err := runfiles.ReadJSON[runfiles.RunInfo](filepath.Join(cell, runfiles.ConfigFile))
	if err != nil || info.Seed != 1 || info.GitRevision == "" || !strings.Contains(info.Command, "distal-reward") {
		t.Errorf("config.json: %v %+v", err, info)
	}
	var cfg DistalConfig
	if err := json.Unmarshal(info.Config, &cfg); err != nil || cfg.NExc != 800 || cfg.DurationS != 20 || cfg.Seed != 1 {
		t.Errorf("recorded config: %v %+v", err, cfg)
	}
	spikes, _ := os.ReadFile(filepath.Join(cell, "monitors/spikes.csv"))
	if !strings.HasPrefix(string(spikes), "index,step,t_ms\n") || strings.Count(string(spikes), "\n") < 100 {
		t.Errorf("spikes.csv: %.200s", spikes)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "table.md"))
	for _, want := range []string{"rewarded (mV)", "rank", "first 4 mV", "of 80000"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("table.md lacks %q:\n%s", want, md)
		}
	}
	st, err := Status(dir, StatusOptions{})
	if err != nil || st.Tasks[0].State != CellFinished || !strings.Contains(st.Tasks[0].Detail, "rewarded") {
		t.Errorf("status: %v %+v", err, st.Tasks)
	}
}

// resumeConfig is a small distal-reward network whose rewards are frequent
// (a wide coincidence window, short latencies), so excerpts of every
// quality are written.
func resumeConfig() DistalConfig {
	c := DefaultDistal()
	c.NExc, c.NInh, c.OutDegree = 80, 20, 20
	c.CoincidenceMS, c.RewardMinMS, c.RewardMaxMS = 100, 200, 600
	c.DurationS, c.ChunkS, c.CheckpointChunks = 12, 1.5, 3
	c.Seed = 5
	return c
}

// finalWeights loads a run's checkpoint into a fresh model.
func finalWeights(t *testing.T, cfg DistalConfig, dir string) []float32 {
	t.Helper()
	m, err := network.NewDistalReward(cfg.Params())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Sim.RegisterState("experiment/first-4mv", []float64{-1}); err != nil {
		t.Fatal(err)
	}
	if err := m.Sim.Load(filepath.Join(dir, runfiles.SimCheckpointFile)); err != nil {
		t.Fatal(err)
	}
	return m.Exc.W
}

// TestDistalResumeBitIdentical interrupts a run (a graceful stop, then a
// crash that leaves records after the checkpoint), resumes it, and
// compares weights, records, result and monitor files with an
// uninterrupted run.
func TestDistalResumeBitIdentical(t *testing.T) {
	cfg := resumeConfig()
	ref := t.TempDir()
	want, err := RunDistal(cfg, DistalOptions{Out: ref})
	if err != nil {
		t.Fatal(err)
	}
	if want.Rewards == 0 {
		t.Fatal("the test config should produce rewards")
	}
	dir := t.TempDir()
	if _, err := RunDistal(cfg, DistalOptions{Out: dir, stopAfter: 2}); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("stop: %v", err)
	}
	if _, err := RunDistal(cfg, DistalOptions{Out: dir}); err == nil {
		t.Fatal("a second run into a started directory without Resume must be refused")
	}
	if _, err := RunDistal(cfg, DistalOptions{Out: dir, Resume: true, crashAfter: 4}); !errors.Is(err, errCrash) {
		t.Fatalf("crash: %v", err)
	}
	other := cfg
	other.DurationS = 15
	if _, err := RunDistal(other, DistalOptions{Out: dir, Resume: true}); err == nil || !strings.Contains(err.Error(), "different config") {
		t.Fatalf("resuming with another config: %v", err)
	}
	got, err := RunDistal(cfg, DistalOptions{Out: dir, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	wa, wb := finalWeights(t, cfg, ref), finalWeights(t, cfg, dir)
	for q := range wa {
		if wa[q] != wb[q] {
			t.Fatalf("weight %d: %v uninterrupted, %v resumed", q, wa[q], wb[q])
		}
	}
	want.Seconds, got.Seconds = 0, 0
	if !reflect.DeepEqual(want, got) {
		t.Errorf("result differs:\n%+v\n%+v", want, got)
	}
	ra, _ := runfiles.ReadJSONL[runfiles.SimChunk](filepath.Join(ref, runfiles.SimRecordsFile))
	rb, _ := runfiles.ReadJSONL[runfiles.SimChunk](filepath.Join(dir, runfiles.SimRecordsFile))
	if len(ra) != 9 || len(ra) != len(rb) {
		t.Fatalf("%d records uninterrupted, %d resumed", len(ra), len(rb))
	}
	for i := range ra {
		ra[i].WallS, rb[i].WallS = 0, 0
		if ra[i] != rb[i] {
			t.Errorf("record %d:\n%+v\n%+v", i, ra[i], rb[i])
		}
	}
	files, _ := filepath.Glob(filepath.Join(ref, runfiles.MonitorsDir, "*"))
	if len(files) != 8 {
		t.Errorf("%d monitor files, want 8: %v", len(files), files)
	}
	for _, f := range files {
		a, _ := os.ReadFile(f)
		b, err := os.ReadFile(filepath.Join(dir, runfiles.MonitorsDir, filepath.Base(f)))
		if err != nil || string(a) != string(b) {
			t.Errorf("%s differs after resuming (%v)", filepath.Base(f), err)
		}
	}
	ex, err := runfiles.ReadJSON[runfiles.MonitorExcerpt](filepath.Join(ref, runfiles.MonitorsDir, runfiles.ExcerptFile))
	if err != nil || ex.Quality != 2 || len(ex.ReleasesS) == 0 || len(ex.TriggersS) == 0 || ex.SpikesToS != 12 || ex.SpikesFromS != 11 {
		t.Errorf("excerpt: %v %+v", err, ex)
	}
	// Finished: running again returns the same result without simulating.
	again, err := RunDistal(cfg, DistalOptions{Out: dir, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	again.Seconds = 0
	if !reflect.DeepEqual(want, again) {
		t.Errorf("rerun of a finished run:\n%+v\n%+v", want, again)
	}
}

func TestDistalConfigErrors(t *testing.T) {
	for name, mod := range map[string]func(*DistalConfig){
		"duration":   func(c *DistalConfig) { c.DurationS = 0 },
		"chunk":      func(c *DistalConfig) { c.ChunkS = 0.5 },
		"chunk step": func(c *DistalConfig) { c.ChunkS = 1.0005 },
		"checkpoint": func(c *DistalConfig) { c.CheckpointChunks = 0 },
		"wmax":       func(c *DistalConfig) { c.STDP.WMax = 3 },
		"network":    func(c *DistalConfig) { c.OutDegree = 5000 },
		"tau":        func(c *DistalConfig) { c.DopamineTauMS = -1 },
	} {
		c := DefaultDistal()
		mod(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := DefaultDistal().Validate(); err != nil {
		t.Fatal(err)
	}
	_, err := PrepareSweep(RunOptions{Spec: "distal-reward", Budget: "smoke", Seeds: 1, Out: t.TempDir(), Backend: "torch:cpu"})
	if err == nil || !strings.Contains(err.Error(), "backend") {
		t.Errorf("--backend torch: %v", err)
	}
	for _, b := range Budgets {
		spec, _ := Lookup("distal-reward")
		cells, err := spec.Cells(b)
		if err != nil || len(cells) != 1 || cells[0].Sim == nil {
			t.Fatalf("%s: %v %+v", b, err, cells)
		}
		want := map[string]float64{"smoke": 20, "cpu": 3600, "full": 18000}[b]
		if cells[0].Sim.DurationS != want || cells[0].Sim.NExc != 800 {
			t.Errorf("%s: %+v", b, cells[0].Sim)
		}
	}
}
