package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ghlsim/synapse"
)

// readmeSection is the text of the README section that starts with head.
func readmeSection(t *testing.T, readme, head string) string {
	t.Helper()
	i := strings.Index(readme, "\n"+head+"\n")
	if i < 0 {
		t.Fatalf("README has no section %q", head)
	}
	rest := readme[i+len(head)+2:]
	if j := strings.Index(rest, "\n## "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestREADME: the README did not say how to get the ghl binary its
// examples call, its rules table missed hpca-fh and swta-fh, --data was not
// explained for CIFAR, it sent users to documents outside the repository,
// and it had no list of bad inputs and what they give.
func TestREADME(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, want := range []string{"go install ./cmd/ghl", "go build -o ghl ./cmd/ghl"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README does not say %q", want)
		}
	}
	rules := readmeSection(t, readme, "## Rules and their defaults")
	for _, r := range synapse.RuleNames() {
		if !strings.Contains(rules, "| `"+r+"` |") {
			t.Errorf("the rules table has no row for %s", r)
		}
	}
	data := readmeSection(t, readme, "## Datasets")
	for _, row := range strings.Split(data, "\n") {
		if strings.HasPrefix(row, "| `cifar10`") || strings.HasPrefix(row, "| `cifar100`") {
			if !strings.Contains(row, "`--data` names") {
				t.Errorf("the datasets row %q does not explain --data", row[:20])
			}
		}
	}
	if !strings.Contains(data, "Optional data outside the repository") {
		t.Error("the shared CIFAR-10 copy is not described as optional data")
	}
	// Links stay inside the repository; the only place outside it named
	// is the optional shared/datasets copy.
	for _, m := range regexp.MustCompile(`\]\(([^)#]+)`).FindAllStringSubmatch(readme, -1) {
		target := m[1]
		if strings.Contains(target, "://") || strings.HasPrefix(target, "../") || strings.HasPrefix(target, "/") {
			t.Errorf("README links outside the repository: %s", target)
			continue
		}
		if _, err := os.Stat(filepath.Join("..", "..", filepath.FromSlash(target))); err != nil {
			t.Errorf("README links to %s, which the repository lacks", target)
		}
	}
	if strings.Contains(readme, "../") || strings.Contains(readme, "shared/docs") {
		t.Error("README points at a path outside the repository (../ or shared/docs)")
	}
	bad := readmeSection(t, readme, "## Bad input")
	for _, want := range []string{"delay:K", "--init", "--max-image-pixels", "`..`", "--drop-last", "--no-report", "--val-fraction 0", "--threads", "given twice", "ghl bench", ".lock"} {
		if !strings.Contains(bad, want) {
			t.Errorf("the bad-input table has no row about %s", want)
		}
	}
}
