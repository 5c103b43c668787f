package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"ghlsim/backends"
	"ghlsim/internal/buildinfo"
	"ghlsim/internal/progress"
	"ghlsim/internal/quote"
	"ghlsim/internal/runfiles"
	"ghlsim/internal/runlock"
	"ghlsim/network"
)

// simRecord is config.json of a `ghl sim` run.
type simRecord struct {
	Tool        string  `json:"tool"`
	Command     string  `json:"command"`
	Created     string  `json:"created"`
	Model       string  `json:"model"`
	ModelSHA256 string  `json:"model_sha256"`
	DT          float64 `json:"dt_ms"`
	Steps       int64   `json:"steps"`
	Seed        uint64  `json:"seed"`
	Engine      string  `json:"engine"`
	Backend     string  `json:"backend"`
	Device      string  `json:"device"`
	Trials      int     `json:"trials"`
	GoVersion   string  `json:"go_version"`
	GitRevision string  `json:"git_revision"`
}

// cmdSim runs a simulation model file (docs/SIMULATED_TIME.md, "Model
// files" — the same file scripts/brian2/ghlsim_brian2.py runs in Brian2) and
// writes its monitors as CSV, incrementally.
func cmdSim(args []string) error {
	fs := flag.NewFlagSet("ghl sim", flag.ContinueOnError)
	out := fs.String("out", "", "run directory (default runs/sim-<model>-TIME)")
	engine := fs.String("engine", "event", "simulation engine: event (exact, host) or dense (batched tensors on --backend)")
	backendName := fs.String("backend", "cpu", "backend of the dense engine: cpu, torch:cpu, torch:cuda:0")
	trials := fs.Int("trials", 1, "independent trials (dense engine)")
	chunkMS := fs.Float64("chunk-ms", 1000, "simulated ms between writes of the monitor files")
	if rest, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(rest) != 1 {
		return fmt.Errorf("want one model file: ghl sim MODEL.json [--out DIR] (got %d arguments)", len(rest))
	} else {
		args = rest
	}
	path := args[0]
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("model file: %w", err)
	}
	m, err := network.ParseSimModel(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !(*chunkMS > 0) {
		return fmt.Errorf("--chunk-ms %v must be positive", *chunkMS)
	}
	cfg := network.SimConfig{Engine: *engine, Trials: *trials}
	if *engine == "dense" {
		b, err := backends.New(*backendName)
		if err != nil {
			return err
		}
		defer b.Close()
		cfg.Backend = b
	} else if *backendName != "cpu" {
		return fmt.Errorf("--backend %s needs --engine dense (the event engine runs on the host)", quote.Q(*backendName))
	}
	built, err := network.BuildSimModel(m, cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	s := built.Sim
	if *out == "" {
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		*out = filepath.Join("runs", "sim-"+base+"-"+time.Now().Format("20060102-150405"))
	}
	created := false
	if _, err := os.Stat(*out); os.IsNotExist(err) {
		created = true
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := runlock.Hold(*out); err != nil {
		return err
	}
	if entries, _ := os.ReadDir(*out); !created && len(entries) > 1 {
		return fmt.Errorf("--out %s is not empty; a simulation writes into a fresh directory", *out)
	}
	sum := sha256.Sum256(raw)
	device := "host (event engine)"
	if cfg.Backend != nil {
		device = cfg.Backend.Device()
	}
	rec := simRecord{Tool: "ghlsim", Command: "ghl sim " + strings.Join(os.Args[2:], " "), Created: time.Now().UTC().Format(time.RFC3339),
		Model: path, ModelSHA256: hex.EncodeToString(sum[:]), DT: m.DT, Steps: m.Steps, Seed: m.Seed, Engine: *engine,
		Backend: *backendName, Device: device, Trials: *trials, GoVersion: runtime.Version(), GitRevision: buildinfo.Revision()}
	if err := runfiles.WriteJSONAtomic(filepath.Join(*out, "config.json"), rec); err != nil {
		return err
	}
	chunk := int64(*chunkMS / m.DT)
	if chunk < 1 {
		chunk = 1
	}
	stop, release := onInterrupt("writing what was simulated so far")
	defer release()
	bar := progress.New("sim", int(m.Steps), "steps")
	started := time.Now()
	for s.Step() < m.Steps {
		n := min(chunk, m.Steps-s.Step())
		if err := s.Run(n); err != nil {
			return err
		}
		bar.Add(int(n))
		if err := flushSimMonitors(built, *out); err != nil {
			return err
		}
		select {
		case <-stop:
			bar.Done()
			return fmt.Errorf("interrupted at step %d of %d; the monitor files in %s hold everything simulated so far", s.Step(), m.Steps, *out)
		default:
		}
	}
	bar.Done()
	wall := time.Since(started).Seconds()
	simS := float64(m.Steps) * m.DT / 1000
	fmt.Printf("simulated %g s in %.2f s wall (%.3f s per simulated s), %d spikes\n", simS, wall, wall/simS, s.SpikeCount())
	summary := map[string]any{"simulated_s": simS, "wall_s": wall, "spikes": s.SpikeCount(), "steps": m.Steps}
	if err := runfiles.WriteJSONAtomic(filepath.Join(*out, "summary.json"), summary); err != nil {
		return err
	}
	fmt.Printf("results: %s\n", *out)
	return nil
}

// flushSimMonitors appends every monitor's rows to its CSV file.
func flushSimMonitors(b *network.SimFromModel, dir string) error {
	names := make([]string, 0, len(b.Spikes))
	for n := range b.Spikes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := b.Spikes[n].AppendCSV(filepath.Join(dir, "spikes_"+n+".csv")); err != nil {
			return err
		}
	}
	names = names[:0]
	for n := range b.State {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := b.State[n].AppendCSV(filepath.Join(dir, "state_"+n+".csv")); err != nil {
			return err
		}
	}
	return nil
}
