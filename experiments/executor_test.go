package experiments

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ghlsim/internal/runfiles"
)

// smokeSweep prepares table5 at the smoke budget with one thread per cell
// (6 cells × seeds) in a fresh directory.
func smokeSweep(t *testing.T, seeds int) (*Sweep, RunOptions) {
	t.Helper()
	opt := RunOptions{Spec: "table5", Budget: "smoke", Seeds: seeds, Out: t.TempDir(), Threads: 1, OpenBackend: opts("").OpenBackend}
	s, err := PrepareSweep(opt)
	if err != nil {
		t.Fatal(err)
	}
	return s, opt
}

func TestSweepTasksAndIndices(t *testing.T) {
	s, _ := smokeSweep(t, 2)
	if s.Len() != 12 {
		t.Fatalf("table5 smoke × 2 seeds: %d tasks, want 12", s.Len())
	}
	for i, task := range s.Tasks() {
		if task.Index != i || task.Cell.ID() != s.Spec.Cells[i/2].ID() || task.Seed != i%2+1 {
			t.Errorf("task %d: %+v", i, task)
		}
		if want := cellDir(s.Dir, task.Cell, task.Seed); task.Dir != want {
			t.Errorf("task %d dir %s, want %s", i, task.Dir, want)
		}
	}
	for _, bad := range []int{-1, 12} {
		if _, err := s.Task(bad); err == nil || !strings.Contains(err.Error(), "indices 0…11") {
			t.Errorf("index %d: %v", bad, err)
		}
	}
	again, err := OpenSweep(s.Dir)
	if err != nil || again.Len() != 12 {
		t.Fatalf("OpenSweep: %v", err)
	}
	if _, err := OpenSweep(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no spec.json") {
		t.Errorf("OpenSweep of an empty directory: %v", err)
	}
}

