package registry

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

type entry struct{ name, v string }

func newList(builtin ...entry) *List[entry] {
	return New("test: entry", func(e entry) string { return e.name }, builtin)
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), want) {
			t.Errorf("panic %v, want one containing %q", r, want)
		}
	}()
	f()
}

func TestList(t *testing.T) {
	l := newList(entry{"b", "1"}, entry{"a", "2"})
	if e, ok := l.Lookup("a"); !ok || e.v != "2" {
		t.Errorf("Lookup(a) = %v, %v", e, ok)
	}
	if _, ok := l.Lookup("c"); ok {
		t.Error("Lookup(c) found an entry")
	}
	l.Add(entry{"c", "3"})
	if e, ok := l.Lookup("c"); !ok || e.v != "3" {
		t.Errorf("Lookup(c) after Add = %v, %v", e, ok)
	}
	if got := l.Names(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Names() = %v", got)
	}
	if got := l.All(); len(got) != 3 || got[0].name != "b" || got[2].name != "c" {
		t.Errorf("All() = %v: want the built-ins in order, then the extension", got)
	}
	if got := l.Builtin(); len(got) != 2 {
		t.Errorf("Builtin() = %v", got)
	}
	l.Builtin()[0].v = "changed"
	if e, _ := l.Lookup("b"); e.v != "1" {
		t.Error("Builtin() returned the registry's own storage")
	}
	mustPanic(t, "registered twice: a", func() { l.Add(entry{"a", "x"}) })
	mustPanic(t, "registered twice: c", func() { l.Add(entry{"c", "x"}) })
	mustPanic(t, "empty name", func() { l.Add(entry{}) })
	mustPanic(t, "listed twice", func() { newList(entry{"a", ""}, entry{"a", ""}) })
}

func TestListConcurrentAdd(t *testing.T) {
	l := newList()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Add(entry{name: string(rune('a' + i))})
			l.Names()
		}()
	}
	wg.Wait()
	if len(l.All()) != 8 {
		t.Errorf("%d entries after 8 concurrent Adds", len(l.All()))
	}
}
