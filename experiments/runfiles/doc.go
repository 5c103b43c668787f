// Package runfiles defines the files a ghlsim run directory holds and the
// record types written to them. Training, experiments and benchmarks write
// them; package plots and the report read them, and so can a user's script
// (ReadJSONL[Epoch] on metrics.jsonl, ReadJSON[Table] on table.json, …).
// The package imports only the standard library, so readers of results need
// not import the simulator. (ghlsim/internal/runfiles, its former location,
// re-exports these names for code not yet moved over.)
//
// A run directory contains:
//
//	config.json        RunInfo: effective config, seed, backend, device, Go version, git revision
//	metrics.jsonl      one Epoch record per line, appended as each epoch ends
//	telemetry.jsonl    one Telemetry record per (step, layer), at the monitor stride
//	weights.safetensors final weights (and eligibilities) in PyTorch layouts
//	checkpoint.ckpt    the latest training checkpoint (atomic)
//	bench.jsonl        Bench records (ghl bench)
//	table.json         Table (experiment runs), with table.csv and table.md beside it
//	cells/<id>/        one run directory per experiment cell
//	sim.jsonl, sim.ckpt, monitors/  simulated-time runs (distal-reward cells; see sim.go)
package runfiles

// File names inside a run directory.
const (
	ConfigFile     = "config.json"
	MetricsFile    = "metrics.jsonl"
	TelemetryFile  = "telemetry.jsonl"
	WeightsFile    = "weights.safetensors"
	CheckpointFile = "checkpoint.ckpt"
	BenchFile      = "bench.jsonl"
	TableFile      = "table.json"
	CellsDir       = "cells"
)
