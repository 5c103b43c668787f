package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestQuietWhenNotLive(t *testing.T) {
	var buf bytes.Buffer
	b := NewTo(&buf, false, "epoch 1", 100, "img")
	b.Add(50)
	b.Done()
	if buf.Len() != 0 {
		t.Fatalf("non-interactive bar wrote %q", buf.String())
	}
}

func TestLiveLineHasRateAndETA(t *testing.T) {
	var buf bytes.Buffer
	b := NewTo(&buf, true, "epoch 1", 100, "img")
	b.Add(100)
	out := buf.String()
	for _, want := range []string{"epoch 1", "100/100", "(100%)", "img/s", "ETA"} {
		if !strings.Contains(out, want) {
			t.Errorf("line %q lacks %q", out, want)
		}
	}
}
