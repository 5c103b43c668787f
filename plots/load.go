package plots

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"ghlsim/experiments/runfiles"
	"ghlsim/network"
)

// Run is what package plots reads from one run directory. Optional files
// that are absent leave their field empty; a run in progress (config.json
// and a partial metrics.jsonl) loads fine.
type Run struct {
	Dir       string                   // the directory as given
	Info      runfiles.RunInfo         // config.json
	Epochs    []runfiles.Epoch         // metrics.jsonl; a torn last line is skipped
	Telemetry []runfiles.Telemetry     // telemetry.jsonl
	Bench     []runfiles.Bench         // bench.jsonl
	Table     *runfiles.Table          // table.json, experiment runs only
	Weights   *network.SafetensorsFile // weights.safetensors; not loaded for cells
	Cells     []Run                    // cells/<id>/ that have started (have config.json), in natural order

	// Simulated-time runs (distal-reward cells): sim.jsonl, result.json,
	// monitors/excerpt.json and the monitor CSV files in monitors/.
	Sim       []runfiles.SimChunk
	SimResult *runfiles.SimResult
	Excerpt   *runfiles.MonitorExcerpt
	Monitors  []string
}

// LoadRun reads the run directory dir. config.json must exist; every other
// file is optional. A missing config.json or a file that exists but cannot
// be parsed is an error that names the file. Cell directories without
// config.json yet (not started) are skipped; cells are loaded without their
// weights.
func LoadRun(dir string) (Run, error) {
	r, err := loadRun(dir, true)
	if err != nil {
		return r, err
	}
	if err := r.checkTableCells(); err != nil {
		return r, err
	}
	return r, nil
}

func loadRun(dir string, top bool) (Run, error) {
	r := Run{Dir: dir}
	st, err := os.Stat(dir)
	if err != nil {
		return r, fmt.Errorf("plots: run directory %s: %w", dir, err)
	}
	if !st.IsDir() {
		return r, fmt.Errorf("plots: %s is not a directory (pass a run directory, not a file inside it)", dir)
	}
	cfg := filepath.Join(dir, runfiles.ConfigFile)
	info, err := runfiles.ReadJSON[runfiles.RunInfo](cfg)
	if errors.Is(err, fs.ErrNotExist) {
		return r, fmt.Errorf("plots: %s is missing: every run writes it first; is %s a ghlsim run directory?", cfg, dir)
	}
	if err != nil {
		return r, fmt.Errorf("plots: read %s: %w", cfg, err)
	}
	r.Info = info
	if r.Epochs, err = readOptionalJSONL[runfiles.Epoch](dir, runfiles.MetricsFile); err != nil {
		return r, err
	}
	if r.Telemetry, err = readOptionalJSONL[runfiles.Telemetry](dir, runfiles.TelemetryFile); err != nil {
		return r, err
	}
	if r.Bench, err = readOptionalJSONL[runfiles.Bench](dir, runfiles.BenchFile); err != nil {
		return r, err
	}
	if err := r.loadSim(); err != nil {
		return r, err
	}
	tpath := filepath.Join(dir, runfiles.TableFile)
	if t, err := runfiles.ReadJSON[runfiles.Table](tpath); err == nil {
		r.Table = &t
	} else if !errors.Is(err, fs.ErrNotExist) {
		return r, fmt.Errorf("plots: read %s: %w", tpath, err)
	}
	if !top {
		return r, nil
	}
	wpath := filepath.Join(dir, runfiles.WeightsFile)
	if w, err := network.ReadSafetensors(wpath); err == nil {
		r.Weights = &w
	} else if !errors.Is(err, fs.ErrNotExist) {
		return r, fmt.Errorf("plots: read %s: %w", wpath, err)
	}
	r.Cells, err = loadCells(filepath.Join(dir, runfiles.CellsDir))
	return r, err
}

// readOptionalJSONL reads dir/name, returning nil when it does not exist.
func readOptionalJSONL[T any](dir, name string) ([]T, error) {
	path := filepath.Join(dir, name)
	recs, err := runfiles.ReadJSONL[T](path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("plots: read %s: %w", path, err)
	}
	return recs, nil
}

