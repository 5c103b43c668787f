package plots

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ghlsim/experiments/runfiles"
	"ghlsim/network"
)

// polarityRows are the 22 rows of the polarity experiment's smoke budget
// (experiments/specs_polarity.go), whose report showed 22 same-colour
// legend entries over the plot.
func polarityRows() []runfiles.Row {
	var rows []runfiles.Row
	for _, p := range []float64{0, 0.05, 0.1, 0.2, 0.3, 0.5} {
		rows = append(rows, runfiles.Row{Name: fmt.Sprintf("flip p=%g", p), Param: "flip probability", Value: p})
	}
	for _, k := range []int{1, 4, 16} {
		rows = append(rows, runfiles.Row{Name: fmt.Sprintf("delay k=%d", k), Param: "delay (steps)", Value: float64(k)})
	}
	for _, src := range []string{"grad-sign", "fa-sign", "dfa-sign"} {
		for _, g := range []string{"synapse", "neuron", "layer", "global"} {
			if src != "grad-sign" || g != "synapse" {
				rows = append(rows, runfiles.Row{Name: src + "@" + g})
			}
		}
	}
	return append(rows, runfiles.Row{Name: "random"}, runfiles.Row{Name: "constant"})
}

// writeOneEpochRun writes a run of a single epoch whose conv1 eligibility
// spans thousands (the report read "-2500.00…" under its histogram).
func writeOneEpochRun(t *testing.T, dir string) {
	t.Helper()
	writeFixtureRun(t, dir, "ghl", 3)
	if err := os.Remove(filepath.Join(dir, runfiles.MetricsFile)); err != nil {
		t.Fatal(err)
	}
	mustWriteJSONL(t, filepath.Join(dir, runfiles.MetricsFile), fixtureEpochs(1, 0.94, 3))
	w := network.SafetensorsFile{Tensors: map[string]network.HostTensor{
		"conv1.weight":      gaborWeights(8, 1, 5, 5, 3),
		"conv1.eligibility": randTensor(4, 1100, 8, 1, 5, 5),
	}}
	b, err := network.EncodeSafetensors(w)
	if err != nil {
		t.Fatal(err)
	}
	if err := runfiles.WriteFileAtomic(filepath.Join(dir, runfiles.WeightsFile), b); err != nil {
		t.Fatal(err)
	}
}

// writePolaritySmoke writes an experiment shaped like `ghl run polarity
// --budget smoke --seeds 1`: 22 rows, one column (synthetic), one seed per
// cell, one epoch per cell, accuracies between 10 and 26 %.
func writePolaritySmoke(t *testing.T, dir string) {
	t.Helper()
	rows := polarityRows()
	for i := range rows {
		acc := 10 + 16*math.Abs(math.Sin(float64(i)))
		rel := fmt.Sprintf("cells/%s-s1", slug(rows[i].Name))
		rows[i].Cells = []runfiles.Cell{{Column: "synthetic", Rule: "ghl", Mean: acc, N: 1, Values: []float64{acc}, Cells: []string{rel}}}
		cd := filepath.Join(dir, rel)
		if err := os.MkdirAll(cd, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := runfiles.WriteJSONAtomic(filepath.Join(cd, runfiles.ConfigFile), fixtureInfo("ghl", "deephebb", uint64(i+1))); err != nil {
			t.Fatal(err)
		}
		mustWriteJSONL(t, filepath.Join(cd, runfiles.MetricsFile), fixtureEpochs(1, acc/100, uint64(i+1)))
	}
	tab := runfiles.Table{Experiment: "polarity", Version: 1, Budget: "smoke", Title: "Polarity ablation", Metric: "test accuracy (%)", Rows: rows}
	info := fixtureInfo("ghl", "deephebb", 1)
	info.Command = "ghl run polarity --budget smoke --seeds 1"
	if err := runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.ConfigFile), info); err != nil {
		t.Fatal(err)
	}
	if err := runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.TableFile), tab); err != nil {
		t.Fatal(err)
	}
}

var (
	svgRe      = regexp.MustCompile(`(?s)<figure id="([^"]*)".*?(<svg.*?</svg>)`)
	textRe     = regexp.MustCompile(`(?s)<text([^>]*)>([^<]*)</text>`)
	pathRe     = regexp.MustCompile(`<path d="([^"]*)"([^>]*)>`)
	numericRe  = regexp.MustCompile(`^[−-]?[0-9][0-9.,]*(e[+-]?[0-9]+)?[kMGTPE%]?$`)
	colourRe   = regexp.MustCompile(`#([0-9a-fA-F]{6})\b`)
	legendFill = regexp.MustCompile(`(?i)fill:\s*(#1a1a1a|rgb\(26,\s*26,\s*26\))`)
)

