// Package registry is the one implementation behind ghlsim's named
// registries (rules, modulator sources, architectures, experiment specs):
// an immutable list of built-in entries, written out as one list literal
// in its package, and an extension list that a program adds to explicitly
// (the packages' Register functions) and that is consulted after the
// built-ins. Nothing is filled by init(): the built-ins are known before
// main runs, whatever the order of files and packages.
package registry

import (
	"fmt"
	"slices"
	"sort"
	"sync"
)

// List is a registry of named entries of type T. The built-in entries
// never change; extensions are guarded by a mutex, so Add may run
// concurrently with lookups.
type List[T any] struct {
	kind    string // what an entry is, for panics: "synapse: rule"
	name    func(T) string
	builtin []T
	mu      sync.Mutex
	ext     []T
}

// New returns a registry of the built-in entries, named by name. It
// panics on an empty or duplicate built-in name: the list literal is wrong.
func New[T any](kind string, name func(T) string, builtin []T) *List[T] {
	l := &List[T]{kind: kind, name: name, builtin: slices.Clip(builtin)}
	seen := map[string]bool{}
	for _, e := range builtin {
		n := name(e)
		if n == "" || seen[n] {
			panic(fmt.Sprintf("%s: built-in name %q is empty or listed twice", kind, n))
		}
		seen[n] = true
	}
	return l
}

// Builtin is the built-in list, in its written order (a copy).
func (l *List[T]) Builtin() []T { return slices.Clone(l.builtin) }

// All is the built-in entries, then the extensions in the order they
// were added (a copy).
func (l *List[T]) All() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append(slices.Clone(l.builtin), l.ext...)
}

// Lookup finds the entry called name, built-ins first.
func (l *List[T]) Lookup(name string) (T, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.find(name)
}

// find is Lookup with l.mu held.
func (l *List[T]) find(name string) (T, bool) {
	for _, list := range [][]T{l.builtin, l.ext} {
		for _, e := range list {
			if l.name(e) == name {
				return e, true
			}
		}
	}
	var zero T
	return zero, false
}

// Add appends an extension. It panics when the name is empty or already
// taken by a built-in or an earlier extension (a program registering the
// same name twice is a programmer error).
func (l *List[T]) Add(e T) {
	n := l.name(e)
	if n == "" {
		panic(l.kind + ": empty name")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, dup := l.find(n); dup {
		panic(l.kind + " registered twice: " + n)
	}
	l.ext = append(l.ext, e)
}

// Names lists every entry's name in sorted order.
func (l *List[T]) Names() []string {
	all := l.All()
	out := make([]string, len(all))
	for i, e := range all {
		out[i] = l.name(e)
	}
	sort.Strings(out)
	return out
}