// loadCells loads every started cell under cellsDir, in natural order.
func loadCells(cellsDir string) ([]Run, error) {
	ents, err := os.ReadDir(cellsDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("plots: list %s: %w", cellsDir, err)
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Slice(names, func(i, j int) bool { return naturalLess(names[i], names[j]) })
	var cells []Run
	for _, n := range names {
		dir := filepath.Join(cellsDir, n)
		if _, err := os.Stat(filepath.Join(dir, runfiles.ConfigFile)); errors.Is(err, fs.ErrNotExist) {
			continue // not started yet
		}
		c, err := loadRun(dir, false)
		if err != nil {
			return nil, err
		}
		cells = append(cells, c)
	}
	return cells, nil
}

// checkTableCells verifies that every cell directory table.json names exists.
func (r Run) checkTableCells() error {
	if r.Table == nil {
		return nil
	}
	for _, row := range r.Table.Rows {
		for _, c := range row.Cells {
			for _, rel := range c.Cells {
				if _, err := os.Stat(filepath.Join(r.Dir, rel)); err != nil {
					return fmt.Errorf("plots: %s: row %q column %q names cell %s, which cannot be read: %w",
						filepath.Join(r.Dir, runfiles.TableFile), row.Name, c.Column, rel, err)
				}
			}
		}
	}
	return nil
}

// Label is the run's legend label: Info.Label, else the rule, else the
// directory's base name.
func (r Run) Label() string {
	switch {
	case r.Info.Label != "":
		return r.Info.Label
	case r.Info.Rule != "":
		return r.Info.Rule
	default:
		return filepath.Base(r.Dir)
	}
}

// Curve returns the run's learning curve with its own label.
func (r Run) Curve() Curve {
	return Curve{Label: r.Label(), Rule: r.Info.Rule, Epochs: r.Epochs}
}

// CompareCurves returns one curve per run for an overlay of separate runs;
// runs that would share a label get their directory name appended, so
// every run keeps its own legend entry.
func CompareCurves(runs []Run) []Curve {
	count := map[string]int{}
	for _, r := range runs {
		count[r.Label()]++
	}
	out := make([]Curve, len(runs))
	for i, r := range runs {
		out[i] = r.Curve()
		if count[r.Label()] > 1 {
			out[i].Label += " (" + filepath.Base(r.Dir) + ")"
		}
	}
	return out
}

// CellCurves returns one curve per started cell of an experiment run. A
// cell that table.json lists is labelled "row · column" (its seeds share
// the label and so one legend entry) and comes in table order (rows, then
// columns); other cells follow with their own Label, in directory order.
func CellCurves(r Run) []Curve {
	refs := tableRefs(r)
	var out []Curve
	for _, i := range cellOrder(r, refs) {
		c := r.Cells[i]
		cv := c.Curve()
		if ref, ok := refs[filepath.Clean(c.Dir)]; ok {
			cv.Label = ref.label
			if cv.Rule == "" {
				cv.Rule = ref.rule
			}
		}
		out = append(out, cv)
	}
	return out
}

// cellOrder returns the indices of r.Cells in table order: cells table.json
// names first, as it names them, then the others in directory order.
func cellOrder(r Run, refs map[string]cellRef) []int {
	order := make([]int, len(r.Cells))
	idx := make([]int, len(r.Cells))
	for i, c := range r.Cells {
		idx[i] = i
		order[i] = len(refs) + i
		if ref, ok := refs[filepath.Clean(c.Dir)]; ok {
			order[i] = ref.order
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return order[idx[a]] < order[idx[b]] })
	return idx
}

// cellRef is where table.json uses a cell directory.
type cellRef struct {
	label string // "row · column"
	rule  string
	order int // position in table order
}

// tableRefs maps each cell directory table.json names (cleaned, joined to
// r.Dir) to its first use.
func tableRefs(r Run) map[string]cellRef {
	refs := map[string]cellRef{}
	if r.Table == nil {
		return refs
	}
	for _, row := range r.Table.Rows {
		for _, c := range row.Cells {
			for _, rel := range c.Cells {
				key := filepath.Clean(filepath.Join(r.Dir, rel))
				if _, dup := refs[key]; !dup {
					refs[key] = cellRef{row.Name + " · " + c.Column, c.Rule, len(refs)}
				}
			}
		}
	}
	return refs
}
