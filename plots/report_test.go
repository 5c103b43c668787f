package plots

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ghlsim/internal/runfiles"
)

// fixtureRoot returns the directory fixtures are written to:
// $PLOTS_REPORT_DIR/<test name> when that variable is set (to look at the
// reports by hand; the subdirectory is replaced), else a test temp dir.
func fixtureRoot(t *testing.T) string {
	if d := os.Getenv("PLOTS_REPORT_DIR"); d != "" {
		d = filepath.Join(d, t.Name())
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// htmlDoc parses a report as XML (reports are written well-formed) and
// returns every element's name and attributes in order, failing the test
// when it does not parse.
func htmlDoc(t *testing.T, b []byte) []xml.StartElement {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	var out []xml.StartElement
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("report.html is not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			out = append(out, se.Copy())
		}
	}
}

func attr(e xml.StartElement, name string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == name && a.Name.Space != "xmlns" && !(a.Name.Space == "" && name == "xmlns") {
			return a.Value, true
		}
	}
	return "", false
}

// checkSelfContained fails when an element loads or links anything outside
// the document: src/href/xlink:href with a scheme or a // host, <link>,
// <script src>, or url(...) / @import in styles.
func checkSelfContained(t *testing.T, elems []xml.StartElement, raw []byte) {
	t.Helper()
	external := regexp.MustCompile(`^\s*([a-zA-Z][a-zA-Z0-9+.-]*:|//)`)
	for _, e := range elems {
		switch e.Name.Local {
		case "link", "script", "iframe", "object", "embed":
			t.Errorf("report has a <%s> element", e.Name.Local)
		}
		for _, a := range e.Attr {
			if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
				continue
			}
			switch a.Name.Local {
			case "src", "href", "action", "data", "poster":
				if external.MatchString(a.Value) && !strings.HasPrefix(a.Value, "data:") {
					t.Errorf("<%s %s=%q> refers outside the report", e.Name.Local, a.Name.Local, a.Value)
				}
			}
		}
	}
	for _, bad := range []string{"url(", "@import"} {
		if bytes.Contains(raw, []byte(bad)) {
			t.Errorf("report contains %q", bad)
		}
	}
	// Any absolute URL at all must be an XML namespace name.
	for _, loc := range regexp.MustCompile(`https?://`).FindAllIndex(raw, -1) {
		before := string(raw[max(0, loc[0]-13):loc[0]])
		if !strings.HasSuffix(before, `xmlns="`) && !strings.HasSuffix(before, `xmlns:xlink="`) {
			t.Errorf("URL outside an xmlns attribute: %q", raw[max(0, loc[0]-40):min(len(raw), loc[1]+40)])
		}
	}
}

func ids(elems []xml.StartElement) map[string]string {
	out := map[string]string{}
	for _, e := range elems {
		if v, ok := attr(e, "id"); ok {
			out[v] = e.Name.Local
		}
	}
	return out
}

