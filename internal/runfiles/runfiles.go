// Package runfiles is the former, internal location of
// ghlsim/experiments/runfiles, the files of a run directory and their record
// types. It re-exports that package's names (type aliases, constants and
// forwarding functions) so that code written against the old path keeps
// compiling; new code imports ghlsim/experiments/runfiles, whose types are
// the ones exported APIs show.
package runfiles

import pub "ghlsim/experiments/runfiles"

// File names inside a run directory (see ghlsim/experiments/runfiles).
const (
	ConfigFile        = pub.ConfigFile
	MetricsFile       = pub.MetricsFile
	TelemetryFile     = pub.TelemetryFile
	WeightsFile       = pub.WeightsFile
	CheckpointFile    = pub.CheckpointFile
	BenchFile         = pub.BenchFile
	TableFile         = pub.TableFile
	CellsDir          = pub.CellsDir
	SimRecordsFile    = pub.SimRecordsFile
	SimCheckpointFile = pub.SimCheckpointFile
	MonitorsDir       = pub.MonitorsDir
	SpikesCSV         = pub.SpikesCSV
	ExcerptFile       = pub.ExcerptFile
)

// The record types, as aliases of ghlsim/experiments/runfiles's.
type (
	// RunInfo is runfiles.RunInfo (config.json).
	RunInfo = pub.RunInfo
	// InitFile is runfiles.InitFile.
	InitFile = pub.InitFile
	// Epoch is runfiles.Epoch (a metrics.jsonl line).
	Epoch = pub.Epoch
	// Telemetry is runfiles.Telemetry (a telemetry.jsonl line).
	Telemetry = pub.Telemetry
	// Bench is runfiles.Bench (a bench.jsonl line).
	Bench = pub.Bench
	// Table is runfiles.Table (table.json).
	Table = pub.Table
	// Row is runfiles.Row.
	Row = pub.Row
	// Cell is runfiles.Cell.
	Cell = pub.Cell
	// SimChunk is runfiles.SimChunk (a sim.jsonl line).
	SimChunk = pub.SimChunk
	// SimMark is runfiles.SimMark.
	SimMark = pub.SimMark
	// SimResult is runfiles.SimResult (result.json).
	SimResult = pub.SimResult
	// MonitorExcerpt is runfiles.MonitorExcerpt (monitors/excerpt.json).
	MonitorExcerpt = pub.MonitorExcerpt
)

// WriteFileAtomic is runfiles.WriteFileAtomic.
func WriteFileAtomic(path string, data []byte) error { return pub.WriteFileAtomic(path, data) }

// WriteJSONAtomic is runfiles.WriteJSONAtomic.
func WriteJSONAtomic(path string, v any) error { return pub.WriteJSONAtomic(path, v) }

// AppendJSONL is runfiles.AppendJSONL.
func AppendJSONL(path string, rec any) error { return pub.AppendJSONL(path, rec) }

// ReadJSONL is runfiles.ReadJSONL.
func ReadJSONL[T any](path string) ([]T, error) { return pub.ReadJSONL[T](path) }

// ReadJSON is runfiles.ReadJSON.
func ReadJSON[T any](path string) (T, error) { return pub.ReadJSON[T](path) }
