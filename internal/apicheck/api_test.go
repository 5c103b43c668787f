package apicheck

import (
	"bufio"
	"bytes"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// isInternal reports whether an import path has an "internal" element.
func isInternal(path string) bool {
	for _, e := range strings.Split(path, "/") {
		if e == "internal" {
			return true
		}
	}
	return false
}

// leaks returns the internal named types t mentions (without descending
// into the definitions of named types: those are checked where they are
// declared).
func leaks(t types.Type) []string {
	var out []string
	seen := map[types.Type]bool{}
	var walk func(types.Type)
	walk = func(t types.Type) {
		if t == nil || seen[t] {
			return
		}
		seen[t] = true
		switch t := t.(type) {
		case *types.Named:
			if p := t.Obj().Pkg(); p != nil && isInternal(p.Path()) {
				out = append(out, p.Path()+"."+t.Obj().Name())
			}
			if args := t.TypeArgs(); args != nil {
				for i := range args.Len() {
					walk(args.At(i))
				}
			}
		case *types.Alias:
			walk(types.Unalias(t))
		case *types.Pointer:
			walk(t.Elem())
		case *types.Slice:
			walk(t.Elem())
		case *types.Array:
			walk(t.Elem())
		case *types.Map:
			walk(t.Key())
			walk(t.Elem())
		case *types.Chan:
			walk(t.Elem())
		case *types.Signature:
			for _, tup := range []*types.Tuple{t.Params(), t.Results()} {
				for i := range tup.Len() {
					walk(tup.At(i).Type())
				}
			}
		case *types.Struct:
			for i := range t.NumFields() {
				if f := t.Field(i); f.Exported() || f.Embedded() {
					walk(f.Type())
				}
			}
		case *types.Interface:
			for i := range t.NumMethods() {
				if m := t.Method(i); m.Exported() {
					walk(m.Type())
				}
			}
			for i := range t.NumEmbeddeds() {
				walk(t.EmbeddedType(i))
			}
		}
	}
	walk(t)
	return out
}

// exportedLeaks lists, for package pkg, every exported declaration whose
// type, signature, fields or method set mentions an internal type.
func exportedLeaks(pkg *types.Package) []string {
	var out []string
	report := func(what string, t types.Type) {
		for _, l := range leaks(t) {
			out = append(out, fmt.Sprintf("%s: %s uses %s", pkg.Path(), what, l))
		}
	}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Func, *types.Var, *types.Const:
			report(name, obj.Type())
		case *types.TypeName:
			if obj.IsAlias() {
				report("type "+name, obj.Type())
				continue
			}
			named, ok := obj.Type().(*types.Named)
			if !ok {
				continue
			}
			report("type "+name, named.Underlying())
			ms := types.NewMethodSet(types.NewPointer(named))
			for i := range ms.Len() {
				if m := ms.At(i).Obj(); m.Exported() {
					report(name+"."+m.Name(), m.Type())
				}
			}
		}
	}
	return out
}

// modulePackages type-checks every importable (non-main, non-internal)
// package of the module from the compiler's export data, which
// go list -export builds.
func modulePackages(t *testing.T) []*types.Package {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "-export", "-f", "{{.ImportPath}}\t{{.Export}}\t{{.Name}}\t{{.Module}}", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	exports := map[string]string{}
	var mine []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			continue
		}
		exports[f[0]] = f[1]
		if f[3] == "ghlsim" && f[2] != "main" && !isInternal(f[0]) {
			mine = append(mine, f[0])
		}
	}
	sort.Strings(mine)
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	var pkgs []*types.Package
	for _, path := range mine {
		p, err := imp.Import(path)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestNoInternalTypesInExportedAPI fails on every exported declaration of a
// public ghlsim package that mentions an internal type.
func TestNoInternalTypesInExportedAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module's export data")
	}
	pkgs := modulePackages(t)
	if len(pkgs) < 8 {
		t.Fatalf("only %d packages found", len(pkgs))
	}
	n := 0
	for _, p := range pkgs {
		for _, l := range exportedLeaks(p) {
			t.Error(l)
			n++
		}
	}
	t.Logf("%d public packages checked, %d leaks", len(pkgs), n)
}

// TestLeakDetector checks the detector itself on a package that declares a
// stand-in internal type and exposes it in each way the API can.
func TestLeakDetector(t *testing.T) {
	in := types.NewPackage("example.com/m/internal/x", "x")
	secret := types.NewNamed(types.NewTypeName(token.NoPos, in, "Secret", nil), types.NewStruct(nil, nil), nil)
	pub := types.NewPackage("example.com/m/pub", "pub")
	sig := func(params ...types.Type) *types.Signature {
		var vs []*types.Var
		for _, p := range params {
			vs = append(vs, types.NewVar(token.NoPos, pub, "", p))
		}
		return types.NewSignatureType(nil, nil, nil, types.NewTuple(vs...), nil, false)
	}
	scope := pub.Scope()
	scope.Insert(types.NewFunc(token.NoPos, pub, "F", sig(types.NewMap(types.Typ[types.String], secret))))
	scope.Insert(types.NewFunc(token.NoPos, pub, "ok", sig(secret))) // unexported: fine
	scope.Insert(types.NewVar(token.NoPos, pub, "V", types.NewSlice(types.NewPointer(secret))))
	st := types.NewStruct([]*types.Var{
		types.NewField(token.NoPos, pub, "Field", secret, false),
		types.NewField(token.NoPos, pub, "hidden", secret, false),
	}, nil)
	tn := types.NewTypeName(token.NoPos, pub, "T", nil)
	named := types.NewNamed(tn, st, nil)
	named.AddMethod(types.NewFunc(token.NoPos, pub, "M", types.NewSignatureType(types.NewVar(token.NoPos, pub, "t", named), nil, nil, nil, types.NewTuple(types.NewVar(token.NoPos, pub, "", secret)), false)))
	scope.Insert(tn)
	got := strings.Join(exportedLeaks(pub), "\n")
	for _, want := range []string{"F uses", "V uses", "type T uses", "T.M uses"} {
		if !strings.Contains(got, want) {
			t.Errorf("leaks miss %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "ok uses") || strings.Count(got, "\n") != 3 {
		t.Errorf("leaks report too much:\n%s", got)
	}
}
