package experiments

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"ghlsim/network"
)

// BenchSimConfig configures `ghl bench --sim`: the distal-reward network
// (Izhikevich 2007) simulated for Seconds of biological time by ghlsim and,
// side by side in the same run, by Brian2.
type BenchSimConfig struct {
	// Seconds of simulated time per measurement (> 0); 10 by default.
	Seconds float64
	// Seed of the network.
	Seed uint64
	// Python is an interpreter with Brian2 ("" = /usr/bin/python3 if it has
	// it; "off" = ghlsim only).
	Python string
	// Targets are the Brian2 code-generation targets to time: "runtime"
	// (Brian2's default, cython when available), "numpy", "cython",
	// "cpp_standalone".
	Targets []string
	// Threads for Brian2's cpp_standalone (OpenMP); the runtime targets and
	// ghlsim's event engine are single-threaded.
	Threads int
}

// BenchSimRow is one side's measurement.
type BenchSimRow struct {
	Engine      string  `json:"engine"` // "ghlsim/event" or "brian2/<target>"
	Seconds     float64 `json:"simulated_s"`
	WallPerSimS float64 `json:"wall_s_per_sim_s"` // ghlsim: the median of its interleaved runs
	// WallRuns lists ghlsim's interleaved measurements (one before each
	// Brian2 target and one after the last), wall s per simulated s.
	WallRuns       []float64 `json:"wall_runs,omitempty"`
	CompileS       float64   `json:"compile_s,omitempty"`
	Spikes         int64     `json:"spikes"`
	SpikesPerS     float64   `json:"spikes_per_wall_s"`
	Events         int64     `json:"synaptic_events"`
	EventsPerS     float64   `json:"events_per_wall_s"`
	BytesPerSyn    float64   `json:"bytes_per_synapse,omitempty"`
	AllocsPerStep  float64   `json:"allocs_per_step"`
	RewardedWeight float64   `json:"rewarded_weight_mv"`
	MeanExcWeight  float64   `json:"mean_exc_weight_mv"`
	Error          string    `json:"error,omitempty"`
}

// BenchSimReport is the result: ghlsim's row first, then Brian2's.
type BenchSimReport struct {
	Rows []BenchSimRow `json:"rows"`
	CPU  string        `json:"cpu"`
}

