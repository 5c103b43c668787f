package experiments

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"ghlsim/internal/quote"
	"ghlsim/internal/runfiles"
)

// SlurmExecutor submits the tasks to Slurm as one job array — one cell ×
// seed per array task, the array index being the task's flat index — and
// returns, or with Wait follows the array until it ends. It writes
// RUN/slurm/sweep.sbatch, submits it with `sbatch --parsable` and appends the
// job id to RUN/slurm/jobs.txt; array task i runs `ghl cell RUN i` and writes
// its output to RUN/slurm/<job>_<i>.out. The run directory must be on a file
// system the compute nodes share. Tasks still queued or running in a job of
// jobs.txt are not submitted again, so rerunning the same command resubmits
// exactly the failed and pre-empted cells.
type SlurmExecutor struct {
	// Exe is the ghl executable the array tasks run; "" means this program
	// (os.Executable()). It must be reachable at that path on the nodes.
	Exe string
	// CPUs is --cpus-per-task (default 1); also the worker's backend threads
	// unless Threads is set.
	CPUs int
	// Mem, Time, Partition and Gres become --mem, --time, --partition and
	// --gres when set (e.g. "4G", "2:00:00", "gpu", "gpu:1"); unset ones
	// are left to the site's defaults.
	Mem, Time, Partition, Gres string
	// Options are further sbatch options, one each, e.g. "account=abc",
	// "--qos=long" or "exclusive"; written as #SBATCH --KEY[=VALUE] lines.
	Options []string
	// MaxRunning caps the array's simultaneously running tasks (--array=…%N); 0 = no cap.
	MaxRunning int
	// Threads is the worker's backend thread count for cells whose spec
	// leaves it at 0; 0 means CPUs.
	Threads int
	// Wait follows the job array until no task is queued or running, then
	// reports the cells that did not finish as an error.
	Wait bool
	// Poll is the interval between checks while waiting; 0 means 10 s.
	Poll time.Duration
	// Sbatch and Squeue are the Slurm client commands; "" means "sbatch"
	// and "squeue" from PATH.
	Sbatch, Squeue string
}

// slurmDir is where the Slurm executor keeps its files inside a run directory.
const slurmDir = "slurm"

// Execute implements Executor.
func (e SlurmExecutor) Execute(s *Sweep, tasks []Task, opt RunOptions) error {
	dir, err := filepath.Abs(s.Dir)
	if err != nil {
		return err
	}
	sd := filepath.Join(dir, slurmDir)
	jobs, err := readJobs(sd)
	if err != nil {
		return err
	}
	if len(tasks) == 0 && !e.Wait {
		return nil
	}
	if len(tasks) > 0 {
		sbatch, err := lookSlurm(e.Sbatch, "sbatch")
		if err != nil {
			return err
		}
		// Tasks queued or running in an earlier job of this run are left to it.
		active := map[int]queuedTask{}
		if len(jobs) > 0 {
			if active, err = squeueTasks(e.Squeue, jobs); err != nil {
				return fmt.Errorf("%w; without it the cells still queued in job(s) %s could be submitted twice (wait for them, or scancel them)", err, strings.Join(jobs, ","))
			}
		}
		var submit []Task
		for _, t := range tasks {
			if _, ok := active[t.Index]; !ok {
				submit = append(submit, t)
			}
		}
		if n := len(tasks) - len(submit); n > 0 {
			logf(opt.Log, "slurm: %d unfinished cells are still queued or running in job(s) %s; not submitting them again\n", n, strings.Join(jobs, ","))
		}
		if len(submit) > 0 {
			id, err := e.submit(s, dir, submit, sbatch)
			if err != nil {
				return err
			}
			jobs = append(jobs, id)
			logf(opt.Log, "slurm: submitted job %s: %d cells (array %s) of %s; output in %s\n", id, len(submit), arrayRanges(taskIndices(submit)), dir, filepath.Join(sd, id+"_*.out"))
			if !e.Wait {
				logf(opt.Log, "slurm: follow it with `ghl status %s`; `ghl report %s` reports whatever has finished; rerun this command to resubmit cells that fail\n", s.Dir, s.Dir)
			}
		}
	}
	if !e.Wait || len(jobs) == 0 {
		return nil
	}
	return e.wait(s, jobs, opt)
}

