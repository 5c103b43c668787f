package noinit

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFuncs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.go", "package p\n\nfunc init() {}\n\ntype T struct{}\n\nfunc (T) init() {}\n")
	write("b.go", "package p\n\nfunc f() {}\n\nfunc init() { f() }\n")
	write("c_test.go", "package p\n\nfunc init() {}\n")
	got, err := Funcs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.go:3", "b.go:5"}; !slices.Equal(got, want) {
		t.Errorf("Funcs = %v, want %v (methods named init and _test.go files do not count)", got, want)
	}
}