// BenchSim times the distal-reward network on ghlsim's event engine and,
// when a Python with Brian2 is found, on the Brian2 targets, with the same
// model (scripts/brian2/distal_reward_brian2.py builds it from the same
// contract). Synaptic events are spikes × 100 outgoing synapses (the pre
// events delivered) on both sides.
func BenchSim(cfg BenchSimConfig, log io.Writer) (*BenchSimReport, error) {
	if cfg.Seconds == 0 {
		cfg.Seconds = 10
	}
	if !(cfg.Seconds > 0) || cfg.Seconds > 36000 {
		return nil, fmt.Errorf("bench --sim: --seconds %v must be in (0, 36000]", cfg.Seconds)
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if len(cfg.Targets) == 0 {
		cfg.Targets = []string{"runtime", "cpp_standalone"}
	}
	rep := &BenchSimReport{CPU: cpuModel()}
	var runs []BenchSimRow
	measure := func() error {
		row, err := benchSimGhlsim(cfg)
		if err != nil {
			return err
		}
		runs = append(runs, row)
		fmt.Fprintf(log, "ghlsim/event: %.4f s wall per simulated s, %.0f spikes/s, %.3g synaptic events/s, %.1f B/synapse, %.2f allocs/step\n",
			row.WallPerSimS, row.SpikesPerS, row.EventsPerS, row.BytesPerSyn, row.AllocsPerStep)
		return nil
	}
	if err := measure(); err != nil {
		return nil, err
	}
	rep.Rows = append(rep.Rows, BenchSimRow{})
	py := pythonWithBrian2(cfg.Python)
	var script string
	if py == "" {
		if cfg.Python != "off" {
			fmt.Fprintln(log, "Brian2 not found (apt-get install python3-brian, or --python PATH): ghlsim only")
		}
		cfg.Targets = nil
	} else {
		var err error
		if script, err = findRepoFile(filepath.Join("scripts", "brian2", "distal_reward_brian2.py")); err != nil {
			return nil, err
		}
	}
	defer func() { rep.Rows[0] = medianRow(runs) }()
	for q, t := range cfg.Targets {
		if q > 0 {
			if err := measure(); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(log, "brian2/%s: simulating %g s…\n", t, cfg.Seconds)
		r := benchSimBrian2(py, script, t, cfg)
		if r.Error != "" {
			fmt.Fprintf(log, "brian2/%s: %s\n", t, r.Error)
		} else {
			fmt.Fprintf(log, "brian2/%s: %.4f s wall per simulated s (compile %.1f s), %.0f spikes/s\n", t, r.WallPerSimS, r.CompileS, r.SpikesPerS)
		}
		rep.Rows = append(rep.Rows, r)
	}
	if len(cfg.Targets) > 0 {
		if err := measure(); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// medianRow is the ghlsim row with the median wall time of runs (the
// machine is shared; interleaving shows how much the load moved).
func medianRow(runs []BenchSimRow) BenchSimRow {
	walls := make([]float64, len(runs))
	for q, r := range runs {
		walls[q] = r.WallPerSimS
	}
	sorted := append([]float64(nil), walls...)
	sort.Float64s(sorted)
	med := sorted[len(sorted)/2]
	for _, r := range runs {
		if r.WallPerSimS == med {
			r.WallRuns = walls
			return r
		}
	}
	return runs[0]
}

// benchSimGhlsim builds the network, warms up for one simulated second,
// then times cfg.Seconds.
func benchSimGhlsim(cfg BenchSimConfig) (BenchSimRow, error) {
	p := network.DefaultDistalReward()
	p.Seed = cfg.Seed
	d, err := network.NewDistalReward(p)
	if err != nil {
		return BenchSimRow{}, err
	}
	if err := d.Sim.RunFor(1000); err != nil {
		return BenchSimRow{}, err
	}
	spikes0, events0 := d.Sim.SpikeCount(), d.Exc.Events+eventsOf(d)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mallocs0 := ms.Mallocs
	steps := int64(cfg.Seconds * 1000 / p.DT)
	t0 := time.Now()
	if err := d.Sim.Run(steps); err != nil {
		return BenchSimRow{}, err
	}
	wall := time.Since(t0).Seconds()
	runtime.ReadMemStats(&ms)
	spikes := d.Sim.SpikeCount() - spikes0
	events := d.Exc.Events + eventsOf(d) - events0
	var sum float64
	for _, w := range d.Exc.W {
		sum += float64(w)
	}
	return BenchSimRow{Engine: "ghlsim/event", Seconds: cfg.Seconds, WallPerSimS: wall / cfg.Seconds, Spikes: spikes,
		SpikesPerS: float64(spikes) / wall, Events: events, EventsPerS: float64(events) / wall,
		BytesPerSyn: d.Exc.BytesPerSynapse(), AllocsPerStep: float64(ms.Mallocs-mallocs0) / float64(steps),
		RewardedWeight: float64(d.Exc.W[d.Rewarded]), MeanExcWeight: sum / float64(len(d.Exc.W))}, nil
}

func eventsOf(d *network.DistalReward) int64 {
	if d.Inh == nil {
		return 0
	}
	return d.Inh.Events
}

// benchSimBrian2 runs the Brian2 script for one target and reads its result.
func benchSimBrian2(py, script, target string, cfg BenchSimConfig) BenchSimRow {
	row := BenchSimRow{Engine: "brian2/" + target, Seconds: cfg.Seconds}
	dir, err := os.MkdirTemp("", "ghl-bench-sim-")
	if err != nil {
		row.Error = err.Error()
		return row
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "result.json")
	threads := cfg.Threads
	if threads <= 0 {
		threads = 1
	}
	cmd := exec.Command(py, script, "--seconds", strconv.FormatFloat(cfg.Seconds, 'g', -1, 64), "--target", target,
		"--threads", strconv.Itoa(threads), "--seed", strconv.FormatUint(cfg.Seed, 10), "--out", out)
	cmd.Env = append(os.Environ(), "PYTHONWARNINGS=ignore")
	if msg, err := cmd.CombinedOutput(); err != nil {
		tail := msg
		if len(tail) > 400 {
			tail = tail[len(tail)-400:]
		}
		row.Error = fmt.Sprintf("%v: %s", err, tail)
		return row
	}
	var r struct {
		RunS           float64 `json:"run_s"`
		CompileS       float64 `json:"compile_s"`
		Spikes         int64   `json:"spikes"`
		Events         int64   `json:"synaptic_events"`
		RewardedWeight float64 `json:"rewarded_weight"`
		MeanExcWeight  float64 `json:"mean_exc_weight"`
	}
	raw, err := os.ReadFile(out)
	if err == nil {
		err = json.Unmarshal(raw, &r)
	}
	if err != nil || r.RunS <= 0 {
		row.Error = fmt.Sprintf("unreadable Brian2 result: %v", err)
		return row
	}
	row.WallPerSimS, row.CompileS = r.RunS/cfg.Seconds, r.CompileS
	row.Spikes, row.Events = r.Spikes, r.Events
	row.SpikesPerS, row.EventsPerS = float64(r.Spikes)/r.RunS, float64(r.Events)/r.RunS
	row.RewardedWeight, row.MeanExcWeight = r.RewardedWeight, r.MeanExcWeight
	return row
}

// pythonWithBrian2 finds an interpreter that imports brian2.
func pythonWithBrian2(choice string) string { return pythonWith(choice, "brian2") }

// findRepoFile looks for rel in the working directory and its parents (the
// repository's scripts are used from a checkout).
func findRepoFile(rel string) (string, error) {
	dir, _ := os.Getwd()
	for range 8 {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", fmt.Errorf("%s not found in this directory or its parents; run ghl bench --sim from a ghlsim checkout", rel)
}

// cpuModel reads the CPU model name (Linux), for the record.
func cpuModel() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			if _, v, ok := strings.Cut(name, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}
