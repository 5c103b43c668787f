package experiments

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"ghlsim/internal/runfiles"
)

// CellState is where one task of a sweep stands.
type CellState string

// The states `ghl status` counts.
const (
	CellFinished CellState = "finished" // result.json exists
	CellRunning  CellState = "running"  // a worker or Slurm task is running it
	CellPending  CellState = "pending"  // not started, queued, or started and resumable
	CellFailed   CellState = "failed"   // its last attempt failed or was killed; a rerun retries it
)

// CellStates lists the states in display order.
var CellStates = []CellState{CellFinished, CellRunning, CellPending, CellFailed}

// TaskStatus is one task's state with what it is based on.
type TaskStatus struct {
	Task
	State CellState
	// Detail says why, e.g. "test 91.20%", "slurm job 12_3", "pid 4711",
	// "queued in slurm job 12", "resumes from its checkpoint" or the error.
	Detail string
	// Log is the file with the task's output, when one exists: the newest
	// RUN/slurm/<job>_<index>.out, else the cell's cell.log.
	Log string
	// Queued: squeue lists the task (pending or running in a Slurm job).
	Queued bool
}

// SweepStatus is a snapshot of every task of an experiment run.
type SweepStatus struct {
	Dir   string
	Spec  SpecFile
	Tasks []TaskStatus
	// Jobs are the Slurm job ids of RUN/slurm/jobs.txt.
	Jobs []string
	// Warning notes what could not be checked (e.g. squeue missing).
	Warning string
}

// Count is the number of tasks in state st.
func (s *SweepStatus) Count(st CellState) int {
	n := 0
	for _, t := range s.Tasks {
		if t.State == st {
			n++
		}
	}
	return n
}

// StatusOptions control Status.
type StatusOptions struct {
	// Squeue is the squeue command asked about the run's Slurm jobs; ""
	// means "squeue" from PATH. It is only run when RUN/slurm/jobs.txt exists.
	Squeue string
}

// Status reads the state of every task of the experiment run in dir from
// its files (result.json, running.json, error.txt, Slurm output) and, for
// runs submitted to Slurm, squeue. It works while executors are running and
// changes nothing.
func Status(dir string, opt StatusOptions) (*SweepStatus, error) {
	s, err := OpenSweep(dir)
	if err != nil {
		return nil, err
	}
	return SweepStatusOf(s, opt)
}

// SweepStatusOf is Status for an opened sweep.
func SweepStatusOf(s *Sweep, opt StatusOptions) (*SweepStatus, error) {
	st := &SweepStatus{Dir: s.Dir, Spec: s.Spec}
	jobs, err := readJobs(filepath.Join(s.Dir, slurmDir))
	if err != nil {
		return nil, err
	}
	st.Jobs = jobs
	var active map[int]queuedTask
	squeueOK := false
	if len(jobs) > 0 {
		if active, err = squeueTasks(opt.Squeue, jobs); err != nil {
			st.Warning = fmt.Sprintf("cannot ask Slurm about job(s) %s (%v): queued tasks show as pending and running ones by their files only", strings.Join(jobs, ","), err)
		} else {
			squeueOK = true
		}
	}
	host := hostname()
	for _, t := range s.Tasks() {
		ts := TaskStatus{Task: t, Log: latestSlurmOut(s.Dir, t.Index)}
		if ts.Log == "" {
			if p := filepath.Join(t.Dir, logFile); fileExists(p) {
				ts.Log = p
			}
		}
		q, queued := active[t.Index]
		ts.Queued = queued
		ts.State, ts.Detail = taskState(t, q, queued, squeueOK, host, ts.Log)
		st.Tasks = append(st.Tasks, ts)
	}
	return st, nil
}

// taskState decides one task's state; q is its squeue entry when queued,
// log its output file if any.
func taskState(t Task, q queuedTask, queued, squeueOK bool, host, log string) (CellState, string) {
	if sum, err := resultSummary(t); err == nil {
		return CellFinished, sum
	} else if t.Finished() {
		return CellFinished, fmt.Sprintf("(%s unreadable: %v)", resultFile, err)
	}
	if queued {
		if q.running() {
			return CellRunning, fmt.Sprintf("slurm job %s_%d", q.Job, t.Index)
		}
		return CellPending, fmt.Sprintf("%s in slurm job %s", strings.ToLower(q.State), q.Job)
	}
	if m, err := runfiles.ReadJSON[runningMark](filepath.Join(t.Dir, runningFile)); err == nil {
		switch {
		case m.Host == host && processAlive(m.PID, m.Exe):
			return CellRunning, fmt.Sprintf("pid %d since %s", m.PID, m.Started)
		case m.Host == host:
			return CellFailed, fmt.Sprintf("its worker (pid %d, started %s) is gone without finishing: killed? a rerun resumes it from its checkpoint%s", m.PID, m.Started, slurmNote(log))
		case m.SlurmJob != "" && squeueOK:
			return CellFailed, fmt.Sprintf("slurm task %s on %s ended without finishing (killed, out of memory, node failure?)%s", m.SlurmJob, m.Host, slurmNote(log))
		default:
			return CellRunning, fmt.Sprintf("on %s, pid %d since %s (not checkable from here)", m.Host, m.PID, m.Started)
		}
	}
	if b, err := os.ReadFile(filepath.Join(t.Dir, errorFile)); err == nil {
		msg := strings.TrimSpace(string(b))
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return CellFailed, msg
	}
	if log != "" && strings.HasSuffix(log, ".out") {
		if line := slurmOutError(log); line != "" {
			return CellFailed, line
		}
	}
	if fileExists(filepath.Join(t.Dir, runfiles.ConfigFile)) {
		return CellPending, "started; resumes from its checkpoint"
	}
	return CellPending, "not started"
}

func slurmNote(log string) string {
	if log == "" || !strings.HasSuffix(log, ".out") {
		return ""
	}
	if line := slurmOutError(log); line != "" {
		return "; " + line
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