// checkFigureSVG applies the report's figure rules to one SVG and returns
// what breaks them: at most 8 legend entries, tick labels of at most 8
// characters, something drawn in colour beyond the legend, and no line of a
// single point (a series of one point must be a marker).
func checkFigureSVG(svg string) []string {
	var bad []string
	legend := 0
	for _, m := range textRe.FindAllStringSubmatch(svg, -1) {
		attrs, label := m[1], strings.TrimSpace(unescapeXML(m[2]))
		if legendFill.MatchString(attrs) {
			legend++
			continue
		}
		if numericRe.MatchString(label) && len([]rune(label)) > maxTickLabel {
			bad = append(bad, fmt.Sprintf("tick label %q is longer than %d characters", label, maxTickLabel))
		}
	}
	if legend > 8 {
		bad = append(bad, fmt.Sprintf("%d legend entries (at most 8)", legend))
	}
	// Something is drawn when there are more coloured marks than legend
	// thumbnails, or (a grey-scale receptive-field grid) several grey
	// levels besides black, white and the text greys.
	coloured, greys := 0, map[uint64]bool{}
	for _, m := range colourRe.FindAllStringSubmatch(svg, -1) {
		v, _ := strconv.ParseUint(m[1], 16, 32)
		if r, g, b := v>>16, v>>8&0xff, v&0xff; r != g || g != b {
			coloured++
		} else if v != 0 && v != 0xffffff && v != 0x1a1a1a && v != 0x555555 {
			greys[v] = true
		}
	}
	if coloured <= legend && len(greys) < 3 {
		bad = append(bad, fmt.Sprintf("empty: %d coloured marks for %d legend entries and %d grey levels", coloured, legend, len(greys)))
	}
	for _, m := range pathRe.FindAllStringSubmatch(svg, -1) {
		if d := strings.TrimSpace(m[1]); strings.Count(d, "M") == 1 && !strings.ContainsAny(d, "LAZCQ") {
			bad = append(bad, fmt.Sprintf("a series of one point without a marker: <path d=%q>", d))
		}
	}
	return bad
}

func unescapeXML(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`).Replace(s)
}

// TestReportFiguresInChromium writes a report of a one-epoch run and of a
// polarity smoke experiment (22 single-seed cells of one rule), loads it
// in headless Chromium and checks every figure of the DOM Chromium built:
// at most 8 legend entries, tick labels of at most 8 characters, nothing
// empty, no single-point series without a marker; the one-epoch learning
// curves have a marker per series. It skips where /usr/bin/chromium is
// missing (fails instead under GHLSIM_REQUIRE_CHROMIUM=1) and with -short.
func TestReportFiguresInChromium(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("GHLSIM_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("GHLSIM_REQUIRE_CHROMIUM=1 but %s is missing (Debian: apt-get install -y chromium)", chromium)
		}
		t.Skip("needs /usr/bin/chromium (Debian: apt-get install -y chromium); set GHLSIM_REQUIRE_CHROMIUM=1 to make this a failure")
	}
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	root := t.TempDir()
	run, exp := filepath.Join(root, "one-epoch"), filepath.Join(root, "polarity")
	writeOneEpochRun(t, run)
	writePolaritySmoke(t, exp)
	out := filepath.Join(root, "report")
	if err := Report([]string{run, exp}, ReportOptions{Out: out}); err != nil {
		t.Fatal(err)
	}
	profile := filepath.Join(root, "profile")
	start := time.Now()
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
		"--user-data-dir="+profile, "--dump-dom", "file://"+filepath.Join(out, "report.html"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	t.Logf("chromium built the DOM in %v (%d bytes)", time.Since(start).Round(time.Millisecond), len(dom))
	figs := svgRe.FindAllStringSubmatch(string(dom), -1)
	if len(figs) < 6 {
		t.Fatalf("Chromium's DOM has %d inline figures, want the run's and the experiment's (≥ 6)", len(figs))
	}
	names := map[string]bool{}
	for _, f := range figs {
		names[f[1]] = true
		for _, msg := range checkFigureSVG(f[2]) {
			t.Errorf("figure %s: %s", f[1], msg)
		}
	}
	for _, want := range []string{"learning-curves", "eligibility", "results-bars", "cells-learning-curves"} {
		found := false
		for n := range names {
			found = found || strings.HasSuffix(n, want)
		}
		if !found {
			t.Errorf("no figure %q among %v", want, names)
		}
	}
}

// checkFigureSVG itself flags each rule it enforces, so the Chromium test
// cannot pass by checking nothing.
func TestCheckFigureSVGFlagsBadFigures(t *testing.T) {
	leg := func(n int) string {
		var s strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&s, `<text style="fill:#1a1a1a">run %d</text>`, i)
		}
		return s.String()
	}
	good := `<svg>` + strings.Repeat(`<path d="M0 0L5 5" style="stroke:#0072b2"/><path d="M1 1L2 2" style="stroke:#e69f00"/>`, 2) + leg(2) + `<text>0.25</text></svg>`
	if bad := checkFigureSVG(good); len(bad) != 0 {
		t.Fatalf("a good figure was flagged: %v", bad)
	}
	for name, svg := range map[string]string{
		"9 legend entries": `<svg>` + strings.Repeat(`<path d="M0 0L1 1" style="stroke:#0072b2"/>`, 12) + leg(9) + `</svg>`,
		"long tick":        `<svg><path d="M0 0L1 1" style="stroke:#0072b2"/><text>-2500.00000</text></svg>`,
		"empty":            `<svg><path d="M0 0L1 1" style="stroke:#000000"/>` + leg(1) + `</svg>`,
		"single point":     `<svg><path d="M3 4" style="stroke:#0072b2"/><path d="M0 0L1 1" style="stroke:#e69f00"/></svg>`,
	} {
		if bad := checkFigureSVG(svg); len(bad) == 0 {
			t.Errorf("%s: not flagged", name)
		}
	}
}
