package tasks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mpforge/internal/testenv"
)

// Every MPFORGE_* variable the code reads is known to the typo check, or
// setting it would draw an "unknown variable ignored" warning while it
// works. Read means: the name, as a literal or a constant, passed to
// os.Getenv, os.LookupEnv or t.Setenv/os.Setenv anywhere in the module
// (tests included: their variables reach the processes they start).
func TestEveryReadVariableIsKnown(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`^MPFORGE_[A-Z0-9_]+$`)
	consts := map[string]string{} // constant name -> value
	var calls []*ast.CallExpr
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "out" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if i < len(n.Values) {
						if v, ok := literal(n.Values[i]); ok && name.MatchString(v) {
							consts[id.Name] = v
						}
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && len(n.Args) > 0 &&
					(sel.Sel.Name == "Getenv" || sel.Sel.Name == "LookupEnv" || sel.Sel.Name == "Setenv") {
					calls = append(calls, n)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, c := range calls {
		v, ok := literal(c.Args[0])
		if !ok {
			switch a := c.Args[0].(type) {
			case *ast.Ident:
				v, ok = consts[a.Name]
			case *ast.SelectorExpr:
				v, ok = consts[a.Sel.Name]
			}
		}
		if ok && name.MatchString(v) {
			read[v] = true
		}
	}
	if len(read) < 20 {
		t.Fatalf("found only %d variables read (%v): the scan is broken", len(read), read)
	}
	for v := range read {
		if !contains(knownVars, v) {
			t.Errorf("%s is read by the code but missing from knownVars: setting it warns that it is ignored", v)
		}
	}
}

func literal(e ast.Expr) (string, bool) {
	if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
		s, err := strconv.Unquote(b.Value)
		return s, err == nil
	}
	return "", false
}
