package main

import (
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/experiments"
	"ghlsim/internal/runfiles"
)

// ghl bench --profile prints, per configuration, the backend ops of
// ghlsim's step (calls, ms and % of the step) and writes them to
// profile.json; the ops account for most of the profiled step (the rest is
// the network's Go code between ops) and the profiled step is close to the
// timed one. bench.jsonl keeps one row per configuration.
func TestBenchProfile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bench")
	args := tinyBench(dir, "--profile", "--rules", "ghl,bp")
	for i, a := range args {
		if a == "--repeats" {
			args[i+1] = "3"
		}
	}
	out := ghl(t, nil, 0, args...)
	for _, want := range []string{"calls/step", "ms/step", "% of step", "Conv2DBackwardWeightHebb", "(between ops)", "profile: " + filepath.Join(dir, "profile.json")} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	rows, err := runfiles.ReadJSONL[runfiles.Bench](filepath.Join(dir, runfiles.BenchFile))
	if err != nil {
		t.Fatal(err)
	}
	profs, err := runfiles.ReadJSON[[]experiments.BenchProfile](filepath.Join(dir, "profile.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || len(profs) != 2 {
		t.Fatalf("%d bench rows and %d profiles, want 2 each", len(rows), len(profs))
	}
	for i, p := range profs {
		if p.Config != rows[i].Config || p.Impl != "ghlsim/cpu" || p.Repeats != 3 {
			t.Errorf("profile %d is %s %s ×%d, row %s", i, p.Config, p.Impl, p.Repeats, rows[i].Config)
		}
		var sum, pct float64
		ops := map[string]experiments.BenchOp{}
		for _, o := range p.Ops {
			sum += o.MSPerStep
			pct += o.PctOfStep
			ops[o.Op] = o
			if !(o.MSPerStep > 0) || !(o.CallsPerStep > 0) {
				t.Errorf("%s %s: %+v", p.Config, o.Op, o)
			}
		}
		if c := ops["Conv2D"]; c.CallsPerStep != 3 {
			t.Errorf("%s: Conv2D %+v, want 3 calls per step", p.Config, c)
		}
		if !(sum <= p.StepMS*1.0001 && sum >= 0.5*p.StepMS) || !(pct <= 100.01 && pct >= 50) {
			t.Errorf("%s: ops sum to %.3f ms (%.1f %%) of a %.3f ms step", p.Config, sum, pct, p.StepMS)
		}
		if d := p.StepMS - sum - p.OtherMS; d > 1e-6 || d < -1e-6 {
			t.Errorf("%s: other %.4f ms, step − ops %.4f ms", p.Config, p.OtherMS, p.StepMS-sum)
		}
		if r := p.StepMS / p.MedianMS; r < 0.25 || r > 4 {
			t.Errorf("%s: profiled step %.2f ms vs timed median %.2f ms", p.Config, p.StepMS, p.MedianMS)
		}
		if d := p.MedianMS - rows[i].MedianS*1e3; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: profile's timed median %.4f ms, bench.jsonl %.4f ms", p.Config, p.MedianMS, rows[i].MedianS*1e3)
		}
	}
}
