package experiments

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"ghlsim/backends"
	"ghlsim/internal/buildinfo"
	"ghlsim/internal/runfiles"
)

// RunOptions control an experiment run.
type RunOptions struct {
	Spec   string // experiment name
	Budget string // smoke, cpu or full
	Seeds  int    // seeds 1..Seeds per cell (≥ 1)
	Out    string // run directory
	// Data overrides the dataset location of every cell (e.g. the CIFAR-10 tar).
	Data     string
	Backend  string // "" = each cell's default (cpu)
	Threads  int
	Log      io.Writer
	Progress bool
	Stop     <-chan struct{}
	// AfterCell runs after each finished cell and after the table is
	// rewritten (e.g. the report).
	AfterCell func(dir string)
	// OpenBackend overrides backends.New (tests).
	OpenBackend func(name string) (backends.Backend, error)
}

// SpecFile is spec.json: the expanded experiment a run directory holds.
type SpecFile struct {
	Experiment string     `json:"experiment"`
	Version    int        `json:"version"`
	Budget     string     `json:"budget"`
	Seeds      int        `json:"seeds"`
	Title      string     `json:"title"`
	Notes      []string   `json:"notes,omitempty"`
	Cells      []CellSpec `json:"cells"`
}

// cellResult is result.json, written when a cell's run has finished.
type cellResult struct {
	TestAcc       float64 `json:"test_acc"`
	ValAcc        float64 `json:"val_acc"`
	TestAtBestVal float64 `json:"test_at_best_val"`
	BestValEpoch  int     `json:"best_val_epoch"`
	Seconds       float64 `json:"seconds"`
}

// RunExperiment runs every cell × seed of a spec that has not finished yet
// (so rerunning an interrupted experiment resumes it cell by cell), then
// writes table.json, table.csv and table.md.
func RunExperiment(opt RunOptions) (*runfiles.Table, error) {
	spec, err := Lookup(opt.Spec)
	if err != nil {
		return nil, err
	}
	if err := checkBudget(opt.Budget); err != nil {
		return nil, err
	}
	if opt.Seeds < 1 {
		return nil, fmt.Errorf("--seeds %d must be at least 1", opt.Seeds)
	}
	cells, err := spec.Cells(opt.Budget)
	if err != nil {
		return nil, err
	}
	for i := range cells {
		if opt.Data != "" {
			cells[i].Config.Data = opt.Data
		}
		if opt.Backend != "" {
			cells[i].Config.Backend = opt.Backend
		}
		if opt.Threads > 0 {
			cells[i].Config.Threads = opt.Threads
		}
		cells[i].Config.RuleDefaults()
		if err := cells[i].Config.Validate(); err != nil {
			return nil, fmt.Errorf("%s cell %s: %w", spec.Name, cells[i].ID(), err)
		}
	}
	sf := SpecFile{Experiment: spec.Name, Version: spec.Version, Budget: opt.Budget, Seeds: opt.Seeds, Title: spec.Title, Notes: spec.Notes, Cells: cells}
	if err := prepareExperimentDir(opt.Out, sf); err != nil {
		return nil, err
	}
	if err := writeExperimentInfo(opt, sf); err != nil {
		return nil, err
	}
	total := len(cells) * opt.Seeds
	k := 0
	for _, c := range cells {
		for seed := 1; seed <= opt.Seeds; seed++ {
			k++
			dir := cellDir(opt.Out, c, seed)
			if _, err := os.Stat(filepath.Join(dir, "result.json")); err == nil {
				continue
			}
			cfg := c.Config
			cfg.Seed = uint64(seed)
			logf(opt.Log, "[%d/%d] %s / %s, seed %d\n", k, total, c.Row, c.Column, seed)
			_, statErr := os.Stat(filepath.Join(dir, runfiles.ConfigFile))
			began := time.Now()
			res, err := Train(cfg, Options{Out: dir, Resume: statErr == nil, Command: fmt.Sprintf("ghl run %s --budget %s (cell %s, seed %d)", spec.Name, opt.Budget, c.ID(), seed),
				Log: opt.Log, Progress: opt.Progress, Stop: opt.Stop, OpenBackend: opt.OpenBackend})
			if err != nil {
				return nil, fmt.Errorf("cell %s seed %d: %w", c.ID(), seed, err)
			}
			r := cellResult{TestAcc: res.TestAcc, ValAcc: res.ValAcc, TestAtBestVal: res.TestAtBestVal, BestValEpoch: res.BestValEpoch, Seconds: time.Since(began).Seconds()}
			if err := runfiles.WriteJSONAtomic(filepath.Join(dir, "result.json"), r); err != nil {
				return nil, err
			}
			if _, err := WriteTable(opt.Out); err != nil {
				return nil, err
			}
			if opt.AfterCell != nil {
				opt.AfterCell(opt.Out)
			}
		}
	}
	return WriteTable(opt.Out)
}

func cellDir(out string, c CellSpec, seed int) string {
	return filepath.Join(out, runfiles.CellsDir, fmt.Sprintf("%s__s%d", c.ID(), seed))
}

// prepareExperimentDir writes spec.json, or checks that an existing one is
// the same experiment (so a rerun resumes instead of mixing results).
func prepareExperimentDir(dir string, sf SpecFile) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory %s: %w (choose a writable --out)", dir, err)
	}
	path := filepath.Join(dir, "spec.json")
	old, err := runfiles.ReadJSON[SpecFile](path)
	if errors.Is(err, os.ErrNotExist) {
		return runfiles.WriteJSONAtomic(path, sf)
	}
	if err != nil {
		return fmt.Errorf("%w (choose another --out)", err)
	}
	a, _ := json.Marshal(old)
	b, _ := json.Marshal(sf)
	if string(a) != string(b) {
		return fmt.Errorf("output directory %s holds experiment %s v%d (budget %s, %d seeds); rerun with the same arguments to resume it, or choose another --out", dir, old.Experiment, old.Version, old.Budget, old.Seeds)
	}
	return nil
}

func logf(w io.Writer, format string, a ...any) {
	if w != nil {
		fmt.Fprintf(w, format, a...)
	}
}

// writeExperimentInfo records the experiment run's environment in
// config.json (the cells hold their own), once.
func writeExperimentInfo(opt RunOptions, sf SpecFile) error {
	path := filepath.Join(opt.Out, runfiles.ConfigFile)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	raw, err := json.Marshal(map[string]any{"experiment": sf.Experiment, "version": sf.Version, "budget": sf.Budget, "seeds": sf.Seeds, "cells": len(sf.Cells)})
	if err != nil {
		return err
	}
	backend := opt.Backend
	if backend == "" {
		backend = "cpu"
	}
	info := runfiles.RunInfo{Tool: "ghlsim", Command: fmt.Sprintf("ghl run %s --budget %s --seeds %d", sf.Experiment, sf.Budget, sf.Seeds),
		Created: time.Now().UTC().Format(time.RFC3339), Seed: 1, Backend: backend, Device: deviceOf(backend, opt.Threads),
		GoVersion: runtime.Version(), GitRevision: buildinfo.Revision(), Label: sf.Experiment, Config: raw}
	return runfiles.WriteJSONAtomic(path, info)
}

// deviceOf describes a backend's device without keeping it open.
func deviceOf(name string, threads int) string {
	b, err := backends.New(name)
	if err != nil {
		return name
	}
	defer b.Close()
	if threads > 0 {
		b.SetThreads(threads)
	}
	return b.Device()
}