// submit writes sweep.sbatch for tasks, submits it and records the job id.
func (e SlurmExecutor) submit(s *Sweep, dir string, tasks []Task, sbatch string) (string, error) {
	exe := e.Exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return "", fmt.Errorf("locating this program for the Slurm tasks: %w (pass its path)", err)
		}
	}
	exe, err := filepath.Abs(exe)
	if err != nil {
		return "", err
	}
	if strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return "", fmt.Errorf("%s is a temporary `go run` binary, gone before the array tasks start: build ghl first (go build -o ghl ./cmd/ghl) and run that", exe)
	}
	script, err := e.Script(s, dir, exe, tasks)
	if err != nil {
		return "", err
	}
	sd := filepath.Join(dir, slurmDir)
	if err := os.MkdirAll(sd, 0o755); err != nil {
		return "", fmt.Errorf("%s: %w (is the run directory writable?)", sd, err)
	}
	path := filepath.Join(sd, "sweep.sbatch")
	if err := runfiles.WriteFileAtomic(path, []byte(script)); err != nil {
		return "", err
	}
	os.Chmod(path, 0o755)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(sbatch, "--parsable", path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("sbatch %s: %v: %s (adjust --slurm-cpus/--slurm-mem/--slurm-time/--slurm-partition/--slurm-gres to what the cluster offers, or use --executor local)",
			path, err, strings.TrimSpace(stderr.String()+" "+stdout.String()))
	}
	// --parsable prints "JOBID" or "JOBID;CLUSTER".
	id := strings.TrimSpace(stdout.String())
	if i := strings.IndexByte(id, ';'); i >= 0 {
		id = id[:i]
	}
	if _, err := strconv.Atoi(id); err != nil {
		return "", fmt.Errorf("sbatch %s printed %s, not a job id; check the job with squeue and record it in %s", path, quote.Q(stdout.String()), filepath.Join(sd, "jobs.txt"))
	}
	line := fmt.Sprintf("%s\t%s\t%s\n", id, arrayRanges(taskIndices(tasks)), time.Now().UTC().Format(time.RFC3339))
	f, err := os.OpenFile(filepath.Join(sd, "jobs.txt"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return "", fmt.Errorf("submitted job %s but cannot record it: %w", id, err)
	}
	defer f.Close()
	if _, err := f.WriteString(line); err != nil {
		return "", fmt.Errorf("submitted job %s but cannot record it: %w", id, err)
	}
	return id, nil
}

// Script is the sbatch script that runs tasks of the sweep in dir (an
// absolute path) with the ghl executable exe.
func (e SlurmExecutor) Script(s *Sweep, dir, exe string, tasks []Task) (string, error) {
	if len(tasks) == 0 {
		return "", errors.New("experiments: Slurm script for no tasks")
	}
	cpus := max(e.CPUs, 1)
	threads := e.Threads
	if threads <= 0 {
		threads = cpus
	}
	array := arrayRanges(taskIndices(tasks))
	if e.MaxRunning > 0 {
		array += "%" + strconv.Itoa(e.MaxRunning)
	}
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	directive := func(key, value string) error {
		if strings.ContainsAny(value, "\n\r") {
			return fmt.Errorf("slurm option %s=%s holds a line break", quote.S(key), quote.Q(value))
		}
		if value == "" {
			fmt.Fprintf(&b, "#SBATCH --%s\n", key)
		} else {
			fmt.Fprintf(&b, "#SBATCH --%s=%s\n", key, value)
		}
		return nil
	}
	for _, kv := range [][2]string{
		{"job-name", "ghl-" + s.Spec.Experiment + "-" + s.Spec.Budget},
		{"array", array},
		{"output", filepath.Join(dir, slurmDir, "%A_%a.out")},
		{"cpus-per-task", strconv.Itoa(cpus)},
		{"ntasks", "1"},
		{"mem", e.Mem}, {"time", e.Time}, {"partition", e.Partition}, {"gres", e.Gres},
	} {
		if kv[1] == "" {
			continue
		}
		if err := directive(kv[0], kv[1]); err != nil {
			return "", err
		}
	}
	for _, o := range e.Options {
		o = strings.TrimLeft(strings.TrimSpace(o), "-")
		if o == "" {
			continue
		}
		key, value, _ := strings.Cut(o, "=")
		if strings.ContainsAny(key, " \t") {
			return "", fmt.Errorf("slurm option %s: write it as KEY=VALUE, e.g. account=abc", quote.Q(o))
		}
		if err := directive(key, value); err != nil {
			return "", err
		}
	}
	fmt.Fprintf(&b, `
# Written by ghlsim for experiment %s v%d, budget %s, %d seeds (run directory %s).
# One array task = one cell × seed: index = cell·%d + (seed−1) in spec.json's cell order.
# Each task writes only into RUN/cells/<cell>__s<seed>/. To resubmit failed or
# pre-empted cells, rerun the same "ghl run … --executor slurm" command: finished
# cells are skipped and started ones resume from their checkpoint.
exec %s cell --threads %d %s "$SLURM_ARRAY_TASK_ID"
`, s.Spec.Experiment, s.Spec.Version, s.Spec.Budget, s.Spec.Seeds, dir, s.Spec.Seeds, shellQuote(exe), threads, shellQuote(dir))
	return b.String(), nil
}

