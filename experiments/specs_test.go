package experiments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/internal/runfiles"
)

// TestSmokeBudgets runs every registered experiment at the smoke budget (what
// CI runs), checks the table, and checks that a rerun resumes without redoing
// finished cells.
func TestSmokeBudgets(t *testing.T) {
	if testing.Short() {
		t.Skip("smoke experiments take tens of seconds")
	}
	for _, name := range SpecNames() {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			opt := RunOptions{Spec: name, Budget: "smoke", Seeds: 1, Out: dir, OpenBackend: opts("").OpenBackend}
			tab, err := RunExperiment(opt)
			if err != nil {
				t.Fatal(err)
			}
			spec, _ := Lookup(name)
			cells, _ := spec.Cells("smoke")
			got := 0
			for _, r := range tab.Rows {
				for _, c := range r.Cells {
					got++
					if c.N != 1 || len(c.Values) != 1 || c.Mean < 0 || c.Mean > 100 {
						t.Errorf("%s/%s: %+v", r.Name, c.Column, c)
					}
				}
			}
			if got != len(cells) {
				t.Fatalf("table has %d cells, spec %d", got, len(cells))
			}
			for _, f := range []string{"spec.json", "table.json", "table.csv", "table.md", runfiles.ConfigFile} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Error(err)
				}
			}
			md, _ := os.ReadFile(filepath.Join(dir, "table.md"))
			hasPaper := false
			for _, c := range cells {
				hasPaper = hasPaper || c.Paper != nil
			}
			if hasPaper && !strings.Contains(string(md), "(paper)") {
				t.Error("table.md lacks the paper's column")
			}
			// Resume: a finished run redoes nothing (result files untouched).
			res := filepath.Join(cellDir(dir, cells[0], 1), "result.json")
			before, _ := os.Stat(res)
			if _, err := RunExperiment(opt); err != nil {
				t.Fatal(err)
			}
			after, _ := os.Stat(res)
			if !before.ModTime().Equal(after.ModTime()) {
				t.Error("rerun redid a finished cell")
			}
			// Another budget into the same directory is refused.
			opt.Budget = "cpu"
			if _, err := RunExperiment(opt); err == nil || !strings.Contains(err.Error(), "holds experiment") {
				t.Errorf("mixing budgets: %v", err)
			}
		})
	}
}

func TestPaperSpecsCoverTheTables(t *testing.T) {
	want := map[string]int{"table1": 7, "table5": 6}
	for name, n := range want {
		spec, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range Budgets {
			cells, err := spec.Cells(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(cells) != n {
				t.Errorf("%s/%s: %d cells, want %d", name, b, len(cells), n)
			}
			for _, c := range cells {
				if c.Paper == nil {
					t.Errorf("%s: cell %s has no paper number", name, c.ID())
				}
				cfg := c.Config
				cfg.RuleDefaults()
				if err := cfg.Validate(); err != nil {
					t.Errorf("%s/%s %s: %v", name, b, c.ID(), err)
				}
			}
		}
	}
	spec, _ := Lookup("table4")
	cpu, _ := spec.Cells("cpu")
	if len(cpu) != 4 || cpu[0].Config.Arch != "resnet20" || cpu[3].Config.Arch != "resnet56" {
		t.Errorf("table4 cpu budget must report ResNet-20/32/44/56, got %d cells", len(cpu))
	}
	full, _ := spec.Cells("full")
	if full[len(full)-1].Config.Arch != "resnet1202" {
		t.Error("table4 full budget lacks ResNet-1202")
	}
	pol, _ := Lookup("polarity")
	pc, _ := pol.Cells("cpu")
	flips, delays := 0, 0
	for _, c := range pc {
		if c.Config.Dataset != "fashion-mnist" {
			t.Errorf("polarity cpu cell on %s", c.Config.Dataset)
		}
		switch c.Param {
		case "flip probability":
			flips++
		case "delay (steps)":
			delays++
		}
	}
	if flips != 6 || delays != 3 {
		t.Errorf("polarity sweeps %d flip and %d delay values", flips, delays)
	}
	pf, _ := pol.Cells("full")
	if len(pf) != 3*len(pc) {
		t.Errorf("polarity full budget has %d cells, want 3 datasets × %d", len(pf), len(pc))
	}
}

// A run directory whose spec.json another build wrote for the same
// experiment, budget and seeds (a column added since) is refused with a
// message that says so, not one asking to rerun the same arguments.
func TestChangedSpecRefusedByName(t *testing.T) {
	dir := t.TempDir()
	sf := SpecFile{Experiment: "spiking-mnist", Version: 1, Budget: "cpu", Seeds: 3, Title: "old"}
	if err := prepareExperimentDir(dir, sf); err != nil {
		t.Fatal(err)
	}
	if err := prepareExperimentDir(dir, sf); err != nil {
		t.Fatalf("the same spec refused: %v", err)
	}
	sf.Title = "new"
	err := prepareExperimentDir(dir, sf)
	if err == nil || !strings.Contains(err.Error(), "another build of ghlsim") || strings.Contains(err.Error(), "rerun with the same arguments") {
		t.Fatalf("changed spec: %v", err)
	}
}