func TestArrayRanges(t *testing.T) {
	for _, c := range []struct {
		in   []int
		want string
	}{
		{[]int{0}, "0"},
		{[]int{0, 1, 2, 3}, "0-3"},
		{[]int{7, 0, 2, 1, 5, 8}, "0-2,5,7-8"},
		{[]int{1, 3, 5}, "1,3,5"},
	} {
		if got := arrayRanges(c.in); got != c.want {
			t.Errorf("arrayRanges(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestCellWorker is the worker process of the local-executor tests: the test
// binary run as `… -- --threads N RUN INDEX`, standing in for `ghl cell`.
func TestCellWorker(t *testing.T) {
	if os.Getenv("GHLSIM_CELL_WORKER") != "1" {
		t.Skip("worker process of TestLocalExecutor*")
	}
	args := flag.Args()
	if len(args) != 4 || args[0] != "--threads" {
		fmt.Fprintf(os.Stderr, "worker arguments %q\n", args)
		os.Exit(2)
	}
	threads, _ := strconv.Atoi(args[1])
	index, _ := strconv.Atoi(args[3])
	if err := RunCell(args[2], index, CellOptions{Threads: threads, Log: os.Stdout}); err != nil {
		fmt.Fprintln(os.Stderr, "ghl cell:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// workerExecutor runs TestCellWorker processes of this test binary.
func workerExecutor(t *testing.T, jobs int) LocalExecutor {
	t.Setenv("GHLSIM_CELL_WORKER", "1")
	return LocalExecutor{Command: []string{os.Args[0], "-test.run=^TestCellWorker$", "-test.count=1", "--"}, Jobs: jobs}
}

// TestLocalExecutorMatchesInline runs the same sweep inline and in two
// parallel worker processes: same table and weights bit for bit.
func TestLocalExecutorMatchesInline(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns training subprocesses")
	}
	inline, iopt := smokeSweep(t, 1)
	if _, err := RunExperiment(iopt); err != nil {
		t.Fatal(err)
	}
	local, lopt := smokeSweep(t, 1)
	lopt.Executor = workerExecutor(t, 2)
	var log bytes.Buffer
	lopt.Log = &log
	after := 0
	lopt.AfterCell = func(string) { after++ }
	if _, err := RunExperiment(lopt); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if after != 6 {
		t.Errorf("AfterCell ran %d times, want once per cell (6)", after)
	}
	a, _ := os.ReadFile(filepath.Join(inline.Dir, runfiles.TableFile))
	b, _ := os.ReadFile(filepath.Join(local.Dir, runfiles.TableFile))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("table.json differs:\ninline %s\nlocal  %s", a, b)
	}
	for _, task := range inline.Tasks() {
		wa, _ := os.ReadFile(filepath.Join(task.Dir, runfiles.WeightsFile))
		wb, _ := os.ReadFile(filepath.Join(local.Dir, runfiles.CellsDir, task.Name(), runfiles.WeightsFile))
		if len(wa) == 0 || !bytes.Equal(wa, wb) {
			t.Errorf("%s: weights differ between inline and local", task.Name())
		}
		if _, err := os.Stat(filepath.Join(local.Dir, runfiles.CellsDir, task.Name(), runningFile)); err == nil {
			t.Errorf("%s: running.json left behind", task.Name())
		}
	}
	if !strings.Contains(log.String(), "[6/6] done") {
		t.Errorf("log lacks per-cell lines:\n%s", log.String())
	}
}

// TestLocalExecutorFailureAndRetry makes one cell fail: the others finish,
// the error names the cell and its log, status shows it failed, and a rerun
// after the fix runs only that cell.
func TestLocalExecutorFailureAndRetry(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns training subprocesses")
	}
	s, opt := smokeSweep(t, 1)
	opt.Executor = workerExecutor(t, 2)
	bad, _ := s.Task(3)
	// A config.json of another run makes the cell refuse to start.
	if err := os.MkdirAll(bad.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	other := tinyConfig("bp")
	raw := fmt.Sprintf(`{"tool":"ghlsim","seed":1,"config":%s}`, mustJSON(t, other))
	if err := os.WriteFile(filepath.Join(bad.Dir, runfiles.ConfigFile), []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := RunExperiment(opt)
	if err == nil || !strings.Contains(err.Error(), "1 of 6 cells failed") || !strings.Contains(err.Error(), bad.Name()) || !strings.Contains(err.Error(), "different config") {
		t.Fatalf("want a failure naming %s: %v", bad.Name(), err)
	}
	st, err := Status(s.Dir, StatusOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Count(CellFinished) != 5 || st.Count(CellFailed) != 1 || st.Tasks[3].State != CellFailed || !strings.Contains(st.Tasks[3].Detail, "different config") {
		t.Fatalf("status after the failure: %+v", st.Tasks)
	}
	if st.Tasks[3].Log != filepath.Join(bad.Dir, logFile) {
		t.Errorf("failed cell's log %q", st.Tasks[3].Log)
	}
	// Fix and rerun: only the failed cell runs.
	os.RemoveAll(bad.Dir)
	res, _ := s.Task(0)
	before, _ := os.Stat(filepath.Join(res.Dir, resultFile))
	if _, err := RunExperiment(opt); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(filepath.Join(res.Dir, resultFile))
	if !before.ModTime().Equal(after.ModTime()) {
		t.Error("the rerun redid a finished cell")
	}
	st, _ = Status(s.Dir, StatusOptions{})
	if st.Count(CellFinished) != 6 {
		t.Errorf("after the retry: %+v", st.Tasks)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRunningMark: a live process holding a cell keeps a second worker out
// and shows as running; a dead one shows as failed.
func TestRunningMark(t *testing.T) {
	s, _ := smokeSweep(t, 1)
	task, _ := s.Task(0)
	if err := os.MkdirAll(task.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sleeper := exec.Command("sleep", "30")
	if err := sleeper.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", sleeper.Process.Pid))
	mark := runningMark{Host: hostname(), PID: sleeper.Process.Pid, Exe: exe, Started: "2026-01-01T00:00:00Z"}
	if err := runfiles.WriteJSONAtomic(filepath.Join(task.Dir, runningFile), mark); err != nil {
		t.Fatal(err)
	}
	err := RunCell(s.Dir, 0, CellOptions{})
	if err == nil || !strings.Contains(err.Error(), "is being run by process") {
		t.Fatalf("second worker on a held cell: %v", err)
	}
	st, _ := Status(s.Dir, StatusOptions{})
	if st.Tasks[0].State != CellRunning {
		t.Errorf("held cell: %+v", st.Tasks[0])
	}
	sleeper.Process.Kill()
	sleeper.Wait()
	st, _ = Status(s.Dir, StatusOptions{})
	if st.Tasks[0].State != CellFailed || !strings.Contains(st.Tasks[0].Detail, "gone without finishing") {
		t.Errorf("cell of a killed worker: %+v", st.Tasks[0])
	}
	if st.Tasks[1].State != CellPending || st.Tasks[1].Detail != "not started" {
		t.Errorf("untouched cell: %+v", st.Tasks[1])
	}
	// A worker may take over a dead worker's cell.
	if err := RunCell(s.Dir, 0, CellOptions{OpenBackend: opts("").OpenBackend}); err != nil {
		t.Fatal(err)
	}
	st, _ = Status(s.Dir, StatusOptions{})
	if st.Tasks[0].State != CellFinished {
		t.Errorf("after the takeover: %+v", st.Tasks[0])
	}
}

// fakeSlurm writes sbatch and squeue stand-ins into a directory: sbatch
// copies the script it is given to submitted-N.sbatch and prints job id
// 41+N; squeue prints the file squeue.txt (lines "JOB|INDEX|STATE").
func fakeSlurm(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	sbatch := `#!/bin/sh
n=$(ls "` + dir + `"/submitted-*.sbatch 2>/dev/null | wc -l)
[ "$1" = --parsable ] || { echo "want --parsable" >&2; exit 1; }
cp "$2" "` + dir + `/submitted-$n.sbatch"
echo "$((41 + n));cluster"
`
	squeue := `#!/bin/sh
echo "$@" >> "` + dir + `/squeue-args.txt"
cat "` + dir + `/squeue.txt" 2>/dev/null
exit 0
`
	for name, body := range map[string]string{"sbatch": sbatch, "squeue": squeue} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestSlurmExecutorSubmits checks the sbatch script, jobs.txt, that cells
// queued in an earlier job are not submitted again, status from squeue and
// Slurm output, and that waiting reports unfinished cells.
func TestSlurmExecutorSubmits(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh for the fake sbatch")
	}
	fake := fakeSlurm(t)
	s, opt := smokeSweep(t, 1)
	ex := SlurmExecutor{Exe: "/opt/ghl dir/ghl", CPUs: 2, Mem: "1G", Time: "0:10:00", Partition: "debug", Gres: "gpu:1",
		Options: []string{"account=abc", "--qos=long", "exclusive"}, MaxRunning: 3,
		Sbatch: filepath.Join(fake, "sbatch"), Squeue: filepath.Join(fake, "squeue"), Poll: 10 * time.Millisecond}
	opt.Executor = ex
	var log bytes.Buffer
	opt.Log = &log
	if _, err := RunExperiment(opt); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(s.Dir, "slurm", "sweep.sbatch"))
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(s.Dir)
	for _, want := range []string{
		"#!/bin/bash\n", "#SBATCH --job-name=ghl-table5-smoke\n", "#SBATCH --array=0-5%3\n",
		"#SBATCH --output=" + filepath.Join(abs, "slurm", "%A_%a.out") + "\n", "#SBATCH --cpus-per-task=2\n",
		"#SBATCH --mem=1G\n", "#SBATCH --time=0:10:00\n", "#SBATCH --partition=debug\n", "#SBATCH --gres=gpu:1\n",
		"#SBATCH --account=abc\n", "#SBATCH --qos=long\n", "#SBATCH --exclusive\n",
		"exec '/opt/ghl dir/ghl' cell --threads 2 " + abs + ` "$SLURM_ARRAY_TASK_ID"` + "\n",
	} {
		if !strings.Contains(string(script), want) {
			t.Errorf("sweep.sbatch lacks %q:\n%s", want, script)
		}
	}
	jobs, _ := readJobs(filepath.Join(s.Dir, "slurm"))
	if len(jobs) != 1 || jobs[0] != "41" || !strings.Contains(log.String(), "submitted job 41") {
		t.Fatalf("jobs.txt %v, log %s", jobs, log.String())
	}

	// Job 41 still holds cells 0-2 (one running); cell 4 finished; cell 5's
	// task was killed with an error. A rerun submits 3 and 5 only.
	os.WriteFile(filepath.Join(fake, "squeue.txt"), []byte("41|0|RUNNING\n41|1|PENDING\n41|2|PENDING\n"), 0o644)
	done, _ := s.Task(4)
	if err := RunCell(s.Dir, done.Index, CellOptions{OpenBackend: opts("").OpenBackend}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(s.Dir, "slurm", "41_5.out"), []byte("slurmstepd: error: *** JOB 47 ON n1 CANCELLED AT 2026-01-01T00:00:00 DUE TO TIME LIMIT ***\n"), 0o644)
	st, err := Status(s.Dir, StatusOptions{Squeue: ex.Squeue})
	if err != nil {
		t.Fatal(err)
	}
	want := []CellState{CellRunning, CellPending, CellPending, CellPending, CellFinished, CellFailed}
	for i, w := range want {
		if st.Tasks[i].State != w {
			t.Errorf("task %d: %s (%s), want %s", i, st.Tasks[i].State, st.Tasks[i].Detail, w)
		}
	}
	if !strings.Contains(st.Tasks[0].Detail, "slurm job 41_0") || !strings.Contains(st.Tasks[5].Detail, "TIME LIMIT") || st.Tasks[3].Detail != "not started" {
		t.Errorf("status details: %+v", st.Tasks)
	}
	args, _ := os.ReadFile(filepath.Join(fake, "squeue-args.txt"))
	if !strings.Contains(string(args), "--jobs=41") {
		t.Errorf("squeue called with %q", args)
	}
	if _, err := RunExperiment(opt); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(filepath.Join(fake, "submitted-1.sbatch"))
	if !strings.Contains(string(second), "#SBATCH --array=3,5%3\n") {
		t.Errorf("resubmission array:\n%s", second)
	}
	jobs, _ = readJobs(filepath.Join(s.Dir, "slurm"))
	if len(jobs) != 2 || jobs[1] != "42" {
		t.Errorf("jobs.txt after the resubmission: %v", jobs)
	}

	// Waiting: squeue lists nothing, so the jobs ended with 5 cells unfinished.
	os.Remove(filepath.Join(fake, "squeue.txt"))
	ex.Wait = true
	opt.Executor = ex
	_, err = RunExperiment(opt)
	if err == nil || !strings.Contains(err.Error(), "5 of 6 cells unfinished") || !strings.Contains(err.Error(), "rerun the same command") {
		t.Fatalf("waiting on ended jobs: %v", err)
	}
}

func TestSlurmExecutorWithoutSbatch(t *testing.T) {
	_, opt := smokeSweep(t, 1)
	opt.Executor = SlurmExecutor{Sbatch: filepath.Join(t.TempDir(), "no-sbatch")}
	_, err := RunExperiment(opt)
	if err == nil || !strings.Contains(err.Error(), "sbatch not found") || !strings.Contains(err.Error(), "--executor local") {
		t.Fatalf("missing sbatch: %v", err)
	}
}
