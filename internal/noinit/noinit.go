// Package noinit finds func init() declarations, for the tests that keep
// ghlsim's registries free of init-time registration (synapse, neuromod,
// network, experiments). It is imported by tests only, so that no program
// links go/parser for it.
package noinit

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
)

// Funcs lists, as "file:line", every func init() declared in the
// non-test .go files of the directory dir: the registries' tests check
// that their packages fill nothing at init time.
func Funcs(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var out []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range file.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "init" {
				p := fset.Position(fn.Pos())
				out = append(out, fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line))
			}
		}
	}
	return out, nil
}
