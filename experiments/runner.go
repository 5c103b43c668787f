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
	Data    string
	Backend string // "" = each cell's default (cpu)
	// Threads sets every cell's backend thread count and is recorded in
	// spec.json (same count ⇒ bit-identical results on cpu); 0 leaves the
	// cells at "all cores", which executors may narrow per process.
	Threads  int
	Log      io.Writer
	Progress bool
	Stop     <-chan struct{}
	// AfterCell runs after each finished cell and after the table is
	// rewritten (e.g. the report).
	AfterCell func(dir string)
	// OpenBackend overrides backends.New (tests).
	OpenBackend func(name string) (backends.Backend, error)
	// Executor carries out the unfinished cells; nil runs them one after
	// another in this process (InlineExecutor).
	Executor Executor
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

// resultFile is the file whose presence marks a finished cell.
const resultFile = "result.json"

// RunExperiment runs every cell × seed of a spec that has not finished yet
// (so rerunning an interrupted experiment resumes it cell by cell) with
// opt.Executor, then writes table.json, table.csv and table.md.
func RunExperiment(opt RunOptions) (*runfiles.Table, error) {
	sw, err := PrepareSweep(opt)
	if err != nil {
		return nil, err
	}
	ex := opt.Executor
	if ex == nil {
		ex = InlineExecutor{}
	}
	if err := ex.Execute(sw, sw.Unfinished(), opt); err != nil {
		return nil, err
	}
	return WriteTable(opt.Out)
}

// Sweep is an experiment run directory prepared for execution: its
// spec.json, which expands to cell × seed tasks.
type Sweep struct {
	Dir  string   // the run directory
	Spec SpecFile // its spec.json
}

// Task is one cell × seed of a sweep: the unit an executor runs, and what
// `ghl cell RUN INDEX` runs.
type Task struct {
	// Index is the flat index cell·Seeds + (Seed−1), in spec.json's cell
	// order; it is the INDEX of `ghl cell` and a Slurm array task's index.
	Index int
	Cell  CellSpec
	Seed  int    // 1-based
	Dir   string // the cell's run directory, RUN/cells/<id>__s<seed>
}

// Name is the cell directory's base name, e.g. "deephebb__ghl__s1".
func (t Task) Name() string { return filepath.Base(t.Dir) }

// Finished reports whether the task's result.json exists.
func (t Task) Finished() bool {
	_, err := os.Stat(filepath.Join(t.Dir, resultFile))
	return err == nil
}

// PrepareSweep expands opt's spec for its budget, applies the run-wide
// overrides (data, backend, threads), validates every cell and writes
// spec.json and config.json into opt.Out — or checks that an existing
// spec.json is the same experiment, so a rerun resumes it.
func PrepareSweep(opt RunOptions) (*Sweep, error) {
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
		if cells[i].Sim != nil {
			if err := prepareSimCell(&cells[i], opt); err != nil {
				return nil, fmt.Errorf("%s cell %s: %w", spec.Name, cells[i].ID(), err)
			}
			continue
		}
		if cells[i].Spiking != nil {
			if err := prepareSpikingCell(&cells[i], opt); err != nil {
				return nil, fmt.Errorf("%s cell %s: %w", spec.Name, cells[i].ID(), err)
			}
			continue
		}
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
	return &Sweep{Dir: opt.Out, Spec: sf}, nil
}

// OpenSweep reads the spec.json of an existing experiment run directory.
func OpenSweep(dir string) (*Sweep, error) {
	sf, err := runfiles.ReadJSON[SpecFile](filepath.Join(dir, "spec.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s holds no spec.json: is it the --out directory of a `ghl run`? (start one with ghl run EXPERIMENT --out %s)", dir, dir)
	}
	if err != nil {
		return nil, err
	}
	if sf.Seeds < 1 || len(sf.Cells) == 0 {
		return nil, fmt.Errorf("%s: spec.json lists %d cells × %d seeds: the file is damaged; rerun ghl run into another --out", dir, len(sf.Cells), sf.Seeds)
	}
	return &Sweep{Dir: dir, Spec: sf}, nil
}

// Len is the number of tasks, cells × seeds.
func (s *Sweep) Len() int { return len(s.Spec.Cells) * s.Spec.Seeds }

// Task returns the task with the given flat index.
func (s *Sweep) Task(index int) (Task, error) {
	if index < 0 || index >= s.Len() {
		return Task{}, fmt.Errorf("cell index %d out of range: %s has %d cells × %d seeds, indices 0…%d", index, s.Dir, len(s.Spec.Cells), s.Spec.Seeds, s.Len()-1)
	}
	c := s.Spec.Cells[index/s.Spec.Seeds]
	seed := index%s.Spec.Seeds + 1
	return Task{Index: index, Cell: c, Seed: seed, Dir: cellDir(s.Dir, c, seed)}, nil
}