// mdLinks returns the targets of the Markdown image links in md.
func mdLinks(md []byte) []string {
	var out []string
	for _, m := range regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`).FindAllSubmatch(md, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

func TestReportSingleRun(t *testing.T) {
	root := fixtureRoot(t)
	run := filepath.Join(root, "run")
	writeFixtureRun(t, run, "ghl", 1)
	if err := Report([]string{run}, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(run, ReportHTML))
	if err != nil {
		t.Fatal(err)
	}
	elems := htmlDoc(t, raw)
	checkSelfContained(t, elems, raw)
	got := ids(elems)
	for _, id := range []string{"summary", "figures", "metrics", "environment", "config",
		"fig-learning-curves", "fig-polarity-raster", "fig-receptive-fields", "fig-weight-norms", "fig-eligibility", "fig-throughput"} {
		if got[id] == "" {
			t.Errorf("report.html lacks #%s", id)
		}
	}
	if got["results"] != "" {
		t.Error("a plain training run has no results section")
	}
	svgs := 0
	for _, e := range elems {
		if e.Name.Local == "svg" {
			svgs++
		}
	}
	if svgs != 6 {
		t.Errorf("report.html inlines %d SVGs, want 6", svgs)
	}
	html := string(raw)
	for _, want := range []string{"abc1234", "ghl train --rule ghl", "2-core test CPU", "&#34;weight_decay&#34;: 0.05", "go1.26", "2026-01-02T03:04:05Z"} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(html, "<?xml") {
		t.Error("inline SVGs keep their XML declaration")
	}
	checkMarkdown(t, run, 6)
}

// checkMarkdown checks that report.md in dir links exactly want figures,
// all of which exist, and holds the main tables.
func checkMarkdown(t *testing.T, dir string, want int) {
	t.Helper()
	md, err := os.ReadFile(filepath.Join(dir, ReportMD))
	if err != nil {
		t.Fatal(err)
	}
	links := mdLinks(md)
	if len(links) != want {
		t.Errorf("report.md links %d figures, want %d: %v", len(links), want, links)
	}
	for _, l := range links {
		if _, err := os.Stat(filepath.Join(dir, l)); err != nil {
			t.Errorf("report.md links %s: %v", l, err)
		}
	}
	for _, h := range []string{"Summary", "Figures", "Metrics per epoch", "Environment", "Configuration"} {
		if !bytes.Contains(md, []byte(" "+h+"\n")) {
			t.Errorf("report.md lacks section %q", h)
		}
	}
}

func TestReportExperiment(t *testing.T) {
	root := fixtureRoot(t)
	exp := filepath.Join(root, "experiment")
	writeFixtureExperiment(t, exp)
	if err := Report([]string{exp}, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(exp, ReportHTML))
	if err != nil {
		t.Fatal(err)
	}
	elems := htmlDoc(t, raw)
	checkSelfContained(t, elems, raw)
	got := ids(elems)
	for _, id := range []string{"summary", "results", "figures", "metrics", "environment", "config",
		"fig-results-bars", "fig-sweep-flip", "fig-cells-learning-curves"} {
		if got[id] == "" {
			t.Errorf("report.html lacks #%s", id)
		}
	}
	html := string(raw)
	// The results table: mean ± std, n and the paper's number beside ours.
	for _, want := range []string{"<th rowspan=\"2\">setting</th>", ">GHL</th>", "<th class=\"sub\">paper</th>",
		"<td>75.15 ± 0.21</td><td class=\"n\">2</td><td class=\"paper\">76.2</td>", "CIFAR-10 test accuracy"} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	checkMarkdown(t, exp, 3)
	md, _ := os.ReadFile(filepath.Join(exp, ReportMD))
	if !bytes.Contains(md, []byte("| DeepHebb | 75.15 ± 0.21 | 2 | 76.2 |")) {
		t.Errorf("report.md results table lacks the DeepHebb/GHL entry:\n%s", md)
	}
	// The cells table lists cells in table order (GHL before BP), not directory order.
	if i, j := bytes.Index(md, []byte("| DeepHebb · GHL |")), bytes.Index(md, []byte("| DeepHebb · BP |")); i < 0 || j < 0 || i > j {
		t.Errorf("cells table out of table order (GHL at %d, BP at %d)", i, j)
	}
}

func TestReportCombined(t *testing.T) {
	root := fixtureRoot(t)
	a, b := filepath.Join(root, "ghl-run"), filepath.Join(root, "bp-run")
	writeFixtureRun(t, a, "ghl", 1)
	writeFixtureRun(t, b, "bp", 2)
	out := filepath.Join(root, "combined")
	if err := Report([]string{a, b}, ReportOptions{Out: out, Title: "GHL vs BP"}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(out, ReportHTML))
	if err != nil {
		t.Fatal(err)
	}
	elems := htmlDoc(t, raw)
	checkSelfContained(t, elems, raw)
	got := ids(elems)
	for _, id := range []string{"comparison", "fig-compare-learning-curves", "r1-run", "r2-run", "r1-summary", "r2-config", "fig-r2-receptive-fields"} {
		if got[id] == "" {
			t.Errorf("combined report lacks #%s", id)
		}
	}
	checkMarkdown(t, out, 13)
	if _, err := os.Stat(filepath.Join(a, ReportHTML)); err == nil {
		t.Error("a combined report must not write into the run directories")
	}
}

func TestReportRunInProgress(t *testing.T) {
	dir := t.TempDir()
	if err := runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.ConfigFile), fixtureInfo("ghl", "deephebb", 3)); err != nil {
		t.Fatal(err)
	}
	// Two epochs and a torn third line, as after a crash mid-append.
	var buf bytes.Buffer
	for _, e := range fixtureEpochs(2, 0.5, 3) {
		b, _ := jsonLine(e)
		buf.Write(b)
	}
	buf.WriteString(`{"epoch":3,"step":30`)
	if err := os.WriteFile(filepath.Join(dir, runfiles.MetricsFile), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Report([]string{dir}, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, ReportHTML))
	got := ids(htmlDoc(t, raw))
	if got["fig-learning-curves"] == "" || got["fig-receptive-fields"] != "" || got["fig-polarity-raster"] != "" {
		t.Errorf("in-progress run: want only learning curves, got ids %v", got)
	}
	if !strings.Contains(string(raw), "2 (last: epoch 2, step 200)") {
		t.Error("summary does not report the two finished epochs")
	}
	checkMarkdown(t, dir, 1)
}

func TestReportErrorsNameTheFile(t *testing.T) {
	cases := map[string]struct {
		setup func(t *testing.T, dir string)
		file  string
	}{
		"missing config": {func(t *testing.T, dir string) {
			mustWriteJSONL(t, filepath.Join(dir, runfiles.MetricsFile), fixtureEpochs(1, 0.5, 1))
		}, runfiles.ConfigFile},
		"corrupt config": {func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, runfiles.ConfigFile), []byte("{not json"), 0o644)
		}, runfiles.ConfigFile},
		"corrupt metrics line": {func(t *testing.T, dir string) {
			runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.ConfigFile), fixtureInfo("ghl", "x", 1))
			os.WriteFile(filepath.Join(dir, runfiles.MetricsFile), []byte("garbage\n{\"epoch\":1}\n"), 0o644)
		}, runfiles.MetricsFile},
		"truncated weights": {func(t *testing.T, dir string) {
			runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.ConfigFile), fixtureInfo("ghl", "x", 1))
			os.WriteFile(filepath.Join(dir, runfiles.WeightsFile), []byte{1, 2, 3}, 0o644)
		}, runfiles.WeightsFile},
		"corrupt table": {func(t *testing.T, dir string) {
			runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.ConfigFile), fixtureInfo("ghl", "x", 1))
			os.WriteFile(filepath.Join(dir, runfiles.TableFile), []byte(`{"rows": 3}`), 0o644)
		}, runfiles.TableFile},
		"table names a missing cell": {func(t *testing.T, dir string) {
			runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.ConfigFile), fixtureInfo("ghl", "x", 1))
			tab := fixtureTable(1)
			runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.TableFile), tab)
		}, runfiles.TableFile},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			c.setup(t, dir)
			err := Report([]string{dir}, ReportOptions{})
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, c.file)) {
				t.Errorf("error does not name %s: %v", c.file, err)
			}
			if _, err := os.Stat(filepath.Join(dir, ReportHTML)); err == nil {
				t.Error("a failed report must not leave report.html behind")
			}
		})
	}
	if err := Report(nil, ReportOptions{}); err == nil {
		t.Error("Report(nil) must fail")
	}
	if err := Report([]string{filepath.Join(t.TempDir(), "absent")}, ReportOptions{}); err == nil || !strings.Contains(err.Error(), "absent") {
		t.Errorf("missing directory: %v", err)
	}
}

func TestReportIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	writeFixtureRun(t, dir, "softhebb", 4)
	var prev []byte
	for i := 0; i < 2; i++ {
		if err := Report([]string{dir}, ReportOptions{}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, ReportHTML))
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && !bytes.Equal(prev, b) {
			t.Fatal("two reports of the same run differ")
		}
		prev = b
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	left2, _ := filepath.Glob(filepath.Join(dir, FiguresDir, ".*.tmp*"))
	if len(left)+len(left2) > 0 {
		t.Errorf("temporary files left behind: %v %v", left, left2)
	}
}