// wait polls the result files and squeue until no task of jobs is queued
// or running, rewriting the table (and calling AfterCell) as cells finish.
func (e SlurmExecutor) wait(s *Sweep, jobs []string, opt RunOptions) error {
	poll := e.Poll
	if poll <= 0 {
		poll = 10 * time.Second
	}
	all := s.Tasks()
	last := ""
	lastDone := -1
	failures := 0
	for {
		done := 0
		for _, t := range all {
			if t.Finished() {
				done++
			}
		}
		if done != lastDone && lastDone >= 0 {
			if err := s.afterCell(opt); err != nil {
				return err
			}
		}
		lastDone = done
		if done == len(all) {
			break
		}
		active, err := squeueTasks(e.Squeue, jobs)
		if err != nil {
			if failures++; failures >= 5 {
				return fmt.Errorf("%w; the job(s) %s may still be running: follow them with `ghl status %s`", err, strings.Join(jobs, ","), s.Dir)
			}
			active = nil
		} else {
			failures = 0
		}
		running := 0
		for _, q := range active {
			if q.running() {
				running++
			}
		}
		line := fmt.Sprintf("slurm: %d/%d cells finished, %d running, %d queued\n", done, len(all), running, len(active)-running)
		if line != last {
			logf(opt.Log, "%s", line)
			last = line
		}
		if err == nil && len(active) == 0 {
			break
		}
		select {
		case <-opt.Stop:
			return fmt.Errorf("stopped waiting; job(s) %s keep running: follow them with `ghl status %s`, cancel them with scancel %s", strings.Join(jobs, ","), s.Dir, strings.Join(jobs, " "))
		case <-time.After(poll):
		}
	}
	st, err := SweepStatusOf(s, StatusOptions{Squeue: e.Squeue})
	if err != nil {
		return err
	}
	var bad []string
	for _, t := range st.Tasks {
		if t.State != CellFinished {
			bad = append(bad, fmt.Sprintf("%s (%s): %s", t.Name(), t.State, t.Detail))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("job(s) %s ended with %d of %d cells unfinished:\n  %s\nrerun the same command to resubmit them (finished cells are skipped)", strings.Join(jobs, ","), len(bad), len(all), strings.Join(bad, "\n  "))
	}
	return nil
}

// lookSlurm finds a Slurm client command.
func lookSlurm(path, name string) (string, error) {
	if path == "" {
		path = name
	}
	p, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("%s not found: this machine has no Slurm client tools; use --executor local to run the cells here, or install Slurm (Debian: apt-get install slurm-client, with SLURM_CONF pointing at your cluster; scripts/slurm_localhost.sh starts a one-node cluster)", name)
	}
	return p, nil
}

// readJobs lists the job ids in RUN/slurm/jobs.txt (none when it is absent).
func readJobs(sd string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(sd, "jobs.txt"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			ids = append(ids, f[0])
		}
	}
	return ids, nil
}

// queuedTask is an array task squeue lists.
type queuedTask struct {
	Job   string // array job id
	State string // PENDING, RUNNING, COMPLETING, …
}

// running reports whether the task has started and not ended.
func (q queuedTask) running() bool {
	switch q.State {
	case "RUNNING", "COMPLETING", "CONFIGURING", "STAGE_OUT", "SIGNALING":
		return true
	}
	return false
}

// squeueTasks returns every array task of jobs that squeue still lists, by
// array index. Jobs squeue no longer knows count as ended.
func squeueTasks(squeue string, jobs []string) (map[int]queuedTask, error) {
	out := map[int]queuedTask{}
	if len(jobs) == 0 {
		return out, nil
	}
	bin, err := lookSlurm(squeue, "squeue")
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "--noheader", "--array", "--jobs="+strings.Join(jobs, ","), "--format=%F|%K|%T")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		// squeue fails when none of the ids is known any more: all ended.
		if strings.Contains(stderr.String(), "Invalid job id") {
			return out, nil
		}
		return nil, fmt.Errorf("squeue: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) != 3 {
			continue
		}
		if i, err := strconv.Atoi(f[1]); err == nil {
			out[i] = queuedTask{Job: f[0], State: f[2]}
		}
	}
	return out, nil
}

// latestSlurmOut returns RUN/slurm/<job>_<index>.out of the newest job that
// has one for index ("" when none has).
func latestSlurmOut(dir string, index int) string {
	matches, _ := filepath.Glob(filepath.Join(dir, slurmDir, "*_"+strconv.Itoa(index)+".out"))
	best, bestID := "", -1
	for _, m := range matches {
		id, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(m), "_"+strconv.Itoa(index)+".out"))
		if err == nil && id > bestID {
			best, bestID = m, id
		}
	}
	return best
}

// slurmOutError returns the first line of a Slurm output file that reports
// an error ("" when there is none).
func slurmOutError(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		l := strings.ToLower(line)
		if strings.HasPrefix(line, "ghl cell: ") || strings.Contains(l, "error") || strings.Contains(l, "cancelled") || strings.Contains(l, "killed") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// shellQuote quotes s for bash.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
