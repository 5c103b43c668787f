package backends

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"ghlsim/internal/quote"
)

// ErrNotImplemented is returned (wrapped) by a backend that lacks an optional
// kernel; callers fall back to primitives.
var ErrNotImplemented = errors.New("not implemented by this backend")

// ErrUnknownBackend is returned (wrapped) by New for a name no package registered.
var ErrUnknownBackend = errors.New("unknown backend")

// Factory opens a backend. device is the part of the name after the first
// colon ("" for "cpu", "cuda:0" for "torch:cuda:0").
type Factory func(device string) (Backend, error)

var (
	registryMu sync.Mutex
	registry   = map[string]Factory{}
)

// Register makes a backend family available to New under name (the part
// before the first colon). It panics if the name is taken.
//
// Unlike ghlsim's other registries (rules, sources, architectures,
// experiments: one list literal each, nothing filled at init time),
// backend families register themselves from their package's init(), as
// database/sql drivers and image formats do: this package cannot list its
// implementations (backends/cpu and backends/torch import it), the packages
// between a program and its backend (network, experiments) must not name
// any implementation, and a program links exactly the backends it imports
// (torch, with its purego loader, stays out of a cpu-only build). Each
// family has its own name, so init order does not matter; a program that
// wants no registry at all opens one directly (cpu.Open, torch.New).
func Register(name string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("backends: Register called twice for " + name)
	}
	registry[name] = f
}

// Names lists the registered backend families in sorted order.
func Names() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	var out []string
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// New opens the backend called name, e.g. "cpu", "torch", "torch:cpu" or
// "torch:cuda:0". The package implementing it must be imported (the ghl
// command imports them all).
func New(name string) (Backend, error) {
	family, device, _ := strings.Cut(name, ":")
	registryMu.Lock()
	f, ok := registry[family]
	registryMu.Unlock()
	if !ok {
		known := strings.Join(Names(), ", ")
		if known == "" {
			known = "none is linked into this program: add import _ \"ghlsim/backends/cpu\" (or …/torch) to it"
		}
		return nil, fmt.Errorf("backend %s: %w (known: %s)", quote.Q(name), ErrUnknownBackend, known)
	}
	b, err := f(device)
	if err != nil {
		return nil, fmt.Errorf("backend %s: %w", quote.Q(name), err)
	}
	return b, nil
}
