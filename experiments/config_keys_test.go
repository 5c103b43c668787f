package experiments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigKeysStrict: duplicate keys and wrong-case field names used to
// be accepted (the last duplicate won; "Rule" set rule); both are now
// errors naming the key.
func TestConfigKeysStrict(t *testing.T) {
	for _, c := range []struct{ json, want string }{
		{`{"rule": "bp", "rule": "ghl"}`, `field "rule" is given twice`},
		{`{"epochs": 2, "batch": 8, "epochs": 3}`, `field "epochs" is given twice`},
		{`{"Rule": "bp"}`, `field "Rule" must be written "rule"`},
		{`{"HIDDEN_LR": 0.1}`, `field "HIDDEN_LR" must be written "hidden_lr"`},
		{`{"hiden_lr": 0.1}`, `unknown field "hiden_lr"`},
		{`[]`, `want a JSON object`},
		{`null`, `want a JSON object`},
		{`{"rule": }`, `invalid character`},
	} {
		_, err := ParseConfig([]byte(c.json), Defaults())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.json, err, c.want)
		}
	}
	if c, err := ParseConfig([]byte(`{"rule": "bp", "hebbian_lrs": [0.1, 0.2], "dropout": 0}`), Defaults()); err != nil || c.Rule != "bp" || len(c.HebbianLRs) != 2 {
		t.Errorf("valid config: %+v, %v", c, err)
	}
}

// TestConfigBOMAndEmpty: a UTF-8 byte-order mark used to be rejected and
// an empty file reported "EOF"; the mark is now skipped and an empty (or
// blank) file is reported as "config file X is empty".
func TestConfigBOMAndEmpty(t *testing.T) {
	dir := t.TempDir()
	bom := filepath.Join(dir, "bom.json")
	os.WriteFile(bom, []byte("\xef\xbb\xbf{\"rule\": \"bp\"}\n"), 0o644)
	if c, err := LoadConfig(bom, Defaults()); err != nil || c.Rule != "bp" {
		t.Errorf("config with a BOM: %v, %v", c.Rule, err)
	}
	for name, body := range map[string]string{"empty.json": "", "blank.json": " \n\t\n", "bomonly.json": "\xef\xbb\xbf"} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(body), 0o644)
		_, err := LoadConfig(path, Defaults())
		if err == nil || !strings.Contains(err.Error(), "config file "+path+" is empty") || strings.Contains(err.Error(), "EOF") {
			t.Errorf("%s: got %v", name, err)
		}
	}
}
