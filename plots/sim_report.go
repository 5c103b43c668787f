package plots

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"

	"ghlsim/internal/runfiles"
)

// loadSim reads the files of a simulated-time run (a distal-reward cell):
// sim.jsonl, result.json and monitors/. Absent files leave fields empty.
func (r *Run) loadSim() error {
	var err error
	if r.Sim, err = readOptionalJSONL[runfiles.SimChunk](r.Dir, runfiles.SimRecordsFile); err != nil {
		return err
	}
	mdir := filepath.Join(r.Dir, runfiles.MonitorsDir)
	csvs, _ := filepath.Glob(filepath.Join(mdir, "*.csv"))
	sort.Strings(csvs)
	r.Monitors = csvs
	if len(r.Sim) == 0 && len(csvs) == 0 {
		return nil
	}
	if res, err := runfiles.ReadJSON[runfiles.SimResult](filepath.Join(r.Dir, "result.json")); err == nil {
		r.SimResult = &res
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("plots: read %s: %w", filepath.Join(r.Dir, "result.json"), err)
	}
	ep := filepath.Join(mdir, runfiles.ExcerptFile)
	if ex, err := runfiles.ReadJSON[runfiles.MonitorExcerpt](ep); err == nil {
		r.Excerpt = &ex
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("plots: read %s: %w", ep, err)
	}
	return nil
}

// stateOrder sorts state-monitor variables into StateTraces panels.
var stateOrder = []struct {
	vars   []string
	ylabel string
}{
	{[]string{"v", "V"}, "v (mV)"},
	{[]string{"apre", "apost"}, "STDP traces"},
	{[]string{"c"}, "eligibility c"},
	{[]string{"w"}, "weight (mV)"},
}

// simFigures are the figures of one simulated-time run: the weight
// trajectories (sim.jsonl) and, from monitors/, the spike raster, the
// dopamine concentration and the state traces. name prefixes the figure
// file names and who (e.g. ", seed 2") ends their titles.
func simFigures(r Run, name, who string, st Style) []figureSpec {
	var specs []figureSpec
	if len(r.Sim) > 0 && name == "" {
		specs = append(specs, figureSpec{"weight-trajectories", "Rewarded synapse vs all excitatory synapses",
			"Weight of the rewarded synapse n1→n2 (solid) against the 99th percentile (dashed) and the mean (dotted) of all excitatory weights, at the end of every chunk.",
			func() ([]byte, error) {
				return WeightTrajectories([]WeightSeries{{Label: r.Label(), Records: r.Sim}}, st)
			}})
	}
	if len(r.Monitors) == 0 {
		return specs
	}
	ex := runfiles.MonitorExcerpt{}
	if r.Excerpt != nil {
		ex = *r.Excerpt
	}
	label := func(col string) string {
		if l, ok := ex.Labels[col]; ok {
			return l
		}
		return col
	}
	kinds := map[string]string{}
	for _, p := range r.Monitors {
		if k, err := MonitorKind(p); err == nil {
			kinds[p] = k
		}
	}
	window := ""
	if ex.StateToS > ex.StateFromS {
		window = fmt.Sprintf(" The excerpt is %.0f–%.0f s (chunk %d: %s).", ex.StateFromS, ex.StateToS, ex.Chunk, ex.Reason)
	}
	for _, p := range r.Monitors {
		if kinds[p] != "spikes" {
			continue
		}
		path := p
		span := ""
		if ex.SpikesToS > ex.SpikesFromS {
			span = fmt.Sprintf(" (%.0f–%.0f s)", ex.SpikesFromS, ex.SpikesToS)
		}
		specs = append(specs, figureSpec{name + "spike-raster", "Spike raster" + who,
			"Spikes of every neuron in the last simulated second" + span + " (monitors/" + filepath.Base(path) + "); inhibitory neurons in blue, n1 and n2 marked.",
			func() ([]byte, error) {
				sp, err := ReadSpikesCSV(path)
				if err != nil {
					return nil, err
				}
				return SpikeRaster(sp, RasterOptions{Inhibitory: ex.Inhibitory, Highlight: ex.Highlight}, st)
			}})
	}
	for _, p := range r.Monitors {
		if kinds[p] != "d" {
			continue
		}
		path := p
		specs = append(specs, figureSpec{name + "dopamine", "Dopamine concentration" + who,
			"Dopamine d(t) over the state excerpt (monitors/" + filepath.Base(path) + "), releases marked." + window,
			func() ([]byte, error) {
				rec, err := ReadStateCSV(path)
				if err != nil {
					return nil, err
				}
				return ModulatorTrace(rec, ex.ReleasesS, st)
			}})
	}
	var panels []func() (TracePanel, error)
	var files []string
	for _, g := range stateOrder {
		var paths []string
		for _, v := range g.vars {
			for _, p := range r.Monitors {
				if kinds[p] == v {
					paths = append(paths, p)
				}
			}
		}
		if len(paths) == 0 {
			continue
		}
		ylabel := g.ylabel
		for _, p := range paths {
			files = append(files, filepath.Base(p))
		}
		panels = append(panels, func() (TracePanel, error) {
			pn := TracePanel{YLabel: ylabel}
			for _, p := range paths {
				rec, err := ReadStateCSV(p)
				if err != nil {
					return pn, err
				}
				for q, col := range rec.Columns {
					pn.Series = append(pn.Series, TraceSeries{Label: label(col), TimeMS: rec.TimeMS, Values: rec.Values[q]})
				}
			}
			return pn, nil
		})
	}
	if len(panels) > 0 {
		specs = append(specs, figureSpec{name + "state-traces", "State traces" + who,
			"Membrane potentials of n1 and n2, the rewarded synapse's STDP traces, eligibility and weight (monitors/" + strings.Join(files, ", ") +
				"); dotted lines: coincidences n1→n2 that scheduled a reward, dashed: dopamine releases." + window,
			func() ([]byte, error) {
				var pns []TracePanel
				for _, f := range panels {
					pn, err := f()
					if err != nil {
						return nil, err
					}
					pns = append(pns, pn)
				}
				return StateTraces(pns, []TraceEvent{
					{Label: "coincidence", TimesS: ex.TriggersS, Color: OkabeIto[5], Dashes: []vg.Length{1, 1.5}},
					{Label: "release", TimesS: ex.ReleasesS, Color: OkabeIto[6], Dashes: []vg.Length{4, 2}},
				}, st)
			}})
	}
	return specs
}

