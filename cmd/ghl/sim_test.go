package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ghl sim runs a model file, writes every monitor as CSV (in chunks, so the
// files are the same whatever the chunk length) and config.json, refuses a
// used run directory, and names a misspelt parameter.
func TestSimCommand(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join("..", "..", "examples", "models", "da_stdp.json")
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	ghl(t, nil, 0, "sim", model, "--out", a, "--chunk-ms", "250")
	ghl(t, nil, 0, "sim", "--out", b, model) // flags anywhere, one chunk per second
	for _, f := range []string{"spikes_cells.csv", "spikes_inputs.csv", "state_cells.V.csv", "state_in.w.csv", "state_in.c.csv", "state_dopamine.d.csv"} {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, _ := os.ReadFile(filepath.Join(b, f))
		if string(x) != string(y) {
			t.Fatalf("%s differs between chunk lengths", f)
		}
		rows, err := csv.NewReader(strings.NewReader(string(x))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %d rows, %v", f, len(rows), err)
		}
	}
	w, _ := os.ReadFile(filepath.Join(a, "state_in.w.csv"))
	if !strings.HasPrefix(string(w), "step,t_ms,w[0],w[7],w[14]\n") || strings.Count(string(w), "\n") != 2001 {
		t.Fatalf("weight file header or length wrong: %.80q", w)
	}
	if _, err := os.Stat(filepath.Join(a, "config.json")); err != nil {
		t.Fatal(err)
	}
	if out := ghl(t, nil, 1, "sim", model, "--out", a); !strings.Contains(out, "not empty") {
		t.Fatalf("reusing a run directory: %s", out)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"dt": 1, "steps": 5, "populations": [{"name": "a", "model": "lif", "n": 1, "tau_mem": 3}]}`), 0o644)
	if out := ghl(t, nil, 1, "sim", bad, "--out", filepath.Join(dir, "c")); !strings.Contains(out, `unknown field "tau_mem"`) {
		t.Fatalf("misspelt parameter: %s", out)
	}
}
