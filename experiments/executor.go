package experiments

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"ghlsim/internal/runfiles"
)

// Executor carries out the unfinished tasks of a prepared sweep. Every task
// writes only into its own cell directory, so executors need no coordination
// beyond a file system the workers share; rerunning the same experiment skips
// finished cells and resumes started ones, whichever executor ran them.
type Executor interface {
	// Execute runs (or submits) tasks, all unfinished, in index order. It
	// returns when they have finished — or, for a batch system told not to
	// wait, once they are queued. opt supplies Log, Stop, Progress,
	// AfterCell and OpenBackend.
	Execute(s *Sweep, tasks []Task, opt RunOptions) error
}

// ExecutorNames are the executors `ghl run --executor` accepts.
var ExecutorNames = []string{"inline", "local", "slurm"}

// InlineExecutor runs the tasks one after another in this process (the
// default): the table is rewritten and AfterCell called after each, and the
// first failure stops the run.
type InlineExecutor struct{}

// Execute implements Executor.
func (InlineExecutor) Execute(s *Sweep, tasks []Task, opt RunOptions) error {
	for _, t := range tasks {
		logf(opt.Log, "[%d/%d] %s / %s, seed %d\n", t.Index+1, s.Len(), t.Cell.Row, t.Cell.Column, t.Seed)
		if err := s.runTask(t, CellOptions{Log: opt.Log, Progress: opt.Progress, Stop: opt.Stop, OpenBackend: opt.OpenBackend}); err != nil {
			return err
		}
		if err := s.afterCell(opt); err != nil {
			return err
		}
	}
	return nil
}

// afterCell rewrites the table and runs opt.AfterCell.
func (s *Sweep) afterCell(opt RunOptions) error {
	if _, err := WriteTable(s.Dir); err != nil {
		return err
	}
	if opt.AfterCell != nil {
		opt.AfterCell(s.Dir)
	}
	return nil
}

// Files a cell directory may hold besides those of a training run.
const (
	// runningFile marks a cell some process is running (runningMark).
	runningFile = "running.json"
	// errorFile holds the error of a cell's last failed attempt.
	errorFile = "error.txt"
	// logFile collects a local worker's output (LocalExecutor).
	logFile = "cell.log"
)

// runningMark is running.json: who is running a cell, so that `ghl status`
// can tell a running cell from a killed one and a second worker on the
// same machine does not run the cell twice.
type runningMark struct {
	Host     string `json:"host"`
	PID      int    `json:"pid"`
	Exe      string `json:"exe,omitempty"`       // the worker's executable
	SlurmJob string `json:"slurm_job,omitempty"` // JOBID_INDEX of a Slurm array task
	Started  string `json:"started"`             // RFC 3339
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
}

// claimCell writes running.json for this process and removes the error of a
// previous attempt; release removes the mark again. A cell that a live
// process on this machine is running is refused.
func claimCell(t Task) (release func(), err error) {
	path := filepath.Join(t.Dir, runningFile)
	if m, err := runfiles.ReadJSON[runningMark](path); err == nil && m.Host == hostname() && m.PID != os.Getpid() && processAlive(m.PID, m.Exe) {
		return nil, fmt.Errorf("cell %s is being run by process %d on this machine (since %s): wait for it to finish, or stop it; if no such run exists, delete %s", t.Name(), m.PID, m.Started, path)
	}
	exe, _ := os.Executable()
	m := runningMark{Host: hostname(), PID: os.Getpid(), Exe: exe, Started: time.Now().UTC().Format(time.RFC3339)}
	if job := os.Getenv("SLURM_ARRAY_JOB_ID"); job != "" {
		m.SlurmJob = job + "_" + os.Getenv("SLURM_ARRAY_TASK_ID")
	}
	if err := runfiles.WriteJSONAtomic(path, m); err != nil {
		return nil, err
	}
	os.Remove(filepath.Join(t.Dir, errorFile))
	return func() {
		if cur, err := runfiles.ReadJSON[runningMark](path); err == nil && cur.PID == m.PID && cur.Host == m.Host {
			os.Remove(path)
		}
	}, nil
}

// recordCellError writes error.txt for `ghl status`.
func recordCellError(t Task, err error) {
	msg := err.Error()
	if errors.Is(err, ErrInterrupted) {
		msg = "interrupted (Ctrl-C, SIGTERM, a time limit or pre-emption); the checkpoint was written and a rerun resumes it: " + msg
	}
	text := fmt.Sprintf("%s on %s (pid %d): %s\n", time.Now().UTC().Format(time.RFC3339), hostname(), os.Getpid(), msg)
	runfiles.WriteFileAtomic(filepath.Join(t.Dir, errorFile), []byte(text))
}

// arrayRanges writes sorted indices compactly in Slurm's --array syntax,
// e.g. [0 1 2 5 7 8] → "0-2,5,7-8".
func arrayRanges(idx []int) string {
	s := append([]int(nil), idx...)
	sort.Ints(s)
	var parts []string
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && s[j+1] == s[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(s[i]))
		} else {
			parts = append(parts, strconv.Itoa(s[i])+"-"+strconv.Itoa(s[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// taskIndices are the flat indices of tasks.
func taskIndices(tasks []Task) []int {
	out := make([]int, len(tasks))
	for i, t := range tasks {
		out[i] = t.Index
	}
	return out
}