// simTableFigures are the figures of a simulated-time experiment: every
// seed's weight trajectories overlaid, then each seed's monitor figures.
func simTableFigures(r Run, st Style) []figureSpec {
	var series []WeightSeries
	var cells []Run
	for _, c := range r.Cells {
		if len(c.Sim) == 0 && len(c.Monitors) == 0 {
			continue
		}
		cells = append(cells, c)
		if len(c.Sim) > 0 {
			series = append(series, WeightSeries{Label: seedLabel(c), Records: c.Sim})
		}
	}
	var specs []figureSpec
	if len(series) > 0 {
		specs = append(specs, figureSpec{"weight-trajectories", "Rewarded synapse vs all excitatory synapses",
			fmt.Sprintf("Weight of the rewarded synapse n1→n2 (solid) against the 99th percentile (dashed) and the mean (dotted) of all excitatory weights over simulated time; one colour per seed (%d).", len(series)),
			func() ([]byte, error) { return WeightTrajectories(series, st) }})
	}
	for _, c := range cells {
		specs = append(specs, simFigures(c, slug(seedLabel(c))+"-", ", "+seedLabel(c), st)...)
	}
	return specs
}

// seedLabel names a simulated-time cell by its seed ("seed 2"), else its
// directory.
func seedLabel(c Run) string {
	if c.Info.Seed > 0 {
		return "seed " + strconv.FormatUint(c.Info.Seed, 10)
	}
	return filepath.Base(c.Dir)
}

