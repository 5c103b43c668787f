package plots

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"ghlsim/internal/runfiles"
)

// numericTicks returns the texts of d that parse as numbers (tick labels).
func numericTicks(d svgDocTree) []float64 {
	var out []float64
	for _, s := range d.texts() {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// checkTicks fails unless some tick labels fall within [lo, hi] and no
// label is outside [lo − pad, hi + pad] or non-finite.
func checkTicks(t *testing.T, d svgDocTree, lo, hi, pad float64, want int) {
	t.Helper()
	ticks := numericTicks(d)
	in := 0
	for _, v := range ticks {
		if !finite(v) {
			t.Errorf("non-finite tick %v", v)
		}
		if v >= lo && v <= hi {
			in++
		}
	}
	if in < want {
		t.Errorf("%d numeric tick labels within [%g, %g], want ≥ %d (all: %v)", in, lo, hi, want, ticks)
	}
	for _, s := range d.texts() {
		if strings.Contains(s, "e+") || strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
			t.Errorf("tick label %q", s)
		}
	}
}

// fixtureSpikes is one simulated second of 100 neurons, 20 of them
// inhibitory, neuron 0 and 7 firing regularly.
func fixtureSpikes() Spikes {
	var s Spikes
	for k := 0; k < 1000; k += 5 {
		for i := 0; i < 100; i++ {
			if (i*7+k)%97 == 0 || (i == 0 && k%100 == 0) || (i == 7 && k%100 == 3) {
				s.Index = append(s.Index, i)
				s.TimeMS = append(s.TimeMS, 3599000+float64(k))
			}
		}
	}
	return s
}

func TestSpikeRaster(t *testing.T) {
	sp := fixtureSpikes()
	b, err := SpikeRaster(sp, RasterOptions{Inhibitory: 80, Highlight: map[int]string{0: "n1", 7: "n2"}}, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	for _, s := range []string{"time (s)", "neuron", "excitatory", "inhibitory", "n1", "n2"} {
		if !d.hasText(s) {
			t.Errorf("no text %q in %v", s, d.texts())
		}
	}
	// one glyph per spike (+ one legend glyph per entry)
	glyphs := d.count("path", func(e svgElem) bool {
		f, _ := styleValue(e.attrs["style"], "fill")
		return f != "" && f != "none" && f != "#ffffff"
	})
	if glyphs < len(sp.Index) {
		t.Errorf("%d filled glyphs for %d spikes", glyphs, len(sp.Index))
	}
	n1 := 0
	for _, i := range sp.Index {
		if i == 0 {
			n1++
		}
	}
	if n := d.fills(hexColor(OkabeIto[6])); n != n1+1 {
		t.Errorf("n1: %d vermillion dots, want %d spikes + legend", n, n1)
	}
	checkTicks(t, d, 0, 100, 0, 3)
	checkTicks(t, d, 3599, 3600, 0, 3)
	if m := d.minFontPt(t); m < 8 {
		t.Errorf("smallest font %.1f pt", m)
	}
	if _, err := SpikeRaster(Spikes{}, RasterOptions{}, DefaultStyle()); !errors.Is(err, ErrNoData) {
		t.Errorf("no spikes: %v", err)
	}
}

func fixtureRecords(n int, chunkS float64) []runfiles.SimChunk {
	var out []runfiles.SimChunk
	for i := 1; i <= n; i++ {
		f := float64(i) / float64(n)
		out = append(out, runfiles.SimChunk{Chunk: i, TimeS: float64(i) * chunkS, RewardedWeightMV: 4 * f * f,
			MeanExcWeightMV: 1 - 0.6*f, P99ExcWeightMV: 1 + 1.5*f, RewardedRank: 1 + int(79999*(1-f)), Rewards: 2 * i})
	}
	return out
}

func TestWeightTrajectories(t *testing.T) {
	series := []WeightSeries{{Label: "seed 1", Records: fixtureRecords(360, 10)}, {Label: "seed 2", Records: fixtureRecords(360, 10)}}
	b, err := WeightTrajectories(series, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	for _, s := range []string{"seed 1", "seed 2", "rewarded synapse", "99th percentile", "mean", "simulated time (min)", "weight (mV)"} {
		if n := d.countText(s); n != 1 {
			t.Errorf("text %q appears %d times, want once", s, n)
		}
	}
	// 3 lines per seed + 1 legend line per seed
	if n := d.strokes(hexColor(traceColor(0)), ""); n != 3+1 {
		t.Errorf("%d strokes in seed 1's colour, want 4", n)
	}
	checkTicks(t, d, 0, 60, 0, 3) // minutes
	checkTicks(t, d, 0, 4, 0, 3)  // mV
	// short runs keep seconds; a single record is marked by a dot
	b, err = WeightTrajectories([]WeightSeries{{Label: "x", Records: fixtureRecords(1, 5)}}, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d = parseSVG(t, b)
	if !d.hasText("simulated time (s)") || d.hasText("x") {
		t.Errorf("one short run: %v", d.texts())
	}
	if _, err := WeightTrajectories(nil, DefaultStyle()); !errors.Is(err, ErrNoData) {
		t.Errorf("no runs: %v", err)
	}
}

// fixtureState is a 10 s recording at 1 ms of a variable in two columns.
func fixtureState(v string, f func(col int, tms float64) float64) StateRecording {
	r := StateRecording{Var: v, Columns: []string{v + "[0]", v + "[7]"}, Indices: []int{0, 7}, Values: make([][]float64, 2)}
	for k := 0; k < 10000; k++ {
		tms := 100000 + float64(k)
		r.TimeMS = append(r.TimeMS, tms)
		for q := range r.Values {
			r.Values[q] = append(r.Values[q], f(q, tms))
		}
	}
	return r
}

func TestStateTraces(t *testing.T) {
	v := fixtureState("v", func(q int, tms float64) float64 {
		if int(tms)%(200+q*50) == 0 {
			return 30
		}
		return -65 + 5*math.Sin(tms/50)
	})
	c := fixtureState("c", func(q int, tms float64) float64 { return 0.1 * math.Exp(-math.Mod(tms, 3000)/1000) })
	panels := []TracePanel{
		{YLabel: "membrane potential (mV)", Series: []TraceSeries{{"n1", v.TimeMS, v.Values[0]}, {"n2", v.TimeMS, v.Values[1]}}},
		{YLabel: "eligibility c", Series: []TraceSeries{{"c", c.TimeMS, c.Values[0]}}},
	}
	events := []TraceEvent{{Label: "release", TimesS: []float64{102.5, 107, 500}, Color: OkabeIto[6], Dashes: []vg.Length{4, 2}}}
	b, err := StateTraces(panels, events, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 400_000 {
		t.Errorf("SVG of %d bytes: long traces must be reduced", len(b))
	}
	d := parseSVG(t, b)
	for _, s := range []string{"n1", "n2", "release", "time (s)", "membrane potential (mV)", "eligibility c"} {
		if n := d.countText(s); n != 1 {
			t.Errorf("text %q appears %d times, want once", s, n)
		}
	}
	if d.hasText("c") {
		t.Error("a panel's single series needs no legend entry")
	}
	// two releases inside the window, drawn on both panels, plus the legend line
	if n := d.strokes(hexColor(OkabeIto[6]), ""); n != 2*2+1 {
		t.Errorf("%d release lines, want 5", n)
	}
	checkTicks(t, d, 100, 110, 0, 3)
	checkTicks(t, d, -65, 30, 0, 2)
	if _, err := StateTraces([]TracePanel{{YLabel: "x"}}, nil, DefaultStyle()); !errors.Is(err, ErrNoData) {
		t.Errorf("no series: %v", err)
	}
}

func TestModulatorTrace(t *testing.T) {
	rel := []float64{102, 106.5}
	d0 := fixtureState("d", func(q int, tms float64) float64 {
		v := 0.002
		for _, r := range rel {
			if tms >= r*1000 {
				v += 0.5 * math.Exp(-(tms-r*1000)/200)
			}
		}
		return v
	})
	d0.Columns, d0.Indices, d0.Values = d0.Columns[:1], d0.Indices[:1], d0.Values[:1]
	b, err := ModulatorTrace(d0, rel, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	for _, s := range []string{"dopamine", "release", "time (s)", "concentration (µM)"} {
		if !d.hasText(s) {
			t.Errorf("no text %q in %v", s, d.texts())
		}
	}
	if n := d.fills(hexColor(OkabeIto[6])); n != 2+1 {
		t.Errorf("%d release marks, want 2 + legend", n)
	}
	checkTicks(t, d, 100, 110, 0, 3)
	checkTicks(t, d, 0, 0.5, 0, 2)
	if _, err := ModulatorTrace(StateRecording{}, nil, DefaultStyle()); !errors.Is(err, ErrNoData) {
		t.Errorf("empty: %v", err)
	}
}

func TestEnvelopeKeepsExtremes(t *testing.T) {
	var ts, vs []float64
	for k := 0; k < 100000; k++ {
		ts = append(ts, float64(k))
		v := 0.0
		if k == 54321 {
			v = 30
		}
		vs = append(vs, v)
	}
	pts := envelope(ts, vs, 1000)
	if len(pts) > 1000 {
		t.Fatalf("%d points", len(pts))
	}
	peak := false
	for i, p := range pts {
		peak = peak || (p.Y == 30 && p.X == 54.321)
		if i > 0 && p.X < pts[i-1].X {
			t.Fatal("points out of time order")
		}
	}
	if !peak {
		t.Error("the spike was lost")
	}
}

func TestMonitorCSVReaders(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sp := write("spikes.csv", "index,step,t_ms\n3,10,1\n5,12,1.2\n")
	st := write("v.csv", "step,t_ms,v[0],v[315]\n0,0,-65,-65\n1,1,-64.5,-66\n")
	if k, err := MonitorKind(sp); err != nil || k != "spikes" {
		t.Errorf("kind of spikes.csv: %q %v", k, err)
	}
	if k, err := MonitorKind(st); err != nil || k != "v" {
		t.Errorf("kind of v.csv: %q %v", k, err)
	}
	s, err := ReadSpikesCSV(sp)
	if err != nil || len(s.Index) != 2 || s.Index[1] != 5 || s.TimeMS[1] != 1.2 {
		t.Errorf("spikes: %v %+v", err, s)
	}
	r, err := ReadStateCSV(st)
	if err != nil || r.Var != "v" || r.Indices[1] != 315 || r.Values[1][1] != -66 || r.TimeMS[1] != 1 {
		t.Errorf("state: %v %+v", err, r)
	}
	for name, body := range map[string]string{
		"bad header": "a,b,c\n", "bad row": "index,step,t_ms\nx,1,1\n", "short row": "step,t_ms,v[0]\n1,1\n",
		"two vars": "step,t_ms,v[0],u[0]\n", "empty": "",
	} {
		p := write(strings.ReplaceAll(name, " ", "_")+".csv", body)
		_, e1 := ReadSpikesCSV(p)
		_, e2 := ReadStateCSV(p)
		if e1 == nil && e2 == nil {
			t.Errorf("%s: both readers accepted %q", name, body)
		}
		if e1 != nil && !strings.Contains(e1.Error(), p) {
			t.Errorf("%s: error does not name the file: %v", name, e1)
		}
	}
}

// TestSimRunReport writes a distal-reward-like cell directory and checks
// that its report has the weight trajectories, raster, dopamine and state
// figures, and the chunk table.
func TestSimRunReport(t *testing.T) {
	dir := fixtureRoot(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.ConfigFile), runfiles.RunInfo{Tool: "ghlsim", Seed: 1, Label: "distal-reward seed 1", Rule: "da-stdp", Config: []byte(`{"n_exc":800}`)}))
	for _, r := range fixtureRecords(36, 10) {
		must(runfiles.AppendJSONL(filepath.Join(dir, runfiles.SimRecordsFile), r))
	}
	mon := filepath.Join(dir, runfiles.MonitorsDir)
	must(os.MkdirAll(mon, 0o755))
	var b strings.Builder
	b.WriteString("index,step,t_ms\n")
	sp := fixtureSpikes()
	for q := range sp.Index {
		fmt.Fprintf(&b, "%d,%d,%g\n", sp.Index[q], int(sp.TimeMS[q]), sp.TimeMS[q])
	}
	must(os.WriteFile(filepath.Join(mon, "spikes.csv"), []byte(b.String()), 0o644))
	for _, v := range []string{"v", "c", "d", "w"} {
		b.Reset()
		fmt.Fprintf(&b, "step,t_ms,%s[0],%s[7]\n", v, v)
		for k := 100000; k < 110000; k++ {
			fmt.Fprintf(&b, "%d,%d,%g,%g\n", k, k, math.Sin(float64(k)/300), math.Cos(float64(k)/300))
		}
		must(os.WriteFile(filepath.Join(mon, v+".csv"), []byte(b.String()), 0o644))
	}
	must(runfiles.WriteJSONAtomic(filepath.Join(mon, runfiles.ExcerptFile), runfiles.MonitorExcerpt{StateFromS: 100, StateToS: 110, Chunk: 11, Quality: 2,
		Reason: "test", ReleasesS: []float64{104}, TriggersS: []float64{102}, SpikesFromS: 3599, SpikesToS: 3600, Inhibitory: 80,
		Highlight: map[int]string{0: "n1"}, Labels: map[string]string{"v[0]": "n1 = neuron 0 (pre)"}}))
	must(Report([]string{dir}, ReportOptions{}))
	html, err := os.ReadFile(filepath.Join(dir, ReportHTML))
	must(err)
	for _, want := range []string{`id="fig-weight-trajectories"`, `id="fig-spike-raster"`, `id="fig-dopamine"`, `id="fig-state-traces"`,
		"rewarded synapse", "n1 = neuron 0 (pre)", "One record per simulated chunk"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	checkSelfContained(t, htmlDoc(t, html), html)
	md, err := os.ReadFile(filepath.Join(dir, ReportMD))
	must(err)
	for _, f := range []string{"weight-trajectories", "spike-raster", "dopamine", "state-traces"} {
		if !strings.Contains(string(md), "figures/"+f+".svg") {
			t.Errorf("report.md lacks figure %s", f)
		}
	}
}

func TestFineTicksTellNeighboursApart(t *testing.T) {
	for _, c := range [][2]float64{{3.99, 4}, {3580, 3590}, {-75, 25}, {0, 0.002}, {0, 60}, {-0.02, 0.1}} {
		ts := fineTicks{}.Ticks(c[0], c[1])
		seen := map[string]bool{}
		n := 0
		for _, tk := range ts {
			if tk.Label == "" {
				continue
			}
			n++
			if seen[tk.Label] {
				t.Errorf("%v: label %q twice in %v", c, tk.Label, ts)
			}
			seen[tk.Label] = true
			if v, err := strconv.ParseFloat(tk.Label, 64); err != nil || math.Abs(v-tk.Value) > 1e-9*math.Max(1, math.Abs(tk.Value)) {
				t.Errorf("%v: label %q for %v", c, tk.Label, tk.Value)
			}
			if tk.Label == "-0" || strings.HasPrefix(tk.Label, "-0.0") && strings.Trim(tk.Label, "-0.") == "" {
				t.Errorf("%v: negative zero %q", c, tk.Label)
			}
		}
		if n < 2 {
			t.Errorf("%v: %d labelled ticks", c, n)
		}
	}
}
