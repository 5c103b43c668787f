package experiments

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDropoutConfig: the "dropout" field reaches the config (0 included,
// distinct from absent = the architecture's 0.5), is validated, and is
// omitted from config.json when unset so older runs resume unchanged.
func TestDropoutConfig(t *testing.T) {
	c, err := ParseConfig([]byte(`{"dropout": 0}`), Defaults())
	if err != nil || c.Dropout == nil || *c.Dropout != 0 {
		t.Fatalf("dropout 0: %v, %v", c.Dropout, err)
	}
	c, err = ParseConfig([]byte(`{"rule": "ghl"}`), Defaults())
	if err != nil || c.Dropout != nil {
		t.Fatalf("absent dropout: %v, %v", c.Dropout, err)
	}
	if b, _ := json.Marshal(c); strings.Contains(string(b), "dropout") {
		t.Errorf("unset dropout written: %s", b)
	}
	c.RuleDefaults()
	one := 1.0
	c.Dropout = &one
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "dropout 1 must be in [0, 1)") {
		t.Errorf("dropout 1: %v", err)
	}
}