// simSummaryRows are the headline numbers of a simulated-time run.
func simSummaryRows(r Run) [][2]string {
	if len(r.Sim) == 0 {
		return nil
	}
	last := r.Sim[len(r.Sim)-1]
	state := "in progress"
	first := "not yet"
	if r.SimResult != nil {
		state = "finished"
		first = "never"
		if r.SimResult.First4mVS != nil {
			first = fmt.Sprintf("%.1f s", *r.SimResult.First4mVS)
		}
	}
	n := "?"
	if r.SimResult != nil {
		n = strconv.Itoa(r.SimResult.ExcSynapses)
	}
	var wall float64
	for _, c := range r.Sim {
		wall += c.WallS
	}
	return [][2]string{
		{"simulated time", fmt.Sprintf("%.0f s in %d chunks (%s; %.1f s of wall time, %.0f× real time)", last.TimeS, len(r.Sim), state, wall, last.TimeS/max(wall, 1e-9))},
		{"rewarded synapse", fmt.Sprintf("%.4f mV, rank %d of %s (%d ties)", last.RewardedWeightMV, last.RewardedRank, n, last.RewardedTies)},
		{"first reached 4 mV", first},
		{"excitatory weights", fmt.Sprintf("mean %.3f mV, 99th percentile %.3f mV, max %.3f mV, %d at the bound", last.MeanExcWeightMV, last.P99ExcWeightMV, last.MaxExcWeightMV, last.AtMax)},
		{"rewards", fmt.Sprintf("%d scheduled, %d dopamine releases applied", last.Rewards, last.Releases)},
		{"last chunk", fmt.Sprintf("%d spikes, %.2f Hz per neuron", last.Spikes, last.RateHz)},
	}
}

// simChunkHead and simChunkRows form the chunk table of a simulated-time
// run, at most maxChunkRows rows (evenly thinned, the last kept).
var simChunkHead = []string{"chunk", "time (s)", "rewarded (mV)", "rank", "mean (mV)", "p99 (mV)", "max (mV)", "at max", "rewards", "rate (Hz)", "wall (s)"}

const maxChunkRows = 60

func simChunkRows(recs []runfiles.SimChunk) [][]string {
	idx := make([]int, 0, len(recs))
	if len(recs) <= maxChunkRows {
		for i := range recs {
			idx = append(idx, i)
		}
	} else {
		for i := range maxChunkRows {
			idx = append(idx, i*(len(recs)-1)/(maxChunkRows-1))
		}
	}
	var rows [][]string
	for _, i := range idx {
		c := recs[i]
		rows = append(rows, []string{strconv.Itoa(c.Chunk), fixed(c.TimeS, 1), fixed(c.RewardedWeightMV, 3), strconv.Itoa(c.RewardedRank),
			fixed(c.MeanExcWeightMV, 3), fixed(c.P99ExcWeightMV, 3), fixed(c.MaxExcWeightMV, 3), strconv.Itoa(c.AtMax),
			strconv.Itoa(c.Rewards), fixed(c.RateHz, 2), fixed(c.WallS, 2)})
	}
	return rows
}

// simSeedsHead and simSeedsRows form the per-seed table of a
// simulated-time experiment (table.json's seeds).
var simSeedsHead = []string{"seed", "simulated (s)", "rewarded (mV)", "rank", "ties", "first 4 mV (s)", "mean (mV)", "p99 (mV)", "rewards", "cell"}

func simSeedsLeft(i int) bool { return i == len(simSeedsHead)-1 }

func simSeedsRows(t runfiles.Table) [][]string {
	var rows [][]string
	for _, s := range t.Seeds {
		first := "—"
		if s.First4mVS != nil {
			first = fixed(*s.First4mVS, 1)
		}
		rows = append(rows, []string{strconv.Itoa(s.Seed), fixed(s.SimulatedS, 0), fixed(s.RewardedWeightMV, 4),
			fmt.Sprintf("%d of %d", s.RewardedRank, s.ExcSynapses), strconv.Itoa(s.RewardedTies), first,
			fixed(s.MeanExcWeightMV, 3), fixed(s.P99ExcWeightMV, 3), strconv.Itoa(s.Rewards), s.Cell})
	}
	return rows
}

// simMarksHead and simMarksRows tabulate the rewarded synapse every 10
// simulated minutes, one row per seed.
func simMarks(t runfiles.Table) (head []string, rows [][]string) {
	n := 0
	for _, s := range t.Seeds {
		if len(s.Marks) > n {
			n = len(s.Marks)
			head = []string{"seed"}
			for _, m := range s.Marks {
				head = append(head, fmt.Sprintf("%g min", m.TimeS/60))
			}
		}
	}
	if n == 0 {
		return nil, nil
	}
	for _, s := range t.Seeds {
		row := []string{strconv.Itoa(s.Seed)}
		for i := range n {
			if i < len(s.Marks) {
				m := s.Marks[i]
				row = append(row, fmt.Sprintf("%.2f mV (#%d)", m.RewardedWeightMV, m.RewardedRank))
			} else {
				row = append(row, "—")
			}
		}
		rows = append(rows, row)
	}
	return head, rows
}