// Tasks lists every task in index order (cells in spec order, seeds within).
func (s *Sweep) Tasks() []Task {
	out := make([]Task, s.Len())
	for i := range out {
		out[i], _ = s.Task(i)
	}
	return out
}

// Unfinished lists the tasks without result.json, in index order.
func (s *Sweep) Unfinished() []Task {
	var out []Task
	for _, t := range s.Tasks() {
		if !t.Finished() {
			out = append(out, t)
		}
	}
	return out
}

// CellOptions control RunCell.
type CellOptions struct {
	// Threads is the backend thread count for a cell whose spec leaves it
	// at 0 (all cores), e.g. cores/jobs for parallel local workers or the
	// CPUs Slurm allocated. It is not recorded in the cell's config, so any
	// executor can resume the cell. A cell with threads in its spec keeps them.
	Threads  int
	Log      io.Writer
	Progress bool
	Stop     <-chan struct{}
	// OpenBackend overrides backends.New (tests).
	OpenBackend func(name string) (backends.Backend, error)
}

// RunCell runs the task with the given flat index of the experiment run in
// dir (reading its spec.json) and writes its result.json; a finished task is
// left alone. This is what `ghl cell`, local workers and Slurm array tasks
// execute. A failure is also recorded in the cell's error.txt (for
// `ghl status`), which the next attempt removes.
func RunCell(dir string, index int, opt CellOptions) error {
	sw, err := OpenSweep(dir)
	if err != nil {
		return err
	}
	t, err := sw.Task(index)
	if err != nil {
		return err
	}
	if t.Finished() {
		logf(opt.Log, "%s: finished already (%s exists); nothing to do\n", t.Name(), filepath.Join(t.Dir, resultFile))
		return nil
	}
	return sw.runTask(t, opt)
}

// runTask trains one task (resuming its checkpoint when it has started),
// writes result.json, and keeps running.json / error.txt up to date.
func (s *Sweep) runTask(t Task, opt CellOptions) error {
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		return fmt.Errorf("cell directory %s: %w (is the run directory writable?)", t.Dir, err)
	}
	release, err := claimCell(t)
	if err != nil {
		return err
	}
	defer release()
	if t.Cell.Sim != nil {
		return s.runSimTask(t, opt)
	}
	if t.Cell.Spiking != nil {
		return s.runSpikingTask(t, opt)
	}
	cfg := t.Cell.Config
	cfg.Seed = uint64(t.Seed)
	open := cellOpener(opt, cfg.Threads)
	return s.trainCell(t, func(resume bool, command string) (*Result, error) {
		return Train(cfg, Options{Out: t.Dir, Resume: resume, Command: command, Log: opt.Log, Progress: opt.Progress, Stop: opt.Stop, OpenBackend: open})
	})
}

// cellOpener is opt.OpenBackend (backends.New by default), setting
// opt.Threads on every backend it opens when the cell's spec leaves its
// threads at 0; that count is not recorded, so any executor can resume the
// cell.
func cellOpener(opt CellOptions, specThreads int) func(string) (backends.Backend, error) {
	open := opt.OpenBackend
	if open == nil {
		open = backends.New
	}
	if opt.Threads <= 0 || specThreads != 0 {
		return open
	}
	n := opt.Threads
	return func(name string) (backends.Backend, error) {
		b, err := open(name)
		if err == nil {
			b.SetThreads(n)
		}
		return b, err
	}
}

// trainCell runs a training cell's train function (resuming when the cell
// has started) and writes its result.json, recording a failure in
// error.txt.
func (s *Sweep) trainCell(t Task, train func(resume bool, command string) (*Result, error)) error {
	_, statErr := os.Stat(filepath.Join(t.Dir, runfiles.ConfigFile))
	began := time.Now()
	res, err := train(statErr == nil, fmt.Sprintf("ghl run %s --budget %s (cell %s, seed %d)", s.Spec.Experiment, s.Spec.Budget, t.Cell.ID(), t.Seed))
	if err != nil {
		err = fmt.Errorf("cell %s seed %d: %w", t.Cell.ID(), t.Seed, err)
		recordCellError(t, err)
		return err
	}
	r := cellResult{TestAcc: res.TestAcc, ValAcc: res.ValAcc, TestAtBestVal: res.TestAtBestVal, BestValEpoch: res.BestValEpoch, Seconds: time.Since(began).Seconds()}
	if err := runfiles.WriteJSONAtomic(filepath.Join(t.Dir, resultFile), r); err != nil {
		recordCellError(t, err)
		return err
	}
	return nil
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
		if old.Experiment == sf.Experiment && old.Version == sf.Version && old.Budget == sf.Budget && old.Seeds == sf.Seeds {
			return fmt.Errorf("output directory %s holds experiment %s v%d (budget %s, %d seeds) as another build of ghlsim defined it (the cells, settings or notes in its spec.json differ from this build's); choose another --out", dir, old.Experiment, old.Version, old.Budget, old.Seeds)
		}
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
