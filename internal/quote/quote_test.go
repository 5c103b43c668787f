package quote

import (
	"strings"
	"testing"
)

func TestQ(t *testing.T) {
	if got := Q("flip:1.5"); got != `"flip:1.5"` {
		t.Errorf("short input: %s", got)
	}
	for _, s := range []string{
		strings.Repeat("a", 20<<20),
		strings.Repeat("é", 1000),
		strings.Repeat("\x00", 1000),
		strings.Repeat("\U0001F600", 500),
		strings.Repeat("a", Max) + "\x01",
	} {
		got := Q(s)
		body, marker, ok := strings.Cut(got, "… (")
		if !ok || len(body) > Max || !strings.HasPrefix(body, `"`) || !strings.HasSuffix(body, `"`) {
			t.Errorf("Q of %d bytes: %.300s", len(s), got)
		}
		if !strings.Contains(marker, "bytes, cut)") {
			t.Errorf("marker %q", marker)
		}
	}
	if got := S(strings.Repeat("x", 1000)); len(got) > Max+40 || !strings.HasSuffix(got, "… (1000 bytes, cut)") {
		t.Errorf("S: %s", got)
	}
	if got := S("short"); got != "short" {
		t.Errorf("S short: %s", got)
	}
}
