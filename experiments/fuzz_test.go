package experiments

import "testing"

// FuzzParseConfig: no input makes the config parser or validator panic.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"rule": "ghl", "epochs": 2, "hidden_lr": 0.01}`))
	f.Add([]byte(`{"rule": "softhebb", "hebbian_lrs": [0.08, 0.005, 0.01]}`))
	f.Add([]byte(`{"width": -1e308, "batch": 0}`))
	f.Add([]byte(`{"hiden_lr": 1}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"seed": 18446744073709551615}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b, Defaults())
		if err != nil {
			return
		}
		c.RuleDefaults()
		c.Validate()
	})
}
